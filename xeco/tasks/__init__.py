"""Thin Celery tasks: take ids, call one service, safe to run twice."""

from xeco.tasks import mail, matching, outbox, worker  # noqa: F401
