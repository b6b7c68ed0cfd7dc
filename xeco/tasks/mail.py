from __future__ import annotations

from celery import shared_task

from xeco.services import mail
from xeco.tasks.base import RETRY, logged


@shared_task(name="xeco.send_emails", **RETRY)
def send_emails() -> int:
    return logged("send_emails", "", mail.send_pending)


@shared_task(name="xeco.daily_digest", **RETRY)
def daily_digest() -> int:
    return logged("daily_digest", "", mail.daily_digest)
