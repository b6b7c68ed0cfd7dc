from __future__ import annotations

from celery import shared_task

from xeco.services import outcomes
from xeco.tasks.base import RETRY, logged


@shared_task(name="xeco.remind_stalled", **RETRY)
def remind_stalled() -> int:
    """One reminder per introduction with no message and no outcome for two weeks (each
    match is marked when reminded, so a second run, or an overlapping one, sends nothing)."""
    return logged("remind_stalled", "", outcomes.remind_stalled)
