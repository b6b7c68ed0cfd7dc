"""From rows to proposals: score with the engine, apply the constraints, upsert matches.

Writes are idempotent: one row per challenge-capability pair (a unique constraint), scores of
undecided rows are refreshed, a decided row (approved, rejected and onward) is never touched,
and a rejected pair comes back only when one of its texts changed since the rejection.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import numpy as np
import sqlalchemy as sa
from flask import current_app

from xeco.errors import TRANSIENT
from xeco.extensions import db
from xeco.models import (
    Capability,
    Challenge,
    ChallengeStatus,
    Match,
    MatchStatus,
    Programme,
)
from xeco.models.base import utcnow
from xeco.resources import CHALLENGES
from xeco.services import challenge_vectors, matching_index, outbox, proposals, scoring
from xeco.services.engine_inputs import capability_profile, programme_query
from xeco.services.proposals import Outcome
from xeco.services.sql import one_of

__all__ = [
    "Outcome",
    "ask_due",
    "mark_due",
    "match_capability",
    "match_challenge",
    "match_challenges",
    "match_due",
    "match_waiting",
]
log = logging.getLogger(__name__)


# A run's chunks check the indexes against the database at most this often: two aggregate
# queries over every profile, once per chunk, were a tenth of a chunk's time at 10,000.
RUN_INDEX_MAX_AGE = 5.0


def current_indexes(max_age: float = 0.0) -> tuple:
    """The capability and programme indexes, checked against the database once (or not at
    all when checked less than ``max_age`` seconds ago)."""
    return matching_index.get_many(("capabilities", "programmes"), max_age=max_age)


def match_challenge(challenge_id: int, indexes: tuple | None = None) -> Outcome:
    """Propose matches for one challenge (see :func:`match_challenges`)."""
    out = match_challenges([challenge_id], indexes)
    out.challenges = 1
    return out


def mark_due(challenge: Challenge) -> None:
    """``challenge`` changed and asks for matching (its task says ``due``): :func:`match_due`."""
    challenge.match_due_at = utcnow()


def ask_due(challenge_id: int, gather: bool = True) -> None:
    """Ask for :func:`match_due` once this transaction commits, unless such a task is queued.

    ``gather``: the task waits ``MATCHING_GATHER_SECONDS`` first, so the posts of that moment
    are matched in its batch; a batch that leaves challenges waiting asks without it."""
    countdown = current_app.config["MATCHING_GATHER_SECONDS"] if gather else None
    outbox.nudge(CHALLENGES.match_task, countdown=countdown, challenge_id=challenge_id, due=True)


def match_due(challenge_id: int) -> Outcome:
    """A posted or edited challenge's matching, with the others that wait for theirs.

    While posts come faster than the worker matches them, each task paid alone for a batch's
    reads and writes; a batch of 8 costs a third per challenge of a batch of one (bench). So
    the task takes up to ``MATCHING_SWEEP`` waiting challenges, its own first, then the
    oldest, and asks for one more task if more wait. Other changes found this task queued and
    sent none (:mod:`xeco.services.outbox`, nudges); a task that still comes for a
    challenge matched meanwhile finds it no longer waiting. A challenge waits until the
    batch that matched it as it was then has committed: a batch clears only the marks it
    read, so an edit that comes meanwhile is matched again.

    On PostgreSQL the rows another task's batch holds are left to it.
    """
    outbox.release(CHALLENGES.match_task)
    sweep = max(1, current_app.config["MATCHING_SWEEP"])
    ids = db.session.scalars(
        sa.select(Challenge.id)
        .where(Challenge.match_due_at.is_not(None))
        .order_by((Challenge.id == challenge_id).desc(), Challenge.match_due_at)
        .limit(sweep + 1)
        .with_for_update(skip_locked=True)
    ).all()
    if len(ids) > sweep:
        ask_due(ids[sweep], gather=False)
    # One challenge that fails must not hold up the others: match_chunk goes one by one then.
    out = match_chunk(ids[:sweep], current_indexes())[0] if ids else Outcome()
    out.already_matched = int(challenge_id not in ids[:sweep])
    return out


def match_waiting(older_than: float) -> Outcome:
    """Challenges that still wait ``older_than`` seconds after they asked: their message was
    lost, or their batch failed for good (beat, every minute)."""
    oldest = db.session.scalar(
        sa.select(Challenge.id)
        .where(Challenge.match_due_at < utcnow() - timedelta(seconds=older_than))
        .order_by(Challenge.match_due_at)
        .limit(1)
    )
    return match_due(oldest) if oldest is not None else Outcome()


def match_challenges(challenge_ids: list[int], indexes: tuple | None = None) -> Outcome:
    """Propose matches for many challenges at once: one ranking block, bulk reads and writes.

    ``indexes`` (from :func:`current_indexes`) lets a caller check the indexes' signature
    once for several batches.
    """
    chs = db.session.scalars(
        sa.select(Challenge).where(one_of(Challenge.id, challenge_ids)).order_by(Challenge.id)
    ).all()
    out = Outcome(challenges=len(chs))
    if not chs:
        return out
    stored = proposals.existing(c.id for c in chs)
    opened = [c for c in chs if c.status == ChallengeStatus.OPEN]
    gone = [
        row.id
        for c in chs
        if c.status != ChallengeStatus.OPEN
        for row in stored.get(c.id, {}).values()
        if row.status == MatchStatus.PROPOSED
    ]
    if opened:
        batch = scoring.Batch(opened, indexes or current_indexes())
        gone += batch.write(stored, out)
    out.withdrawn += proposals.withdraw(gone)
    _matched_as_read([(c.id, c.match_due_at) for c in chs if c.match_due_at is not None])
    proposals.expire_loaded()
    return out


def _matched_as_read(marks: list[tuple[int, object]]) -> None:
    """The challenges are matched as read: clear their marks unless changed since."""
    if not marks:
        return
    db.session.execute(
        sa.update(Challenge)
        .where(
            sa.or_(*(sa.and_(Challenge.id == i, Challenge.match_due_at == at) for i, at in marks))
        )
        # Bookkeeping, not a change of the challenge: its updated_at stays.
        .values(match_due_at=None, updated_at=Challenge.updated_at),
        execution_options={"synchronize_session": False},
    )


def _challenges_near(query: dict, limit: int, capability_id: int | None = None) -> list[int]:
    """Open challenges that a changed profile may now fit, best first.

    A capability is scored as its folded index row (the score a challenge will see) and only
    challenges it could enter the top ``k`` of are kept: fewer than ``k`` matches yet, or a
    ``k``-th best below its score. A programme is scored as a query in the same space.
    """
    index = matching_index.get("capabilities")
    if index.matcher is None:
        return db.session.scalars(
            sa.select(Challenge.id).where(Challenge.status == ChallengeStatus.OPEN).limit(limit)
        ).all()
    position = index.position(capability_id) if capability_id is not None else None
    if capability_id is not None and position is None:
        return []  # closed: only the challenges it was proposed for are re-matched
    ids, vectors = challenge_vectors.open_challenges(index.matcher)
    if position is not None:
        scores = index.matcher.profile_scores(vectors, position)
    else:
        scores = index.matcher.similarity(vectors, index.matcher.vectorize([query])).ravel()
    min_score = current_app.config["MATCHING_MIN_SCORE"]
    order = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] >= min_score]
    if position is None:
        return [int(ids[i]) for i in order[:limit]]
    k = current_app.config["MATCHING_TOP_K"]
    near = {int(ids[i]): float(scores[i]) for i in order[: limit * 20]}
    held = {
        cid: (n, low)
        for cid, n, low in db.session.execute(
            sa.select(Match.challenge_id, sa.func.count(), sa.func.min(Match.score))
            .where(Match.challenge_id.in_(list(near)))
            .group_by(Match.challenge_id)
        )
    }
    fits = [c for c, s in near.items() if c not in held or held[c][0] < k or s > held[c][1]]
    return fits[:limit]


def _rematch(proposed_via, item_id: int, query: dict, limit: int, capability: bool) -> Outcome:
    """Re-match the challenges a changed profile may now fit, and those it was proposed for.

    The latter are included so a closed or changed profile leaves no stale proposals.
    """
    previous = set(
        db.session.scalars(
            sa.select(Match.challenge_id).where(
                proposed_via == item_id, Match.status == MatchStatus.PROPOSED
            )
        )
    )
    near = _challenges_near(query, limit, item_id if capability else None)
    return match_challenges(sorted(previous | set(near)), current_indexes())


def match_capability(capability_id: int, limit: int = 200) -> Outcome:
    cap = db.session.get(Capability, capability_id)
    if cap is None:
        return Outcome()
    return _rematch(Match.capability_id, cap.id, capability_profile(cap), limit, True)


def match_programme(programme_id: int, limit: int = 200) -> Outcome:
    prog = db.session.get(Programme, programme_id)
    if prog is None:
        return Outcome()
    return _rematch(Match.programme_id, prog.id, programme_query(prog), limit, False)


def refresh_indexes(force: bool = False) -> None:
    matching_index.refresh(force=force)


def match_chunk(challenge_ids: list[int], indexes: tuple) -> tuple[Outcome, list[str]]:
    """A run's chunk in one batch; when the batch fails, challenge by challenge.

    One bad challenge must not sink the run: its error is returned and the others are
    written. Transient errors (database or broker away) propagate, so the task retries.
    """
    try:
        with db.session.begin_nested():
            return match_challenges(challenge_ids, indexes), []
    except TRANSIENT:
        raise
    except Exception:
        log.warning("batch of %d challenges failed; one by one", len(challenge_ids), exc_info=True)
    out, errors = Outcome(), []
    for challenge_id in challenge_ids:
        try:
            with db.session.begin_nested():
                out.add(match_challenge(challenge_id, indexes))
        except TRANSIENT:
            raise
        except Exception as exc:
            log.exception("challenge %s failed", challenge_id)
            errors.append(f"challenge {challenge_id}: {type(exc).__name__}: {exc}"[:300])
    return out, errors
