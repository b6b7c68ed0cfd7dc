"""From rows to proposals: score with the engine, apply the constraints, upsert matches.

Writes are idempotent: one row per challenge-capability pair (a unique constraint), scores of
undecided rows are refreshed, a decided row (approved, rejected and onward) is never touched,
and a rejected pair comes back only when one of its texts changed since the rejection.
"""

from __future__ import annotations

import logging

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
from xeco.services import matching_index, proposals, scoring
from xeco.services.engine_inputs import capability_profile, challenge_query, programme_query
from xeco.services.proposals import Outcome
from xeco.services.sql import one_of

__all__ = ["Outcome", "match_capability", "match_challenge", "match_challenges"]
log = logging.getLogger(__name__)


def current_indexes() -> tuple:
    """The capability and programme indexes, checked against the database once."""
    return matching_index.get("capabilities"), matching_index.get("programmes")


def match_challenge(challenge_id: int, indexes: tuple | None = None) -> Outcome:
    """Propose matches for one challenge (see :func:`match_challenges`)."""
    out = match_challenges([challenge_id], indexes)
    out.challenges = 1
    return out


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
    proposals.expire_loaded()
    return out


def _challenges_near(query: dict, limit: int) -> list[int]:
    """Open challenges that a changed profile may now fit, best first."""
    rows = db.session.scalars(
        sa.select(Challenge).where(Challenge.status == ChallengeStatus.OPEN)
    ).all()
    if not rows:
        return []
    index = matching_index.get("capabilities")
    if index.matcher is None:
        return [c.id for c in rows[:limit]]
    # Challenges as queries, the changed profile as one column: same cosine, one product.
    Q = index.matcher.vectorize([challenge_query(c) for c in rows])
    P = index.matcher.vectorize([query])
    scores = np.asarray((Q @ P.T).toarray()).ravel()
    min_score = current_app.config["MATCHING_MIN_SCORE"]
    order = np.argsort(-scores)[:limit]
    return [rows[i].id for i in order if scores[i] >= min_score]


def _rematch(proposed_via, item_id: int, query: dict, limit: int) -> Outcome:
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
    return match_challenges(sorted(previous | set(_challenges_near(query, limit))))


def match_capability(capability_id: int, limit: int = 200) -> Outcome:
    cap = db.session.get(Capability, capability_id)
    if cap is None:
        return Outcome()
    return _rematch(Match.capability_id, cap.id, capability_profile(cap), limit)


def match_programme(programme_id: int, limit: int = 200) -> Outcome:
    prog = db.session.get(Programme, programme_id)
    if prog is None:
        return Outcome()
    return _rematch(Match.programme_id, prog.id, programme_query(prog), limit)


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
