"""Who may read and change what. Not visible and absent are the same to callers: 404."""

from __future__ import annotations

import sqlalchemy as sa

from xeco import resources
from xeco.models import (
    PROVIDER_ROLES,
    Capability,
    Challenge,
    Match,
    Role,
    User,
    Visibility,
)
from xeco.models.match import VISIBLE_TO_PARTIES


def owns(user: User, obj) -> bool:
    """Members of the owning organisation with the owning role own the item."""
    return (
        user.role in resources.of(obj).owners
        and user.organisation_id is not None
        and user.organisation_id == obj.organisation_id
    )


def can_change(user: User, obj) -> bool:
    return user.role == Role.OFFICER or owns(user, obj)


# --- the two parties of a match --------------------------------------------------------
# One rule, used for what a match shows, who answers it and which restricted challenges open
# up: the company side is the challenge's company (its members own it together, as they do
# its restricted text); the provider side is the capability's owner alone, not colleagues of
# the same university, who never see the restricted challenge.


def party_side(user: User, match: Match) -> str | None:
    """``"company"`` or ``"provider"``: the side ``user`` speaks for; None if neither."""
    company = user.organisation_id is not None and user.role == Role.COMPANY
    if company and user.organisation_id == match.challenge.organisation_id:
        return "company"
    if user.role in PROVIDER_ROLES and match.capability.owner_id == user.id:
        return "provider"
    return None


def party_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL form of ``party_side(user, match) is not None``."""
    if user.role == Role.COMPANY and user.organisation_id is not None:
        return Match.challenge.has(Challenge.organisation_id == user.organisation_id)
    if user.role in PROVIDER_ROLES:
        return Match.capability.has(Capability.owner_id == user.id)
    return sa.false()


def matched_challenge_ids(user: User) -> sa.Select:
    """Challenges with a match approved (or later) in which this user is a party."""
    return sa.select(Match.challenge_id).where(
        party_clause(user), Match.status.in_(VISIBLE_TO_PARTIES)
    )


def challenge_visibility(user: User) -> sa.ColumnElement[bool]:
    if user.is_staff:
        return sa.true()
    clauses = [Challenge.visibility == Visibility.PUBLIC]
    if user.role == Role.COMPANY and user.organisation_id:
        clauses.append(Challenge.organisation_id == user.organisation_id)
    if user.role in PROVIDER_ROLES:
        clauses.append(Challenge.id.in_(matched_challenge_ids(user)))
    return sa.or_(*clauses)
