"""Users and organisations: registration, staff accounts, sign-in."""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Conflict, Invalid
from xeco.extensions import db
from xeco.models import Organisation, OrgKind, Role, User
from xeco.models.base import utcnow
from xeco.services import audit

# The organisation kind each self-registering role belongs to.
ORG_KIND_FOR_ROLE = {
    Role.COMPANY: OrgKind.COMPANY,
    Role.RESEARCHER: OrgKind.UNIVERSITY,
    Role.INSTITUTE: OrgKind.INSTITUTE,
    Role.AGENCY: OrgKind.AGENCY,
}
MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_or_create_organisation(name: str, kind: OrgKind, **fields) -> Organisation:
    name = " ".join(name.split())
    org = db.session.scalar(
        sa.select(Organisation).where(
            sa.func.lower(Organisation.name) == name.lower(), Organisation.kind == kind
        )
    )
    if org is None:
        org = Organisation(name=name, kind=kind, **{k: v for k, v in fields.items() if v})
        db.session.add(org)
        db.session.flush()
    return org


def create_user(
    email: str,
    password: str,
    role: Role | str,
    name: str | None = None,
    organisation: Organisation | None = None,
    actor: User | None = None,
    locale: str = "en",
) -> User:
    role = Role(role)
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        raise Invalid(errors={"json": {"password": [f"At least {MIN_PASSWORD} characters."]}})
    if role in ORG_KIND_FOR_ROLE and organisation is None:
        raise Invalid(errors={"json": {"organisation": ["Required for this role."]}})
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict("A user with this e-mail address exists already.")
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        organisation=organisation,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor or user, "create", user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user
