"""Thin Celery tasks: take ids, call one service, safe to run twice."""

from xeco.tasks import followup, heartbeat, indexes, mail, matching, outbox  # noqa: F401
