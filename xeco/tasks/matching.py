"""Matching tasks. Each takes ids, re-reads rows and calls the matching service.

All are idempotent (upserts keyed by challenge and capability that never touch a decided
match), so ``acks_late`` redelivery and retries are safe. Only transient errors, those of
the database or the broker, are retried, with exponential backoff.
"""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from xeco.resources import CAPABILITIES, CHALLENGES, PROGRAMMES
from xeco.services import matching, runs
from xeco.tasks.base import RETRY, TRANSIENT, logged

log = logging.getLogger(__name__)


@shared_task(name=CHALLENGES.match_task, bind=True, **RETRY)
def match_challenge(self, challenge_id: int) -> dict:
    return logged(
        "match_challenge",
        f"challenge={challenge_id} task={self.request.id}",
        lambda: matching.match_challenge(challenge_id).as_dict(),
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


@shared_task(name="xeco.full_run", bind=True, **RETRY)
def full_run(self, run_id: int) -> int:
    def plan():
        matching.refresh_indexes(force=True)
        run = runs.plan(run_id, current_app.config["MATCHING_CHUNK_SIZE"])
        return run.total

    return logged("full_run", f"run={run_id} task={self.request.id}", plan)


@shared_task(name="xeco.run_chunk", bind=True, **RETRY)
def run_chunk(self, run_id: int, number: int) -> str:
    def work():
        ids = runs.chunk_to_do(run_id, number)
        if ids is None:
            return "already counted"
        proposals, errors = 0, []
        indexes = matching.current_indexes()
        for challenge_id in ids:
            try:
                done = matching.match_challenge(challenge_id, indexes)
                # Re-scored proposals count too: "0 proposals" while 17 wait misleads.
                proposals += done.proposed + done.refreshed
            except TRANSIENT:
                raise
            except Exception as exc:  # one bad challenge must not sink the run
                log.exception("run %s: challenge %s failed", run_id, challenge_id)
                errors.append(f"challenge {challenge_id}: {type(exc).__name__}: {exc}"[:300])
        runs.finish_chunk(run_id, number, proposals, errors)
        return f"{len(ids)} challenges, {proposals} proposals"

    return logged("run_chunk", f"run={run_id} chunk={number} task={self.request.id}", work)


@shared_task(name="xeco.scheduled_full_run", **RETRY)
def scheduled_full_run() -> int | str:
    def start():
        run, created = runs.start_full_run(actor=None, trigger="schedule")
        return run.id if created else f"run {run.id} in progress"

    return logged("scheduled_full_run", "", start)


@shared_task(name="xeco.resume_runs", **RETRY)
def resume_runs() -> int:
    return logged("resume_runs", "", runs.resume_stalled)
