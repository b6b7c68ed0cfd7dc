"""Full matching runs: one at a time, split into chunks, progress kept in the database.

A chunk's row records that it finished, so a chunk delivered twice (a worker killed after
the work but before the ack) counts once. A run whose chunks stall is republished by the
watchdog that beat runs; chunk work is idempotent, so republishing is always safe.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from xeco.errors import NotFound
from xeco.extensions import db
from xeco.models import (
    ACTIVE_RUN_STATES,
    Challenge,
    ChallengeStatus,
    MatchingRun,
    RunChunk,
    RunState,
    User,
)
from xeco.models.base import utcnow
from xeco.services import audit, outbox

log = logging.getLogger(__name__)
MAX_ERRORS = 50


def active_run() -> MatchingRun | None:
    return db.session.scalar(sa.select(MatchingRun).where(MatchingRun.state.in_(ACTIVE_RUN_STATES)))


def start_full_run(actor: User | None, trigger: str = "manual") -> tuple[MatchingRun, bool]:
    """Start a run, or return the one in progress. Returns (run, created)."""
    running = active_run()
    if running is not None:
        return running, False
    run = MatchingRun(
        state=RunState.PENDING,
        trigger=trigger,
        requested_by_id=actor.id if actor else None,
        active_lock=1,  # unique: a second concurrent start fails on the index
    )
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except sa.exc.IntegrityError:
        return active_run(), False
    audit.record(actor, "start", run)
    outbox.enqueue("xeco.full_run", run_id=run.id)
    return run, True


def get(run_id: int) -> MatchingRun:
    run = db.session.get(MatchingRun, run_id)
    if run is None:
        raise NotFound(f"No matching run with id {run_id}.")
    return run


def list_runs(page: int, per_page: int):
    from xeco.services.listing import paginate

    return paginate(sa.select(MatchingRun).order_by(MatchingRun.id.desc()), page, per_page)


def plan(run_id: int, chunk_size: int) -> MatchingRun:
    """Split the run into chunks of open challenges (once) and queue the unfinished ones."""
    run = get(run_id)
    # Two deliveries of the planning task (a worker killed after planning, a resume) plan
    # one after the other: the second finds the chunks and only queues them again.
    db.session.refresh(run, with_for_update=True)
    if run.state not in ACTIVE_RUN_STATES:
        return run
    existing = db.session.scalar(
        sa.select(sa.func.count()).select_from(RunChunk).where(RunChunk.run_id == run.id)
    )
    if not existing:
        ids = db.session.scalars(
            sa.select(Challenge.id)
            .where(Challenge.status == ChallengeStatus.OPEN)
            .order_by(Challenge.id)
        ).all()
        for number, start in enumerate(range(0, len(ids), chunk_size)):
            part = list(ids[start : start + chunk_size])
            db.session.add(
                RunChunk(run_id=run.id, number=number, size=len(part), challenge_ids=part)
            )
        run.total = len(ids)
        run.state = RunState.RUNNING
        run.started_at = utcnow()
        if not ids:
            _finish(run)
    db.session.flush()
    publish_unfinished(run)
    log.info("run %s: %d challenges in chunks of %d", run.id, run.total, chunk_size)
    return run


def publish_unfinished(run: MatchingRun, older_than: timedelta | None = None) -> int:
    stmt = sa.select(RunChunk).where(RunChunk.run_id == run.id, RunChunk.finished_at.is_(None))
    if older_than is not None:
        stmt = stmt.where(
            sa.or_(RunChunk.published_at.is_(None), RunChunk.published_at < utcnow() - older_than)
        )
    chunks = db.session.scalars(stmt).all()
    for chunk in chunks:
        chunk.published_at = utcnow()
        outbox.enqueue("xeco.run_chunk", run_id=run.id, number=chunk.number)
    return len(chunks)


def claim_chunk(run_id: int, number: int) -> list[int] | None:
    """Mark a chunk finished and return its challenge ids; None when there is nothing to do.

    The mark and the chunk's proposals commit together, so a worker killed in between
    leaves the chunk unfinished for the next delivery. The conditional UPDATE also holds
    the chunk's row: a second delivery running at once waits for the first to commit and
    then finds the chunk done (on SQLite and PostgreSQL alike). A run that ended (failed)
    has nothing left to do.
    """
    active = (
        db.session.scalar(sa.select(MatchingRun.state).where(MatchingRun.id == run_id))
        in ACTIVE_RUN_STATES
    )
    if not active:
        return None
    claimed = db.session.execute(
        sa.update(RunChunk)
        .where(RunChunk.run_id == run_id, RunChunk.number == number, RunChunk.finished_at.is_(None))
        .values(finished_at=utcnow())
    ).rowcount
    if claimed != 1:
        return None
    ids = db.session.scalar(
        sa.select(RunChunk.challenge_ids).where(
            RunChunk.run_id == run_id, RunChunk.number == number
        )
    )
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise CorruptChunk(f"chunk {number} of run {run_id} holds no list of challenge ids")
    return ids


class CorruptChunk(ValueError):
    """A chunk row that no delivery can do: its run fails."""


def count_chunk(run_id: int, number: int, proposals: int, errors: list[str]) -> MatchingRun:
    """Add a claimed chunk's figures to its run, and finish the run after its last chunk."""
    db.session.execute(
        sa.update(RunChunk)
        .where(RunChunk.run_id == run_id, RunChunk.number == number)
        .values(proposals=proposals)
    )
    size = db.session.scalar(
        sa.select(RunChunk.size).where(RunChunk.run_id == run_id, RunChunk.number == number)
    )
    db.session.execute(
        sa.update(MatchingRun)
        .where(MatchingRun.id == run_id)
        .values(done=MatchingRun.done + size, proposals=MatchingRun.proposals + proposals)
    )
    run = db.session.get(MatchingRun, run_id)
    db.session.refresh(run)
    if errors:
        run.errors = (list(run.errors) + errors)[:MAX_ERRORS]
    if run.done >= run.total and run.state in ACTIVE_RUN_STATES:
        _finish(run)
    return run


def fail(run_id: int, error: str) -> bool:
    """End an active run as failed with ``error`` (a chunk or its planning failed for good)."""
    run = db.session.get(MatchingRun, run_id, with_for_update=True)
    if run is None or run.state not in ACTIVE_RUN_STATES:
        return False
    run.errors = [*list(run.errors)[: MAX_ERRORS - 1], error[:300]]
    run.state = RunState.FAILED
    run.finished_at = utcnow()
    run.active_lock = None
    log.error("run %s failed: %s", run_id, error)
    return True


def _finish(run: MatchingRun) -> None:
    run.state = RunState.FAILED if run.errors and run.proposals == 0 else RunState.SUCCEEDED
    run.finished_at = utcnow()
    run.active_lock = None
    log.info(
        "run %s %s: %d/%d challenges, %d proposals, %d errors",
        run.id,
        run.state.value,
        run.done,
        run.total,
        run.proposals,
        len(run.errors),
    )


def resume_stalled(after: timedelta = timedelta(minutes=10)) -> int:
    """Queue again what active runs have waited for too long (the watchdog).

    Chunks published longer than ``after`` ago, and the planning of a run still pending. A
    starting worker calls it with no wait, since a worker killed before it restarted may
    have held any of them; what is still queued just arrives twice and counts once.
    """
    count = 0
    for run in db.session.scalars(
        sa.select(MatchingRun).where(MatchingRun.state.in_(ACTIVE_RUN_STATES))
    ):
        if run.state == RunState.PENDING:
            if run.updated_at < utcnow() - after:
                outbox.enqueue("xeco.full_run", run_id=run.id)
                count += 1
            continue
        count += publish_unfinished(run, older_than=after)
    return count
