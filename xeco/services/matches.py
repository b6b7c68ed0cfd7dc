"""Reading matches: the officers' review queue and what each party may see."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from xeco.errors import NotFound
from xeco.extensions import db
from xeco.models import (
    Capability,
    Challenge,
    Match,
    MatchStatus,
    MatchStatusCount,
    Organisation,
    Programme,
    User,
)
from xeco.models.base import utcnow
from xeco.models.match import VISIBLE_TO_PARTIES
from xeco.services import access
from xeco.services.challenges import challenges
from xeco.services.listing import Page, paginate
from xeco.services.sql import on_postgresql


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
    joinedload(Match.provider_request),
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
    joinedload(Match.provider_request),
)


def get(user: User, match_id: int, *, refs_only: bool = False) -> Match:
    """``refs_only``: the linked rows as the API shows them (references), as in the lists."""
    match = db.session.scalar(
        sa.select(Match)
        .where(Match.id == match_id, visibility(user))
        .options(*(LISTED if refs_only else LOADED))
    )
    if match is None:
        raise NotFound(f"No match with id {match_id}.")
    return match


def _filters(args: dict) -> list[sa.ColumnElement[bool]]:
    found = []
    if args.get("status") is not None:
        found.append(Match.status == args["status"])
    if args.get("challenge_id") is not None:
        found.append(Match.challenge_id == args["challenge_id"])
    if args.get("reviewer_id") is not None:
        found.append(Match.challenge.has(Challenge.reviewer_id == args["reviewer_id"]))
    if args.get("min_score") is not None:
        found.append(Match.score >= args["min_score"])
    if args.get("max_score") is not None:
        found.append(Match.score <= args["max_score"])
    if args.get("sector"):
        found.append(Match.challenge.has(Challenge.sector == args["sector"]))
    if args.get("organisation_id") is not None:
        org = args["organisation_id"]
        cap = aliased(Capability)
        found.append(
            sa.or_(
                Match.challenge.has(Challenge.organisation_id == org),
                Match.capability_id.in_(sa.select(cap.id).where(cap.organisation_id == org)),
            )
        )
    if args.get("older_than_days") is not None:
        found.append(Match.created_at <= utcnow() - timedelta(days=args["older_than_days"]))
    return found


def status_count(status: MatchStatus) -> int:
    """How many matches hold ``status``: a sum over the few rows the triggers on ``matches``
    keep (migration 0016), not a count of every match."""
    column = getattr(MatchStatusCount, MatchStatus(status).value)
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(column), 0))))


def compact_status_counts() -> int:
    """Fold the rows of changes into one (PostgreSQL; SQLite keeps one row). Returns how many
    rows were folded. Concurrent changes add rows this statement does not see, so none is
    lost; a second compaction at the same time waits and then finds the rows gone."""
    if not on_postgresql():
        return 0
    table = MatchStatusCount.__table__
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    if rows <= 1:
        return rows
    names = [s.value for s in MatchStatus]
    gone = sa.delete(table).returning(*(table.c[n] for n in names)).cte("gone")
    sums = sa.select(*(sa.func.coalesce(sa.func.sum(gone.c[n]), 0) for n in names))
    db.session.execute(sa.insert(table).from_select(names, sums))
    return rows


def list_matches(user: User, args: dict, *, refs_only: bool = False) -> Page:
    filters = _filters(args)
    stmt = sa.select(Match).where(visibility(user), *filters)
    count = None
    if user.is_staff and args.get("status") is not None and len(filters) == 1:
        # The review queue as officers open it: all matches of one status.
        count = partial(status_count, args["status"])
    order = (Match.score.desc(), Match.id)
    load = LISTED if refs_only else LOADED
    return paginate(stmt, args["page"], args["per_page"], order=order, load=load, count=count)


def for_challenge(user: User, challenge_id: int, args: dict, *, refs_only: bool = False) -> Page:
    challenges.get(user, challenge_id)  # 404 unless the challenge is visible
    return list_matches(user, dict(args, challenge_id=challenge_id), refs_only=refs_only)
