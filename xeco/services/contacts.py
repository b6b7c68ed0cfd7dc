"""Who the other side is, handed over once both sides accepted the introduction, never before."""

from __future__ import annotations

from xeco.extensions import db
from xeco.models import Match, MatchStatus, User
from xeco.services import access


def _person(side: str, user: User | None, organisation) -> dict | None:
    if user is None or not user.active:
        return None
    person = {
        "side": side,
        "name": user.name,
        "organisation": organisation.name,
        "email": user.email,
    }
    if user.share_phone and user.phone:
        person["phone"] = user.phone
    return person


def of(viewer: User, match: Match) -> list[dict] | None:
    """The other party's contact (both parties' for officers), or None while not accepted."""
    if match.status != MatchStatus.ACCEPTED:
        return None
    side = access.party_side(viewer, match)
    if side is None and not viewer.is_staff:
        return None
    people = []
    if side != "company":
        author = db.session.get(User, match.challenge.author_id)
        people.append(_person("company", author, match.challenge.organisation))
    if side != "provider":
        owner = db.session.get(User, match.capability.owner_id)
        people.append(_person("provider", owner, match.capability.organisation))
    return [p for p in people if p is not None]
