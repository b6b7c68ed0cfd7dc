"""HTTP under load: the production stack against a bare Flask app, in the same run.

Starts gunicorn on the production settings (``config/gunicorn.py``: 3 processes x 4 threads)
on ``xeco.wsgi:app`` with ``XECO_ENV=production``, PostgreSQL, Redis (broker, rate limits and
the view cache) and one Celery worker, and a bare Flask app (one JSON route) on the same
gunicorn settings. 24 client threads then drive each for the same time, after a warm-up of
the same load that is not measured: the bare app, then xeco with a mix of lists, search, the
review queue, details, notifications and 10% posts of new challenges (which the worker
matches meanwhile). Prints requests/s, latency percentiles (also per kind of request),
failures (any status >= 400 or error), the CPU each part spent per request, and the ratio.
``--py-spy DIR`` records where the web and worker processes spend it. On a PostgreSQL run
without autovacuum (as this machine's), the bench does its work meanwhile (see
``AutovacuumStandIn``), as a server in service would.
xeco runs on its production defaults, lists kept per viewer for 5 s in Redis included
(``VIEW_CACHE_SECONDS=0`` in the environment measures it without them).

Needs Redis and PostgreSQL on 127.0.0.1 (BENCH_POSTGRES_URL, BENCH_REDIS_URL; the Redis
database is flushed before and after). Everything started is stopped, also on failure.

    .venv/bin/python bench/bench_load.py [--seconds 30] [--clients 24] [--n 2000] [--warmup 5]
        [--repeat 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_pipeline import (  # noqa: E402
    cpu_seconds,
    fresh_database,
    load,
    migrated_app,
    start_worker,
)
from bench.corpus import build  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
BIN = Path(sys.executable).parent
# The production settings (README), for xeco and the bare app alike.
GUNICORN = ROOT / "config" / "gunicorn.py"
BARE_APP = """
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/api/v1/ping")
def ping():
    return jsonify(status="ok")
"""


def serve(
    stack: ExitStack, module: str, port: int, env: dict, cwd: Path, log: Path
) -> subprocess.Popen:
    """gunicorn with the production settings of the README, stopped when ``stack`` closes."""
    from xeco.cli.serve import stop_process

    cmd = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "-c", str(GUNICORN), module]
    handle = stack.enter_context(open(log, "w"))  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT)
    stack.callback(stop_process, proc, 30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(log.read_text()[-3000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{module} did not start: {log.read_text()[-3000:]}")


def drive(port: int, requests, seconds: float, clients: int) -> dict:
    """``clients`` threads send ``requests()`` (method, path, headers, body, kind) for a time."""
    latencies: list[float] = []
    by_kind: Counter = Counter()
    kind_latencies: dict[str, list[float]] = {}
    failures: Counter = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rnd = random.Random(seed)
        mine, kinds, failed = [], Counter(), Counter()
        mine_by_kind: dict[str, list[float]] = {}
        while time.monotonic() < stop:
            method, path, headers, body, kind = requests(rnd)
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status >= 400:
                    failed[f"{kind} {resp.status}"] += 1
            except OSError as err:
                failed[f"{kind} {type(err).__name__}"] += 1
            took = time.perf_counter() - start
            mine.append(took)
            mine_by_kind.setdefault(kind, []).append(took)
            kinds[kind] += 1
        with lock:
            latencies.extend(mine)
            by_kind.update(kinds)
            failures.update(failed)
            for kind, took in mine_by_kind.items():
                kind_latencies.setdefault(kind, []).extend(took)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    lat = sorted(latencies)

    def pct(p: float, lat=lat) -> float:
        return lat[min(len(lat) - 1, round(p * (len(lat) - 1)))] * 1000

    return {
        "requests": len(lat),
        "rps": len(lat) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "failures": dict(failures),
        "kinds": dict(by_kind),
        "p95 by kind": {
            kind: round(pct(0.95, sorted(took))) for kind, took in sorted(kind_latencies.items())
        },
    }


def seed(app, n: int) -> dict:
    """Capabilities, challenges, proposals (matched in this process) and notifications."""
    from flask_jwt_extended import create_access_token

    from xeco import transaction
    from xeco.extensions import db
    from xeco.models import Challenge, Match, Notification, User
    from xeco.services import matching

    caps, chals = build(n, n)
    company_id, officer_id = load(app, caps, chals)
    with app.app_context():
        ids = db.session.scalars(sa.select(Challenge.id).order_by(Challenge.id)).all()
        indexes = matching.current_indexes()
        for start in range(0, len(ids), 200):
            matching.match_challenges(ids[start : start + 200], indexes)
        researcher = db.session.scalar(sa.select(User).where(User.email == "bench-r0@example.com"))
        match_ids = db.session.scalars(sa.select(Match.id).order_by(Match.id)).all()
        for i in range(200):
            for user_id in (company_id, researcher.id, officer_id):
                db.session.add(
                    Notification(
                        user_id=user_id,
                        kind="match_approved",
                        title=f"Match {i} approved",
                        body="Open it to read the explanation.",
                        match_id=match_ids[i],
                    )
                )
        transaction.commit()
        # A database in service has its planner statistics and visibility map from
        # autovacuum; right after a bulk load it has neither for up to a minute, and the
        # plans (and index-only counts) of the first seconds would be those of empty tables.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        tokens = {
            name: create_access_token(identity=db.session.get(User, uid))
            for name, uid in (
                ("company", company_id),
                ("officer", officer_id),
                ("researcher", researcher.id),
            )
        }
        db.session.remove()
    return {"tokens": tokens, "challenges": ids, "matches": match_ids}


def xeco_requests(data: dict):
    auth = {k: {"Authorization": f"Bearer {v}"} for k, v in data["tokens"].items()}
    post_headers = dict(auth["company"], **{"Content-Type": "application/json"})
    words = ["battery", "vision", "polymer", "sensor", "catalyst", "protein", "电池", "材料"]

    def pick(rnd: random.Random):
        roll = rnd.random()
        if roll < 0.10:
            body = json.dumps(
                {
                    "title": f"Load test need {rnd.randrange(10**9)}",
                    "description": f"We look for {rnd.choice(words)} expertise for a pilot line.",
                }
            )
            return "POST", "/api/v1/challenges", post_headers, body, "post challenge"
        if roll < 0.25:
            page = rnd.randint(1, 20)
            return "GET", f"/api/v1/challenges?page={page}", auth["officer"], None, "list"
        if roll < 0.35:
            page = rnd.randint(1, 20)
            return "GET", f"/api/v1/capabilities?page={page}", auth["researcher"], None, "list"
        if roll < 0.50:
            q = rnd.choice(words[:6])
            return "GET", f"/api/v1/challenges?q={q}", auth["company"], None, "search"
        if roll < 0.65:
            page = rnd.randint(1, 20)
            path = f"/api/v1/matches?status=proposed&page={page}"
            return "GET", path, auth["officer"], None, "review queue"
        if roll < 0.75:
            cid = rnd.choice(data["challenges"])
            return "GET", f"/api/v1/challenges/{cid}", auth["officer"], None, "detail"
        if roll < 0.85:
            mid = rnd.choice(data["matches"])
            return "GET", f"/api/v1/matches/{mid}", auth["officer"], None, "detail"
        who = rnd.choice(["company", "researcher", "officer"])
        return "GET", "/api/v1/notifications", auth[who], None, "notifications"

    return pick


class AutovacuumStandIn(threading.Thread):
    """What autovacuum does on a server in service, for a server that runs without it.

    This machine's PostgreSQL (and CI's) has ``autovacuum = off``. Without it nothing here
    vacuums while posts come in: dead row versions, trigram entries and pages without a
    visibility map piled up, and each pair of runs served about a tenth less than the one
    before. Every ``autovacuum_naptime`` this thread vacuums and analyzes the tables that
    autovacuum would, by the server's own thresholds, on one connection of the database's,
    so its CPU counts with the database's like autovacuum's own work would."""

    CHOSEN = """
        SELECT s.relname,
               s.n_dead_tup > v.threshold + v.scale * greatest(c.reltuples, 0)
               OR s.n_ins_since_vacuum > i.threshold + i.scale * greatest(c.reltuples, 0),
               s.n_mod_since_analyze > a.threshold + a.scale * greatest(c.reltuples, 0)
        FROM pg_stat_user_tables s
        JOIN pg_class c ON c.oid = s.relid,
        LATERAL (SELECT current_setting('autovacuum_vacuum_threshold')::float AS threshold,
                        current_setting('autovacuum_vacuum_scale_factor')::float AS scale) v,
        LATERAL (SELECT current_setting('autovacuum_vacuum_insert_threshold')::float AS threshold,
                        current_setting('autovacuum_vacuum_insert_scale_factor')::float
                            AS scale) i,
        LATERAL (SELECT current_setting('autovacuum_analyze_threshold')::float AS threshold,
                        current_setting('autovacuum_analyze_scale_factor')::float AS scale) a
    """

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self.conn = self.engine.connect()
        self.naptime = self.conn.scalar(
            sa.text("SELECT setting::float FROM pg_settings WHERE name = 'autovacuum_naptime'")
        )
        self.stopping = threading.Event()

    @staticmethod
    def needed(url: str) -> bool:
        engine = sa.create_engine(url, poolclass=sa.NullPool)
        with engine.connect() as conn:
            on = conn.scalar(sa.text("SHOW autovacuum")) == "on"
        engine.dispose()
        return not on

    def run(self) -> None:
        while not self.stopping.wait(self.naptime):
            for table, vacuum, analyze in self.conn.execute(sa.text(self.CHOSEN)).all():
                if vacuum or analyze:
                    what = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
                    self.conn.exec_driver_sql(f'{what} "{table}"')

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=120)
        self.conn.close()
        self.engine.dispose()


def cpu_split(web: subprocess.Popen, worker: subprocess.Popen, url: str) -> dict:
    """CPU seconds so far of the web server, the Celery worker, the database's backends (those
    connected now) and this process's client threads."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        pids = conn.scalars(
            sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).all()
    engine.dispose()
    return {
        "gunicorn": cpu_seconds(web.pid),
        "celery": cpu_seconds(worker.pid),
        "postgres": sum(cpu_seconds(pid) for pid in pids),
        "bench clients": time.process_time(),
    }


def record(
    stack: ExitStack, out: Path, web: subprocess.Popen, worker: subprocess.Popen, seconds: float
) -> None:
    """py-spy (``pip install py-spy``) on each gunicorn and Celery worker process for the run:
    collapsed stacks of the threads holding the GIL, so only CPU spent in Python counts."""
    out.mkdir(parents=True, exist_ok=True)
    children = {
        name: Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        for name, proc in (("web", web), ("worker", worker))
    }
    for name, pids in children.items():
        for pid in pids:
            cmd = [str(BIN / "py-spy"), "record", "--pid", pid, "--gil", "--nonblocking"]
            cmd += ["--duration", str(int(seconds)), "--format", "raw"]
            cmd += ["--output", str(out / f"{name}-{pid}.txt")]
            spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stack.callback(spy.wait, 60)


def report(name: str, r: dict) -> None:
    print(
        f"{name}: {r['requests']} requests, {r['rps']:.0f} req/s, p50 {r['p50']:.0f} ms, "
        f"p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms, failures {r['failures'] or 'none'}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=24)
    ap.add_argument(
        "--warmup",
        type=float,
        default=5,
        help="seconds of the same load, not measured, before each measured run",
    )
    ap.add_argument("--n", type=int, default=2000, help="capabilities and challenges loaded")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="pairs of measured runs (bare, then xeco), back to back on the same servers; "
        "xeco's tables grow by its posts from pair to pair",
    )
    ap.add_argument(
        "--py-spy",
        type=Path,
        metavar="DIR",
        help="record py-spy's collapsed stacks of each web and worker process into DIR",
    )
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="xeco-load-"))
    url = fresh_database("xeco_load")
    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_"))}
    env.update(
        XECO_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=url,
        CELERY_BROKER_URL=REDIS,
        XECO_INSTANCE_PATH=str(tmp / "instance"),
        LOG_LEVEL="WARNING",
    )
    # xeco reads its settings when first imported: after the environment is set.
    app = migrated_app(env)
    from xeco.cli.serve import stop_process

    t = time.perf_counter()
    data = seed(app, args.n)
    print(
        f"seeded {args.n} capabilities, {len(data['challenges'])} challenges, "
        f"{len(data['matches'])} proposals in {time.perf_counter() - t:.1f} s"
    )
    (tmp / "bare_app.py").write_text(BARE_APP)
    with ExitStack() as stack:
        stack.callback(broker.flushdb)
        if AutovacuumStandIn.needed(url):
            vacuums = AutovacuumStandIn(url)
            vacuums.start()
            stack.callback(vacuums.stop)
            print(
                f"the server runs without autovacuum: its work is done here, every "
                f"{vacuums.naptime:.0f} s as autovacuum_naptime says"
            )
        worker = start_worker(env, 1, tmp / "worker.log")
        stack.callback(stop_process, worker, 30)
        web = serve(stack, "xeco.wsgi:app", 8761, env, ROOT, tmp / "xeco.log")
        serve(stack, "bare_app:app", 8762, env, tmp, tmp / "bare.log")

        def ping(_rnd):
            return "GET", "/api/v1/ping", {}, None, "ping"

        ratios = []
        for turn in range(args.repeat):
            if args.repeat > 1:
                print(f"-- pair {turn + 1} of {args.repeat}")
            # A server's first requests pay for what each process loads once (code paths,
            # the worker's matching index), and a list kept 5 s is gone after the other
            # app's run: each run follows a warm-up of its own.
            drive(8762, ping, args.warmup, args.clients)
            bare = drive(8762, ping, args.seconds, args.clients)
            report("bare Flask", bare)
            drive(8761, xeco_requests(data), args.warmup, args.clients)
            before = cpu_split(web, worker, url)
            if args.py_spy and turn == 0:
                record(stack, args.py_spy, web, worker, args.seconds)
            result = drive(8761, xeco_requests(data), args.seconds, args.clients)
            used = {k: v - before.get(k, 0.0) for k, v in cpu_split(web, worker, url).items()}
            report("xeco", result)
            print("xeco requests by kind:", result["kinds"])
            print("xeco p95 by kind (ms):", result["p95 by kind"])
            per = ", ".join(f"{k} {v / result['requests'] * 1000:.1f} ms" for k, v in used.items())
            print(f"CPU per xeco request: {per}")
            ratios.append(result["rps"] / bare["rps"])
            print(f"ratio: {ratios[-1]:.3f} of the bare app's requests/s")
        if args.repeat > 1:
            # The host's speed drifts between runs: a pair taken back to back compares,
            # and the median of several says more than any one of them.
            shown = ", ".join(f"{r:.3f}" for r in ratios)
            middle = statistics.median(ratios)
            print(f"ratio, median of {args.repeat} pairs: {middle:.3f} ({shown})")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end"
    )


if __name__ == "__main__":
    main()
