"""What issue 14 adds to a request: the officers' funnel query, a page of notifications
rendered in the reader's language, and building one e-mail (text and HTML) at sending time.

Loads N matches (default 100,000) over 24 months and the nine sectors into a fresh
PostgreSQL database (BENCH_POSTGRES_URL, as bench_pipeline.py), a twentieth of them with an
agreement, and 10,000 notifications stored as kind and parameters; then prints the median
of repeated runs of each step.

    .venv/bin/python bench/bench_after_intro.py [--n 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_NAME = "xeco_bench_after_intro"
SECTORS = [
    "advanced-manufacturing",
    "new-energy",
    "biomedicine",
    "ai-digital",
    "new-materials",
    "environment",
    "semiconductors",
    "agri-food",
    "other",
]


def fresh_database() -> str:
    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return PG.rsplit("/", 1)[0] + "/" + DB_NAME


def load(n: int) -> tuple[int, int]:
    """Rows through Core inserts: the figures are about reading, not writing."""
    from xeco.extensions import db
    from xeco.models import (
        Capability,
        Challenge,
        Match,
        MatchOutcome,
        Notification,
        Organisation,
        User,
    )

    now = datetime.now(UTC)
    conn = db.session.connection()
    conn.execute(
        sa.insert(Organisation),
        [
            {"id": 1, "name": "Bench Co", "kind": "company", "name_key": "bench co"},
            {"id": 2, "name": "Bench University", "kind": "university", "name_key": "bench u"},
        ],
    )
    base = {"password_hash": "x", "created_at": now, "updated_at": now}
    conn.execute(
        sa.insert(User),
        [
            {
                "id": 1,
                "email": "c@b.test",
                "name": "C",
                "role": "company",
                "organisation_id": 1,
                "locale": "zh",
                **base,
            },
            {
                "id": 2,
                "email": "r@b.test",
                "name": "R",
                "role": "researcher",
                "organisation_id": 2,
                "locale": "en",
                **base,
            },
        ],
    )
    challenges = n // 10
    stamp = {"created_at": now, "updated_at": now}
    conn.execute(
        sa.insert(Challenge),
        [
            {
                "id": i + 1,
                "organisation_id": 1,
                "author_id": 1,
                "title": f"Challenge {i}",
                "description": "d",
                "keywords": [],
                "sector": SECTORS[i % 9],
                **stamp,
            }
            for i in range(challenges)
        ],
    )
    conn.execute(
        sa.insert(Capability),
        [
            {
                "id": i + 1,
                "organisation_id": 2,
                "owner_id": 2,
                "kind": "researcher",
                "title": f"Capability {i}",
                "summary": "s",
                "keywords": [],
                "sectors": [],
                "capacity": 3,
                **stamp,
            }
            for i in range(10)
        ],
    )
    statuses = ["proposed", "approved", "introduced", "accepted", "declined", "rejected"]
    rows = []
    for i in range(n):
        made = now - timedelta(days=(i * 730) // n)
        rows.append(
            {
                "id": i + 1,
                "challenge_id": i // 10 + 1,
                "capability_id": i % 10 + 1,
                "score": 0.3,
                "explanation": [],
                "status": statuses[i % 6],
                "created_at": made,
                "updated_at": made,
            }
        )
    for start in range(0, n, 10_000):
        conn.execute(sa.insert(Match), rows[start : start + 10_000])
    conn.execute(
        sa.insert(MatchOutcome),
        [
            {"match_id": i + 1, "outcome": "agreement", "created_at": now}
            for i in range(3, n, 120)  # accepted ones, a twentieth of them
        ],
    )
    params = {
        "match_id": 1,
        "challenge": "焊缝缺陷检测",
        "capability": "Weld lab",
        "company": "Bench Co",
        "provider": "Bench University",
        "side": "company",
    }
    conn.execute(
        sa.insert(Notification),
        [
            {"user_id": 1, "kind": "introduced", "params": params, "match_id": 1, "created_at": now}
            for _ in range(10_000)
        ],
    )
    db.session.commit()
    return n, 10_000


def timed(fn, repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from xeco import create_app
    from xeco.extensions import db
    from xeco.models import EmailOutbox, User
    from xeco.services import notifications, reports
    from xeco.services.mail_content import build

    url = fresh_database()
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": url,
                "INSTANCE_PATH": instance,
                "CELERY_BROKER_URL": "memory://",
                "LOG_LEVEL": "WARNING",
            }
        )
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            matches, notes = load(args.n)
            print(
                f"loaded {matches:,} matches, {notes:,} notifications "
                f"in {time.perf_counter() - start:.1f} s"
            )
            user = db.session.get(User, 1)
            funnel = reports.funnel()
            mail = EmailOutbox(
                to="c@b.test",
                user_id=1,
                kind="introduced",
                params={
                    "match_id": 1,
                    "challenge": "焊缝缺陷检测",
                    "capability": "Weld lab",
                    "company": "Bench Co",
                    "provider": "Bench University",
                    "side": "company",
                },
            )
            with app.test_request_context():
                figures = {
                    f"funnel ({len(funnel)} month × sector rows)": timed(
                        reports.funnel, args.repeat
                    ),
                    "summary with the funnel": timed(reports.summary, args.repeat),
                    "20 notifications rendered (zh)": timed(
                        lambda: notifications.list_for(user, None, 1, 20, "zh"), args.repeat
                    ),
                    "one e-mail built (text + HTML, zh)": timed(lambda: build(mail), args.repeat),
                }
            db.session.remove()
            db.engine.dispose()
    admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
    admin.dispose()
    print(f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for name, ms in figures.items():
        print(f"{name}: median {ms:.1f} ms")


if __name__ == "__main__":
    main()
