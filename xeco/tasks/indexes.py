"""The background refit of a matcher index whose folded changes drifted too far."""

from __future__ import annotations

from celery import shared_task

from xeco.services import matching_index
from xeco.tasks.base import RETRY, logged


@shared_task(name=matching_index.REFIT_TASK, bind=True, **RETRY)
def refit_index(self, name: str, base_id: int | None = None) -> str:
    return logged(
        "refit_index",
        f"index={name} base={base_id} task={self.request.id}",
        lambda: matching_index.refit(name, base_id),
    )
