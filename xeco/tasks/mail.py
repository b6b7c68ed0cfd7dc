from __future__ import annotations

from celery import shared_task

from xeco.services import mail
from xeco.tasks.matching import RETRY, _timed


@shared_task(name="xeco.send_emails", **RETRY)
def send_emails() -> int:
    return _timed("send_emails", "", mail.send_pending)


@shared_task(name="xeco.daily_digest", **RETRY)
def daily_digest() -> int:
    return _timed("daily_digest", "", mail.daily_digest)
