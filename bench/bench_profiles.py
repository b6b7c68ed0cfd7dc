"""New and edited capabilities: from the API call to their proposals being readable.

With N capabilities (default 100,000) and C open challenges (default 10,000) in PostgreSQL and
one real Celery worker on Redis, each step posts a new capability (or edits an existing one)
whose text is that of an open challenge, and measures until the match of that pair is in the
database. The worker folds the change into its fitted index (no refit) and re-matches the
challenges the capability can now enter the top k of. A full run first gives every challenge
its proposals, as in service (it fits and stores the index); the first post then warms the
worker up (it vectorises the open challenges) and is not counted.

    .venv/bin/python bench/bench_profiles.py [--n 100000] [--challenges 2000] [--changes 50]

Needs Redis and PostgreSQL on 127.0.0.1 (BENCH_POSTGRES_URL, BENCH_PROFILES_REDIS_URL).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pipeline import PG, load, start_worker  # noqa: E402
from bench.corpus import build  # noqa: E402

REDIS = os.environ.get("BENCH_PROFILES_REDIS_URL", "redis://127.0.0.1:6379/12")
DB_NAME = "xeco_bench_profiles"


def fresh_database() -> str:
    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return PG.rsplit("/", 1)[0] + "/" + DB_NAME


def stop(worker: subprocess.Popen) -> None:
    """Stop the worker and its pool processes, even when a task holds the warm shutdown."""
    children = psutil.Process(worker.pid).children(recursive=True)
    worker.terminate()
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    for child in children:
        if child.is_running():
            child.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="capabilities")
    ap.add_argument("--challenges", type=int, default=2_000, help="open challenges")
    ap.add_argument("--changes", type=int, default=50, help="new capabilities, and as many edits")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="the database of an earlier run as it is (loaded, full run done, index stored)",
    )
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="xeco-bench-profiles-"))
    url = PG.rsplit("/", 1)[0] + "/" + DB_NAME if args.reuse else fresh_database()
    redis.Redis.from_url(REDIS).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_"))}
    env.update(
        DATABASE_URL=url, CELERY_BROKER_URL=REDIS, XECO_INSTANCE_PATH=str(tmp), LOG_LEVEL="INFO"
    )
    os.environ.update(env)

    from flask_jwt_extended import create_access_token
    from flask_migrate import upgrade

    from xeco import create_app
    from xeco.extensions import db
    from xeco.models import Capability, Challenge, Match, MatchingRun, User

    app = create_app()
    with app.app_context():
        upgrade()
    t = time.perf_counter()
    if not args.reuse:
        caps, chals = build(args.n, args.challenges)
        load(app, caps, chals)
        took = time.perf_counter() - t
        print(f"loaded {args.n} capabilities, {args.challenges} challenges in {took:.0f} s")

    with app.app_context():
        # Posting needs a confirmed address (accounts, issue 13).
        db.session.execute(sa.update(User).values(email_verified_at=sa.func.now()))
        db.session.commit()
        targets = db.session.execute(
            sa.select(Challenge.id, Challenge.title, Challenge.description).order_by(Challenge.id)
        ).all()
        owners = {
            u.id: {"Authorization": f"Bearer {create_access_token(identity=u)}"}
            for u in db.session.scalars(sa.select(User).where(User.email.like("bench-r%")))
        }
        officer_token = create_access_token(
            identity=db.session.scalar(sa.select(User).where(User.email.like("bench-officer%")))
        )
        # Capabilities without publications: a profile is the mean of its documents, so one
        # with publications on other topics may rightly not enter the challenge's top k.
        edited = db.session.execute(
            sa.select(Capability.id, Capability.owner_id)
            .where(~Capability.publications.any(), Capability.owner_id.in_(list(owners)))
            .order_by(Capability.id.desc())
            .limit(args.changes)
        ).all()
        db.session.remove()
    client = app.test_client()
    some_owner = next(iter(owners.values()))
    officer = {"Authorization": f"Bearer {officer_token}"}

    def proposed(capability_id: int, challenge_id: int) -> bool:
        with app.app_context():
            found = db.session.scalar(
                sa.select(Match.id).where(
                    Match.capability_id == capability_id, Match.challenge_id == challenge_id
                )
            )
            db.session.remove()
            return found is not None

    def timed(call, challenge_id: int) -> float:
        start = time.perf_counter()
        capability_id = call()
        while not proposed(capability_id, challenge_id):
            if time.perf_counter() - start > 600:
                raise SystemExit(f"no proposal for capability {capability_id} after 600 s")
            time.sleep(0.01)
        return time.perf_counter() - start

    def new(target):
        body = {"title": target.title[:200], "summary": target.description[:5000]}
        resp = client.post("/api/v1/capabilities", headers=some_owner, json=body)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()["id"]

    def edit(capability_id, owner_id, target):
        body = {"title": target.title[:200], "summary": target.description[:5000]}
        resp = client.patch(
            f"/api/v1/capabilities/{capability_id}", headers=owners[owner_id], json=body
        )
        assert resp.status_code == 200, resp.get_json()
        return capability_id

    worker = start_worker(env, 1, tmp / "worker.log")
    try:
        # Challenges hold their proposals already (as in service): a full run first.
        start = time.perf_counter()
        if args.reuse:
            run_id = None
        else:
            run_id = client.post("/api/v1/matching/runs", headers=officer).get_json()["id"]
        while run_id is not None:
            with app.app_context():
                state = db.session.get(MatchingRun, run_id).state.value
                db.session.remove()
            if state in ("succeeded", "failed"):
                print(f"full run {state} in {time.perf_counter() - start:.0f} s (fits the index)")
                break
            time.sleep(1)
        warm = timed(lambda: new(targets[0]), targets[0].id)
        print(f"warm-up (the worker vectorises the open challenges): {warm:.1f} s")
        news, edits = [], []
        for i in range(args.changes):
            target = targets[1 + 2 * i]
            news.append(timed(lambda target=target: new(target), target.id))
            target = targets[2 + 2 * i]
            cid, owner = edited[i]
            edits.append(timed(lambda c=cid, o=owner, t=target: edit(c, o, t), target.id))
        for label, values in (("new", news), ("edited", edits), ("all", news + edits)):
            print(
                f"{label:6s} capability -> proposal readable at {args.n} capabilities, "
                f"{args.challenges} open challenges, {len(values)} changes: "
                f"median {statistics.median(values) * 1000:.0f} ms, "
                f"p95 {percentile(values, 0.95) * 1000:.0f} ms"
            )
        log = (tmp / "worker.log").read_text()
        print(
            f"worker: {log.count('fitted capabilities index')} fit(s), "
            f"{log.count('folded ')} fold(s), {log.count('refit_index index=')} refit(s)"
        )
    finally:
        stop(worker)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
