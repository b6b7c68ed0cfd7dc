"""Matching tasks. Each takes ids, re-reads rows and calls the matching service.

All are idempotent (upserts keyed by challenge and capability that never touch a decided
match), so ``acks_late`` redelivery and retries are safe. Only transient errors, those of
the database or the broker, are retried, with exponential backoff.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import task_failure
from flask import current_app

from xeco import transaction
from xeco.resources import CAPABILITIES, CHALLENGES, PROGRAMMES
from xeco.services import matches, matching, runs
from xeco.tasks.base import RETRY, logged

log = logging.getLogger(__name__)


@shared_task(name=CHALLENGES.match_task, bind=True, **RETRY)
def match_challenge(self, challenge_id: int, due: bool = False) -> dict:
    """``due``: sent by a change that marked the challenge as waiting; it may then be matched
    with others, or found matched already (:func:`xeco.services.matching.match_due`)."""
    return logged(
        "match_challenge",
        f"challenge={challenge_id} task={self.request.id}",
        lambda: (matching.match_due if due else matching.match_challenge)(challenge_id).as_dict(),
    )


@shared_task(name=CAPABILITIES.match_task, bind=True, **RETRY)
def match_capability(self, capability_id: int) -> dict:
    return logged(
        "match_capability",
        f"capability={capability_id} task={self.request.id}",
        lambda: matching.match_capability(capability_id).as_dict(),
    )


@shared_task(name=PROGRAMMES.match_task, bind=True, **RETRY)
def match_programme(self, programme_id: int) -> dict:
    return logged(
        "match_programme",
        f"programme={programme_id} task={self.request.id}",
        lambda: matching.match_programme(programme_id).as_dict(),
    )


@shared_task(name="xeco.match_waiting", **RETRY)
def match_waiting(older_than: float = 60) -> dict:
    return logged(
        "match_waiting",
        f"older_than={older_than:g}s",
        lambda: matching.match_waiting(older_than).as_dict(),
    )


@shared_task(name="xeco.full_run", bind=True, **RETRY)
def full_run(self, run_id: int) -> int:
    def plan():
        matching.refresh_indexes()
        run = runs.plan(run_id, current_app.config["MATCHING_CHUNK_SIZE"])
        return run.total

    return logged("full_run", f"run={run_id} task={self.request.id}", plan)


@shared_task(name="xeco.run_chunk", bind=True, **RETRY)
def run_chunk(self, run_id: int, number: int) -> str:
    def work():
        ids = runs.claim_chunk(run_id, number)
        if ids is None:
            return "already counted"
        indexes = matching.current_indexes(max_age=matching.RUN_INDEX_MAX_AGE)
        out, errors = matching.match_chunk(ids, indexes)
        # Re-scored proposals count too: "0 proposals" while 17 wait misleads.
        made = out.proposed + out.refreshed
        runs.count_chunk(run_id, number, made, errors)
        return f"{len(ids)} challenges, {made} proposals"

    return logged("run_chunk", f"run={run_id} chunk={number} task={self.request.id}", work)


@task_failure.connect
def _fail_run(sender=None, exception=None, args=None, kwargs=None, **_kw):
    """A run's planning or chunk that failed for good (no retry left) fails its run.

    Otherwise the run would stay ``running`` for ever, its watchdog republishing a chunk
    that fails the same way each time.
    """
    if getattr(sender, "name", None) not in ("xeco.full_run", "xeco.run_chunk"):
        return
    given = dict(zip(("run_id", "number"), args or (), strict=False), **(kwargs or {}))
    if given.get("run_id") is None:
        return
    what = "planning" if sender.name == "xeco.full_run" else f"chunk {given.get('number')}"
    with sender.app.flask_app.app_context(), transaction.unit():
        runs.fail(given["run_id"], f"{what}: {type(exception).__name__}: {exception}")


@shared_task(name="xeco.scheduled_full_run", **RETRY)
def scheduled_full_run() -> int | str:
    def start():
        run, created = runs.start_full_run(actor=None, trigger="schedule")
        return run.id if created else f"run {run.id} in progress"

    return logged("scheduled_full_run", "", start)


@shared_task(name="xeco.resume_runs", **RETRY)
def resume_runs(after_seconds: float = 600) -> int:
    return logged(
        "resume_runs",
        f"after={after_seconds:g}s",
        lambda: runs.resume_stalled(timedelta(seconds=after_seconds)),
    )


@shared_task(name="xeco.compact_match_counts", ignore_result=True)
def compact_match_counts() -> int:
    """The matches per status as one row again (beat, every minute): the triggers add one
    row of changes per statement that changes a status."""
    return matches.compact_status_counts()
