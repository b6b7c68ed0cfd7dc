"""A researcher or institute says "we can help" with a public challenge.

The offer becomes a proposal in the officers' review queue like any other, marked as
requested by the provider, with the engine's own score and terms for the pair beside it (the
engine's explanation, as for the proposals it makes). The engine never withdraws it.
"""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Conflict, Forbidden, Invalid, NotFound
from xeco.extensions import db
from xeco.models import (
    PROVIDER_ROLES,
    Capability,
    CapabilityStatus,
    ChallengeStatus,
    Match,
    MatchRequest,
    User,
    Visibility,
)
from xeco.services import audit, matching_index
from xeco.services.challenges import challenges
from xeco.services.engine_inputs import capability_profile, challenge_query
from xeco.services.organisations import check_may_post
from xeco.services.scoring import EXPLAIN_TERMS, stored_term


def offer(actor: User, challenge_id: int, note: str | None, capability_id: int | None = None):
    if actor.role not in PROVIDER_ROLES:
        raise Forbidden("Only researchers and institutes offer help.")
    challenge = challenges.get(actor, challenge_id)
    if challenge.visibility != Visibility.PUBLIC:
        raise NotFound(f"No challenge with id {challenge_id}.")
    check_may_post(actor)
    if challenge.status != ChallengeStatus.OPEN:
        raise Conflict("This challenge is no longer open.")
    mine = db.session.scalars(
        sa.select(Capability)
        .where(Capability.owner_id == actor.id, Capability.status == CapabilityStatus.ACTIVE)
        .order_by(Capability.id)
    ).all()
    if capability_id is not None:
        mine = [c for c in mine if c.id == capability_id]
        if not mine:
            raise Invalid(
                errors={"json": {"capability_id": ["Not one of your active capabilities."]}}
            )
    if not mine:
        raise Conflict("Register an active capability first: the offer is made with one.")
    taken = offered_for(challenge.id, [c.id for c in mine])
    free = [c for c in mine if c.id not in taken]
    if not free:
        raise Conflict("This challenge and your capability are paired already: no second offer.")
    capability, score, terms = _best(challenge, free)
    match = Match(
        challenge_id=challenge.id,
        capability_id=capability.id,
        score=score,
        explanation=[stored_term(*t) for t in terms],
    )
    try:
        with db.session.begin_nested():
            db.session.add(match)
            db.session.flush()
    except sa.exc.IntegrityError:  # the engine proposed the same pair at this moment
        raise Conflict("This challenge and your capability are paired already.") from None
    request = MatchRequest(match_id=match.id, requested_by_id=actor.id, note=note or None)
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "offer", match, after={"note": note, "capability_id": capability.id})
    return match


def _best(challenge, capabilities: list[Capability]) -> tuple[Capability, float, list]:
    """The capability of the offer that the engine scores highest, its score and terms."""
    index = matching_index.get("capabilities")
    query = challenge_query(challenge)
    if index.matcher is None:
        return capabilities[0], 0.0, []
    positions = [index.position(c.id) for c in capabilities]
    row = index.matcher.score([query]).toarray()[0]
    scores = [float(row[p]) if p is not None else 0.0 for p in positions]
    best = max(range(len(capabilities)), key=lambda i: scores[i])
    if positions[best] is None:
        return capabilities[best], 0.0, []
    cap = capabilities[best]
    terms = index.matcher.pairs_many(
        query, [positions[best]], [capability_profile(cap)], n=EXPLAIN_TERMS
    )[0]
    return cap, scores[best], terms


def requests_of(match_ids) -> dict[int, MatchRequest]:
    """The provider requests among these matches, by match id."""
    ids = list(match_ids)
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(MatchRequest).where(MatchRequest.match_id.in_(ids)))
    return {r.match_id: r for r in rows}


def offered_for(challenge_id: int, capability_ids: list[int]) -> set[int]:
    """Those of these capabilities already paired with the challenge (by anyone)."""
    if not capability_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Match.capability_id).where(
                Match.challenge_id == challenge_id, Match.capability_id.in_(capability_ids)
            )
        )
    )
