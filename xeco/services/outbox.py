"""Send background jobs only after the change that asked for them has committed.

``enqueue`` records a job in the task outbox inside the caller's transaction and has it
published once that transaction commits (``xeco.transaction``). A broker that cannot be
reached leaves the rows pending; ``relay_pending`` (run by Celery beat and at worker start)
sends them later. Tasks are idempotent, so a job published twice does no harm.

A task that works through all that waits, not only its own arguments (a due challenge's
matching, :func:`xeco.services.matching.match_due`), is *nudged* instead (``nudge``): the
caller's rows say what waits (a challenge's ``match_due_at``), and a periodic sweep (beat's
``xeco.match_waiting``) takes what a lost message leaves, so nothing is recorded here. While a
message of that task is queued, a nudge sends none: a flag on the broker's Redis says one is,
and the task clears it (:func:`release`) before it looks for what waits, so whatever committed
before a nudge found the flag set is seen by the task that clears it. The flag expires after
``QUEUED_MS``, so a message lost with its host costs later nudges at most that long; without
Redis (the embedded default), or while it fails, every nudge is sent.
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


def enqueue(task: str, **kwargs) -> TaskOutbox:
    row = TaskOutbox(task=task, kwargs=kwargs)
    db.session.add(row)
    db.session.flush()
    transaction.collect("outbox", (row.id, task, kwargs, None), then=_publish)
    return row


def nudge(task: str, countdown: float | None = None, **kwargs) -> None:
    """Send ``task`` once this transaction commits, unless a message of it is queued, and
    record nothing (see above). An outbox row, and marking it sent after the commit, cost
    each post two of its five statements.

    ``countdown``: the message is run that many seconds after it is sent, and nudges
    meanwhile join it, so the task finds more waiting work to take in one go."""
    transaction.collect("outbox", (None, task, kwargs, countdown or None), then=_publish)


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
    """The task of nudges starts: later nudges need a message of their own again."""
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
    return _publish([(*job, None) for job in jobs]) if jobs else 0


def _publish(jobs: list[tuple[int | None, str, dict, float | None]]) -> int:
    """Send ``(id, task, kwargs, countdown)`` jobs in order, then mark those sent, and the
    error of the first that could not be (the rest wait for the relay), in one statement each.
    A nudge (no id) whose task is queued already needs no message.

    The jobs come from the caller's memory, not read back: reading each just-committed row
    again cost a post a query and its objects. A job the relay sent meanwhile may go twice:
    tasks are idempotent, and its first ``sent_at`` stays."""
    celery = current_app.extensions["celery"]
    sent: list[int] = []
    failed = None
    published = 0
    for job_id, task, kwargs, countdown in jobs:
        nudged = job_id is None
        if nudged and _queued_already(task):
            continue
        try:
            celery.send_task(task, kwargs=kwargs, countdown=countdown)
        except Exception as exc:  # broker down: keep the job for the relay
            if nudged:
                release(task)  # what it asked for waits for the sweep
            else:
                failed = (job_id, f"{type(exc).__name__}: {exc}"[:500])
            job = "(a nudge)" if nudged else f"#{job_id}"
            log.warning("outbox: could not publish %s %s: %s", task, job, exc)
            break
        published += 1
        if not nudged:
            sent.append(job_id)
    if published:
        log.info("outbox: published %d job(s)", published)
    if sent or failed is not None:
        _mark(sent, failed)
    return published


def _mark(sent: list[int], failed: tuple[int, str] | None) -> None:
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
