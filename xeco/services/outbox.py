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
    transaction.collect("outbox", row.id, then=_publish)
    return row


def relay_pending(limit: int = 500) -> int:
    ids = db.session.scalars(
        sa.select(TaskOutbox.id)
        .where(TaskOutbox.sent_at.is_(None))
        .order_by(TaskOutbox.id)
        .limit(limit)
    ).all()
    return _publish(list(ids)) if ids else 0


def _publish(ids: list[int]) -> int:
    celery = current_app.extensions["celery"]
    rows = db.session.scalars(
        sa.select(TaskOutbox).where(TaskOutbox.id.in_(ids), TaskOutbox.sent_at.is_(None))
    ).all()
    sent = 0
    for row in rows:
        row.attempts += 1
        try:
            celery.send_task(row.task, kwargs=row.kwargs)
        except Exception as exc:  # broker down: keep the job for the relay
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("outbox: could not publish %s #%s: %s", row.task, row.id, exc)
            break
        row.sent_at = utcnow()
        sent += 1
    db.session.commit()
    if sent:
        log.info("outbox: published %d job(s)", sent)
    return sent
