"""Send background jobs only after the change that asked for them has committed.

``enqueue`` records a job in the task outbox inside the caller's transaction and has it
published once that transaction commits (``xeco.transaction``). A broker that cannot be
reached leaves the rows pending; ``relay_pending`` (run by Celery beat and at worker start)
sends them later. Tasks are idempotent, so a job published twice does no harm.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app

from xeco import transaction
from xeco.extensions import db
from xeco.models import TaskOutbox
from xeco.models.base import utcnow

log = logging.getLogger(__name__)


def enqueue(task: str, **kwargs) -> TaskOutbox:
    row = TaskOutbox(task=task, kwargs=kwargs)
    db.session.add(row)
    db.session.flush()
    transaction.collect("outbox", (row.id, task, kwargs), then=_publish)
    return row


def relay_pending(limit: int = 500) -> int:
    jobs = db.session.execute(
        sa.select(TaskOutbox.id, TaskOutbox.task, TaskOutbox.kwargs)
        .where(TaskOutbox.sent_at.is_(None))
        .order_by(TaskOutbox.id)
        .limit(limit)
    ).all()
    return _publish([tuple(job) for job in jobs]) if jobs else 0


def _publish(jobs: list[tuple[int, str, dict]]) -> int:
    """Send ``(id, task, kwargs)`` jobs in order, then mark those sent, and the error of the
    first that could not be (the rest wait for the relay), in one statement each.

    The jobs come from the caller's memory, not read back: reading each just-committed row
    again cost a post a query and its objects. A job the relay sent meanwhile may go twice:
    tasks are idempotent, and its first ``sent_at`` stays."""
    celery = current_app.extensions["celery"]
    sent: list[int] = []
    failed = None
    for job_id, task, kwargs in jobs:
        try:
            celery.send_task(task, kwargs=kwargs)
        except Exception as exc:  # broker down: keep the job for the relay
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
