"""Checks behind GET /health: each dependency answers or says why not."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from xeco.extensions import db
from xeco.models import Challenge, TaskOutbox, WorkerHeartbeat
from xeco.models.base import utcnow
from xeco.services import index_store

WORKER_FRESH_SECONDS = 30


def _timed(fn) -> dict:
    start = time.perf_counter()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # any failure is a report, not a crash
        detail, ok = f"{type(exc).__name__}: {exc}"[:300], False
    return {
        "ok": ok,
        "detail": detail,
        "latency_ms": round((time.perf_counter() - start) * 1000, 2),
    }


def _database() -> str:
    db.session.execute(sa.text("SELECT 1"))
    return db.engine.dialect.name


def _broker() -> str:
    celery = current_app.extensions["celery"]
    with celery.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.transport_cls if isinstance(conn.transport_cls, str) else conn.as_uri()


def _worker() -> dict:
    """Workers seen in the last half minute (each writes a heartbeat every 10 s)."""
    cutoff = utcnow() - timedelta(seconds=WORKER_FRESH_SECONDS)
    rows = db.session.scalars(
        sa.select(WorkerHeartbeat).where(WorkerHeartbeat.seen_at >= cutoff)
    ).all()
    if not rows:
        return {"ok": False, "detail": "no worker seen in the last 30 s"}
    names = ", ".join(sorted(r.hostname for r in rows))
    return {"ok": True, "detail": f"{len(rows)} worker(s): {names}"}


def check() -> dict:
    database = _timed(_database)
    database["kind"] = db.engine.dialect.name
    broker = _timed(_broker)
    broker["kind"] = "embedded" if not current_app.config.get("CELERY_BROKER_URL") else "redis"
    report = {"database": database, "broker": broker}
    if database["ok"]:
        report["worker"] = _worker()
        report["pending_jobs"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(TaskOutbox).where(TaskOutbox.sent_at.is_(None))
        )
        # Read from the partial index of those that wait: a few rows, however many there are.
        report["waiting_for_matching"] = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Challenge)
            .where(Challenge.match_due_at.is_not(None))
        )
        # Bytes of each newest stored fit: what every worker host loads when it starts.
        report["indexes"] = index_store.sizes()
    else:
        db.session.rollback()
    report["status"] = "ok" if database["ok"] and broker["ok"] else "degraded"
    return report
