"""Send background jobs only after the change that asked for them has committed.

``enqueue`` records a job in the task outbox inside the caller's transaction and has it
published once that transaction commits (``xeco.transaction``). A broker that cannot be
reached leaves the rows pending; ``relay_pending`` (run by Celery beat and at worker start)
sends them later. Tasks are idempotent, so a job published twice does no harm.

A job may be *coalesced* (``enqueue(..., coalesce=True)``) when its task works through all
that waits, not only its own arguments (a due challenge's matching,
:func:`xeco.services.matching.match_due`). While a message of that task is queued, a later
such job needs none: a flag on the broker's Redis says one is queued, and the task clears it
(:func:`release`) before it looks for what waits, so whatever committed before a job found the
flag set is seen by the task that clears it. The flag expires after ``QUEUED_MS``, so a
message lost with its host costs later jobs at most that long; without Redis (the embedded
default), or while it fails, every job is sent.
"""

from __future__ import annotations

import logging

import redis
import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError

from xeco import transaction
from xeco.extensions import db
from xeco.models import TaskOutbox
from xeco.models.base import utcnow

log = logging.getLogger(__name__)

QUEUED = "xeco:outbox:queued:"
QUEUED_MS = 5000
EXTENSION = "xeco_outbox_flags"


def enqueue(task: str, *, coalesce: bool = False, **kwargs) -> TaskOutbox:
    row = TaskOutbox(task=task, kwargs=kwargs)
    db.session.add(row)
    db.session.flush()
    transaction.collect("outbox", (row.id, task, kwargs, coalesce), then=_publish)
    return row


def _flags() -> redis.Redis | None:
    """The broker's Redis, where the queued flags live; None when the broker is another."""
    app = current_app._get_current_object()
    if EXTENSION not in app.extensions:
        url = app.config.get("CELERY_BROKER_URL") or ""
        app.extensions[EXTENSION] = (
            redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            if url.startswith("redis")
            else None
        )
    return app.extensions[EXTENSION]


def _queued_already(task: str) -> bool:
    """True while a message of ``task`` is queued; otherwise flags this one as queued."""
    flags = _flags()
    if flags is None:
        return False
    try:
        return not flags.set(QUEUED + task, 1, nx=True, px=QUEUED_MS)
    except RedisError:
        log.warning("outbox: queued flag unreachable; sending", exc_info=True)
        return False


def release(task: str) -> None:
    """The task of a coalesced job starts: later jobs need a message of their own again."""
    flags = _flags()
    if flags is None:
        return
    try:
        flags.delete(QUEUED + task)
    except RedisError:
        # Until it expires, jobs rely on this task; what it misses the waiting sweep finds.
        log.warning("outbox: queued flag not cleared", exc_info=True)


def relay_pending(limit: int = 500) -> int:
    jobs = db.session.execute(
        sa.select(TaskOutbox.id, TaskOutbox.task, TaskOutbox.kwargs)
        .where(TaskOutbox.sent_at.is_(None))
        .order_by(TaskOutbox.id)
        .limit(limit)
    ).all()
    return _publish([(*job, False) for job in jobs]) if jobs else 0


def _publish(jobs: list[tuple[int, str, dict, bool]]) -> int:
    """Send ``(id, task, kwargs, coalesce)`` jobs in order, then mark those sent, and the
    error of the first that could not be (the rest wait for the relay), in one statement each.
    A coalesced job whose task is queued already counts as sent.

    The jobs come from the caller's memory, not read back: reading each just-committed row
    again cost a post a query and its objects. A job the relay sent meanwhile may go twice:
    tasks are idempotent, and its first ``sent_at`` stays."""
    celery = current_app.extensions["celery"]
    sent: list[int] = []
    failed = None
    for job_id, task, kwargs, coalesce in jobs:
        if coalesce and _queued_already(task):
            sent.append(job_id)
            continue
        try:
            celery.send_task(task, kwargs=kwargs)
        except Exception as exc:  # broker down: keep the job for the relay
            if coalesce:
                release(task)
            failed = (job_id, f"{type(exc).__name__}: {exc}"[:500])
            log.warning("outbox: could not publish %s #%s: %s", task, job_id, exc)
            break
        sent.append(job_id)
    tried = TaskOutbox.attempts + 1
    # After a post's commit each UPDATE stands alone: together they need no transaction (a
    # job whose mark is lost is sent again by the relay, and tasks are idempotent).
    with transaction.statements_alone():
        if sent:
            db.session.execute(
                sa.update(TaskOutbox)
                .where(TaskOutbox.id.in_(sent), TaskOutbox.sent_at.is_(None))
                .values(sent_at=utcnow(), attempts=tried),
                execution_options={"synchronize_session": False},
            )
        if failed is not None:
            db.session.execute(
                sa.update(TaskOutbox)
                .where(TaskOutbox.id == failed[0])
                .values(attempts=tried, last_error=failed[1]),
                execution_options={"synchronize_session": False},
            )
        db.session.commit()
    if sent:
        log.info("outbox: published %d job(s)", len(sent))
    return len(sent)
