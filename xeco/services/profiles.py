"""What others may read about an organisation or a person: what they offer, their
publications, their public challenges and programmes. Restricted and closed items stay out."""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import NotFound
from xeco.extensions import db
from xeco.models import (
    Capability,
    CapabilityStatus,
    Challenge,
    ChallengeStatus,
    Membership,
    Programme,
    ProgrammeStatus,
    User,
    Visibility,
)
from xeco.services.organisations import get as get_organisation

LIMIT = 50


def _items(column_filter) -> dict:
    def fetch(model, *where):
        stmt = sa.select(model).where(column_filter(model), *where)
        return list(db.session.scalars(stmt.order_by(model.id.desc()).limit(LIMIT)))

    return {
        "capabilities": fetch(Capability, Capability.status == CapabilityStatus.ACTIVE),
        "challenges": fetch(
            Challenge,
            Challenge.visibility == Visibility.PUBLIC,
            Challenge.status != ChallengeStatus.CLOSED,
        ),
        "programmes": fetch(Programme, Programme.status == ProgrammeStatus.OPEN),
    }


def organisation(org_id: int) -> dict:
    org = get_organisation(org_id)
    members = db.session.scalars(
        sa.select(User)
        .where(
            User.organisation_id == org.id,
            User.membership == Membership.ACTIVE,
            User.active.is_(True),
        )
        .order_by(User.name)
        .limit(200)
    ).all()
    return {"org": org, "members": members, **_items(lambda m: m.organisation_id == org.id)}


def person(user_id: int) -> dict:
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.is_staff:
        raise NotFound(f"No profile with id {user_id}.")
    owner = {Challenge: Challenge.author_id}

    def mine(model):
        return owner.get(model, getattr(model, "owner_id", None)) == user.id

    return {"person": user, **_items(mine)}
