"""End-to-end pipeline figures with a real Celery worker on Redis and PostgreSQL.

1. With N capabilities loaded (default 10,000), the time from ``POST /api/v1/challenges`` to
   its proposals being readable in the database (median and p95 over 100 posts, one at a time).
2. A full matching run of N challenges against the N capabilities (wall time, proposals).

Needs Redis and PostgreSQL on 127.0.0.1 (override with BENCH_POSTGRES_URL, BENCH_REDIS_URL).
Text comes from bench/corpus.py (the gold development set's publications, recombined).

    .venv/bin/python bench/bench_pipeline.py [--n 10000] [--posts 100] [--concurrency 2]
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

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import build  # noqa: E402

PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
# Its own database name per engineer on a shared PostgreSQL: a fresh one is dropped first.
DB_NAME = os.environ.get("BENCH_DB", "xeco_bench")


def fresh_database(name: str = DB_NAME) -> str:
    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG.rsplit("/", 1)[0] + "/" + name


def load(app, caps: list[dict], chals: list[dict]) -> tuple[int, int]:
    """Bulk-load capabilities (and challenges for the full run) without enqueuing matching."""
    from argon2 import PasswordHasher

    from xeco.extensions import db
    from xeco.models import (
        Capability,
        Challenge,
        Organisation,
        OrgKind,
        Publication,
        Role,
        User,
    )
    from xeco.models.base import utcnow

    pw = PasswordHasher().hash("bench-password")
    with app.app_context():
        company_org = Organisation(name="Bench Company", kind=OrgKind.COMPANY)
        company = User(
            email="bench-company@example.com",
            name="Bench",
            role=Role.COMPANY,
            organisation=company_org,
            password_hash=pw,
            email_verified_at=utcnow(),
        )
        officer = User(
            email="bench-officer@example.com", name="Officer", role=Role.OFFICER, password_hash=pw
        )
        db.session.add_all([company, officer])
        owners = []
        for i in range(100):
            org = Organisation(name=f"Bench University {i}", kind=OrgKind.UNIVERSITY)
            owners.append(
                User(
                    email=f"bench-r{i}@example.com",
                    name=f"R{i}",
                    role=Role.RESEARCHER,
                    organisation=org,
                    password_hash=pw,
                )
            )
        db.session.add_all(owners)
        db.session.flush()
        for i, c in enumerate(caps):
            owner = owners[i % len(owners)]
            cap = Capability(
                organisation_id=owner.organisation_id,
                owner_id=owner.id,
                kind="researcher",
                title=c["title"][:200],
                summary=c["summary"],
                keywords=[],
                sectors=[],
                capacity=5,
            )
            cap.publications = [
                Publication(position=j, title=p["title"][:500], abstract=p["abstract"])
                for j, p in enumerate(c["publications"])
            ]
            db.session.add(cap)
            if i % 2000 == 1999:
                db.session.flush()
        for c in chals:
            db.session.add(
                Challenge(
                    organisation_id=company_org.id,
                    author_id=company.id,
                    title=c["title"][:200],
                    description=c["description"],
                    keywords=[],
                )
            )
        db.session.commit()
        return company.id, officer.id


def migrated_app(env: dict):
    """The app on ``env`` (also this process's environment), its database migrated."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from xeco import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    return app


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and its live descendants (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    family: set[int] = set()
    grown = {root_pid}
    while grown:
        family |= grown
        grown = {pid for pid, parent in parents.items() if parent in grown} - family
    return sum(used.get(pid, 0.0) for pid in family)


def start_worker(env: dict, concurrency: int, log: Path) -> subprocess.Popen:
    from xeco.cli.serve import worker_command

    cmd = worker_command(
        "prefork", None, "--concurrency", str(concurrency), "--without-gossip", "--without-mingle"
    )
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=open(log, "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(log.read_text()[-3000:])
        time.sleep(0.2)
    return proc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000, help="capabilities")
    ap.add_argument("--challenges", type=int, default=None, help="in the full run (default: n)")
    ap.add_argument("--posts", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=2)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="xeco-bench-"))
    url = fresh_database()
    redis.Redis.from_url(REDIS).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_"))}
    env.update(
        DATABASE_URL=url,
        CELERY_BROKER_URL=REDIS,
        XECO_INSTANCE_PATH=str(tmp),
        LOG_LEVEL="WARNING",
        MATCHING_CHUNK_SIZE="200",
    )
    app = migrated_app(env)

    from flask_jwt_extended import create_access_token

    from xeco.extensions import db
    from xeco.models import Challenge, Match, MatchingRun, User

    t = time.perf_counter()
    n_challenges = args.n if args.challenges is None else args.challenges
    caps, chals = build(args.n, n_challenges + args.posts + 1)
    posts, chals = chals[: args.posts + 1], chals[args.posts + 1 :]
    company_id, officer_id = load(app, caps, chals)
    print(
        f"loaded {len(caps)} capabilities and {len(chals)} challenges "
        f"in {time.perf_counter() - t:.1f} s"
    )

    worker = start_worker(env, args.concurrency, tmp / "worker.log")
    client = app.test_client()
    try:
        with app.app_context():
            company = db.session.get(User, company_id)
            officer = db.session.get(User, officer_id)
            company_h = {"Authorization": f"Bearer {create_access_token(identity=company)}"}
            officer_h = {"Authorization": f"Bearer {create_access_token(identity=officer)}"}
            db.session.remove()

        def matched(challenge_id: int) -> bool:
            with app.app_context():
                done = (
                    db.session.scalar(
                        sa.select(Challenge.fingerprint).where(Challenge.id == challenge_id)
                    )
                    is not None
                )
                db.session.remove()
                return done

        latencies = []
        for i, body in enumerate(posts):
            start = time.perf_counter()
            resp = client.post(
                "/api/v1/challenges",
                headers=company_h,
                json={"title": body["title"][:200], "description": body["description"][:10000]},
            )
            assert resp.status_code == 201, resp.get_json()
            cid = resp.get_json()["id"]
            while not matched(cid):
                time.sleep(0.005)
            if i:  # the first post warms the worker up (fits or loads the index)
                latencies.append(time.perf_counter() - start)
            else:
                print(
                    f"warm-up post (index fit in the worker): {time.perf_counter() - start:.2f} s"
                )
        lat = sorted(latencies)
        if lat:
            p95 = lat[round(0.95 * (len(lat) - 1))]
            print(
                f"post -> proposals readable, {len(lat)} posts at {len(caps)} capabilities: "
                f"median {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
            )

        cpu_before = cpu_seconds(worker.pid)
        start = time.perf_counter()
        resp = client.post("/api/v1/matching/runs", headers=officer_h)
        run_id = resp.get_json()["id"]
        while True:
            with app.app_context():
                run = db.session.get(MatchingRun, run_id)
                state, total = run.state.value, run.total
                db.session.remove()
            if state in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
        worker_cpu = cpu_seconds(worker.pid) - cpu_before
        with app.app_context():
            n_matches = db.session.scalar(sa.select(sa.func.count()).select_from(Match))
            db.session.remove()
        print(
            f"full run {state}: {total} challenges x {len(caps)} capabilities in "
            f"{elapsed:.1f} s ({total / elapsed:.0f} challenges/s, {args.concurrency} worker "
            f"processes), {n_matches} match rows; worker CPU {worker_cpu:.1f} s "
            f"(load average {os.getloadavg()[0]:.1f} at the end)"
        )
    finally:
        worker.terminate()
        worker.wait(30)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
