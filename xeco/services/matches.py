"""Reading matches: the officers' review queue and what each party may see."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from xeco.errors import NotFound
from xeco.extensions import db
from xeco.models import Capability, Challenge, Match, Organisation, Programme, User
from xeco.models.base import utcnow
from xeco.models.match import VISIBLE_TO_PARTIES
from xeco.services import access
from xeco.services.challenges import challenges
from xeco.services.listing import Page, paginate


def visibility(user: User) -> sa.ColumnElement[bool]:
    if user.is_staff:
        return sa.true()
    return sa.and_(access.party_clause(user), Match.status.in_(VISIBLE_TO_PARTIES))


# What a match shows of the rows it links, read with it.
LOADED = (
    joinedload(Match.challenge).joinedload(Challenge.organisation),
    joinedload(Match.capability).joinedload(Capability.organisation),
    joinedload(Match.institute).joinedload(Capability.organisation),
    joinedload(Match.programme),
)


# The API's lists show the linked rows as references (schemas/matches.py's *RefSchema): their
# long texts and keyword lists were read, decoded and built into every page's objects for
# nothing. (The pages show both texts, and so read whole rows.)
_CHALLENGE_REF = (
    Challenge.id,
    Challenge.organisation_id,
    Challenge.author_id,
    Challenge.title,
    Challenge.sector,
    Challenge.visibility,
    Challenge.status,
    Challenge.created_at,
)
_CAPABILITY_REF = (
    Capability.id,
    Capability.organisation_id,
    Capability.owner_id,
    Capability.title,
    Capability.kind,
)
_ORGANISATION_REF = (Organisation.id, Organisation.name, Organisation.kind, Organisation.region)
LISTED = (
    joinedload(Match.challenge)
    .load_only(*_CHALLENGE_REF)
    .joinedload(Challenge.organisation)
    .load_only(*_ORGANISATION_REF),
    joinedload(Match.capability)
    .load_only(*_CAPABILITY_REF)
    .joinedload(Capability.organisation)
    .load_only(*_ORGANISATION_REF),
    joinedload(Match.institute)
    .load_only(*_CAPABILITY_REF)
    .joinedload(Capability.organisation)
    .load_only(*_ORGANISATION_REF),
    joinedload(Match.programme)
    .load_only(
        Programme.id,
        Programme.organisation_id,
        Programme.title,
        Programme.amount_max,
        Programme.deadline,
    )
    .joinedload(Programme.organisation)
    .load_only(*_ORGANISATION_REF),
)


def _loaded(stmt: sa.Select) -> sa.Select:
    return stmt.options(*LOADED)


def get(user: User, match_id: int) -> Match:
    match = db.session.scalar(
        _loaded(sa.select(Match).where(Match.id == match_id, visibility(user)))
    )
    if match is None:
        raise NotFound(f"No match with id {match_id}.")
    return match


def list_matches(user: User, args: dict, *, refs_only: bool = False) -> Page:
    stmt = sa.select(Match).where(visibility(user))
    if args.get("status") is not None:
        stmt = stmt.where(Match.status == args["status"])
    if args.get("challenge_id") is not None:
        stmt = stmt.where(Match.challenge_id == args["challenge_id"])
    if args.get("reviewer_id") is not None:
        stmt = stmt.where(Match.challenge.has(Challenge.reviewer_id == args["reviewer_id"]))
    if args.get("min_score") is not None:
        stmt = stmt.where(Match.score >= args["min_score"])
    if args.get("max_score") is not None:
        stmt = stmt.where(Match.score <= args["max_score"])
    if args.get("sector"):
        stmt = stmt.where(Match.challenge.has(Challenge.sector == args["sector"]))
    if args.get("organisation_id") is not None:
        org = args["organisation_id"]
        cap = aliased(Capability)
        stmt = stmt.where(
            sa.or_(
                Match.challenge.has(Challenge.organisation_id == org),
                Match.capability_id.in_(sa.select(cap.id).where(cap.organisation_id == org)),
            )
        )
    if args.get("older_than_days") is not None:
        stmt = stmt.where(Match.created_at <= utcnow() - timedelta(days=args["older_than_days"]))
    order = (Match.score.desc(), Match.id)
    return paginate(
        stmt, args["page"], args["per_page"], order=order, load=LISTED if refs_only else LOADED
    )


def for_challenge(user: User, challenge_id: int, args: dict, *, refs_only: bool = False) -> Page:
    challenges.get(user, challenge_id)  # 404 unless the challenge is visible
    return list_matches(user, dict(args, challenge_id=challenge_id), refs_only=refs_only)
