"""The officers' workflow: decide, introduce, respond, notes, reassignment.

Statuses move only along the lifecycle in ``xeco.models.match.TRANSITIONS``; any other step
is a 409. Every action is audited; approvals notify both parties and queue e-mails.
"""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Conflict, Forbidden, Invalid, NotFound
from xeco.extensions import db
from xeco.matching import Matcher, pairing
from xeco.models import (
    Challenge,
    ChallengeStatus,
    Match,
    MatchNote,
    MatchStatus,
    Response,
    Role,
    User,
)
from xeco.models.base import utcnow
from xeco.services import access, audit, notices, notifications
from xeco.services import matches as reads
from xeco.services.engine_inputs import capability_profile, challenge_query

DECISIONS = {"approve": MatchStatus.APPROVED, "reject": MatchStatus.REJECTED}


def _move(match: Match, new: MatchStatus) -> None:
    if not match.can_move_to(new):
        raise Conflict(f"A {match.status.value} match cannot become {new.value}.")
    match.status = new


def _officer_match(actor: User, match_id: int) -> Match:
    if not actor.is_staff:
        raise Forbidden("Only officers decide on matches.")
    return reads.get(actor, match_id)


def company_users(match: Match) -> list[User]:
    return db.session.scalars(
        sa.select(User).where(
            User.organisation_id == match.challenge.organisation_id,
            User.role == Role.COMPANY,
            User.active.is_(True),
        )
    ).all()


def provider_users(match: Match) -> list[User]:
    owner = db.session.get(User, match.capability.owner_id)
    return [owner] if owner is not None and owner.active else []


def decide(
    actor: User, match_id: int, decision: str, reason: str | None = None, note: str | None = None
) -> Match:
    if decision not in DECISIONS:
        raise Invalid(errors={"json": {"decision": ["Must be one of: approve, reject."]}})
    if decision == "reject" and not (reason or "").strip():
        raise Invalid(errors={"json": {"reason": ["A reason is required to reject."]}})
    match = _officer_match(actor, match_id)
    before = audit.snapshot(match)
    _move(match, DECISIONS[decision])
    match.decided_by_id, match.decided_at = actor.id, utcnow()
    match.decision_reason, match.note_to_parties = reason, note
    if decision == "reject":
        # Remember the texts as they are now: the pair comes back only if one changes.
        match.fingerprint = pairing.pair_fingerprint(
            Matcher.fingerprint(challenge_query(match.challenge)),
            Matcher.fingerprint(capability_profile(match.capability)),
        )
    else:
        _introduce(match)
    db.session.flush()
    audit.record(actor, decision, match, before=before)
    return match


def _introduce(match: Match) -> None:
    _move(match, MatchStatus.INTRODUCED)
    match.introduced_at = utcnow()
    params = notices.match_params(match) | {"note": match.note_to_parties}
    for side, users in (("company", company_users(match)), ("provider", provider_users(match))):
        for user in users:
            notifications.notify(user, "introduced", params | {"side": side}, match.id)


def decide_many(
    actor: User, ids: list[int], decision: str, reason: str | None = None, note: str | None = None
) -> list[dict]:
    """Decide each match on its own: one refusal does not undo the others."""
    results = []
    for match_id in ids:
        try:
            with db.session.begin_nested():
                match = decide(actor, match_id, decision, reason, note)
            results.append({"id": match_id, "status": match.status.value})
        except (Conflict, Forbidden, Invalid, NotFound) as err:
            results.append({"id": match_id, "error": err.message, "code": err.code})
    return results


def respond(actor: User, match_id: int, response: str, note: str | None = None) -> Match:
    if response not in ("accept", "decline"):
        raise Invalid(errors={"json": {"response": ["Must be one of: accept, decline."]}})
    match = reads.get(actor, match_id)  # 404 unless visible to this user
    side = access.party_side(actor, match)
    if side is None:
        raise Forbidden("Only the two parties respond to an introduction.")
    if match.status != MatchStatus.INTRODUCED:
        raise Conflict(f"A {match.status.value} match takes no responses.")
    if getattr(match, f"{side}_response") is not None:
        raise Conflict("You have responded already.")
    before = audit.snapshot(match)
    setattr(match, f"{side}_response", Response(response))
    setattr(match, f"{side}_note", note)
    setattr(match, f"{side}_responded_at", utcnow())
    if response == "decline":
        _move(match, MatchStatus.DECLINED)
    elif match.company_response == Response.ACCEPT and match.provider_response == Response.ACCEPT:
        _move(match, MatchStatus.ACCEPTED)
        match.challenge.status = ChallengeStatus.MATCHED
    others = provider_users(match) if side == "company" else company_users(match)
    kind = "response_accepted" if response == "accept" else "response_declined"
    for user in others:
        params = notices.match_params(match) | {"note": note}
        notifications.notify(user, kind, params, match.id)
    db.session.flush()
    audit.record(actor, f"respond_{response}", match, before=before)
    return match


def add_note(actor: User, match_id: int, body: str) -> MatchNote:
    match = _officer_match(actor, match_id)
    note = MatchNote(match_id=match.id, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    audit.record(actor, "note", match, before=None, after={"note": body})
    return note


def notes(actor: User, match_id: int) -> list[MatchNote]:
    match = _officer_match(actor, match_id)
    return db.session.scalars(
        sa.select(MatchNote).where(MatchNote.match_id == match.id).order_by(MatchNote.id)
    ).all()


def assign_reviewer(actor: User, challenge_id: int, reviewer_id: int) -> Challenge:
    if not actor.is_staff:
        raise Forbidden("Only officers assign reviews.")
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound(f"No challenge with id {challenge_id}.")
    reviewer = db.session.get(User, reviewer_id)
    if reviewer is None or reviewer.role != Role.OFFICER or not reviewer.active:
        raise Invalid(errors={"json": {"reviewer_id": ["Must be an active officer."]}})
    before = audit.snapshot(challenge)
    challenge.reviewer_id = reviewer.id
    db.session.flush()
    audit.record(actor, "assign_reviewer", challenge, before=before)
    if reviewer.id != actor.id:
        params = {"challenge": challenge.title, "challenge_id": challenge.id, "actor": actor.name}
        notifications.notify(reviewer, "assigned", params, email=False)
    return challenge
