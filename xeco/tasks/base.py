"""What the tasks share: which errors are retried, and the log line each run leaves.

The commit is not here: the task class (``xeco.celery_app``) runs every task in one unit of
work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from xeco.errors import TRANSIENT

log = logging.getLogger("xeco.tasks")
T = TypeVar("T")
RETRY = dict(
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)


def logged(name: str, item: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` and log name, item, result and duration: what operators follow."""
    start = time.perf_counter()
    result = fn()
    log.info("%s %s: %s in %.0f ms", name, item, result, (time.perf_counter() - start) * 1000)
    return result
