from __future__ import annotations

from celery import shared_task

from xeco.services import outbox


@shared_task(name="xeco.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    return outbox.relay_pending()
