"""Users and organisations: registration, staff accounts, sign-in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from xeco.errors import Conflict, Invalid
from xeco.extensions import db
from xeco.models import Organisation, OrgKind, RevokedToken, Role, User
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
MAX_USER_ID = 2**31 - 1


def normalise_email(email: str) -> str:
    return email.strip().lower()


def existing_organisation(name: str, kind: OrgKind) -> Organisation | None:
    name = " ".join(name.split())
    return db.session.scalar(
        sa.select(Organisation).where(
            sa.func.lower(Organisation.name) == name.lower(), Organisation.kind == kind
        )
    )


def find_or_create_organisation(name: str, kind: OrgKind, **fields) -> Organisation:
    name = " ".join(name.split())
    org = existing_organisation(name, kind)
    if org is None:
        org = Organisation(name=name, kind=kind, **{k: v for k, v in fields.items() if v})
        db.session.add(org)
        db.session.flush()
    return org


class OrganisationTaken(Conflict):
    message = "This organisation is registered already; ask an administrator to add you."


def register(data: dict) -> User:
    """Self-registration: a new user with a new organisation of the kind the role needs.

    Joining an existing organisation goes through an administrator, so nobody can claim
    another's organisation by its name.
    """
    role = Role(data["role"])
    kind = ORG_KIND_FOR_ROLE[role]
    if existing_organisation(data["organisation"]["name"], kind) is not None:
        raise OrganisationTaken()
    organisation = find_or_create_organisation(kind=kind, **data["organisation"])
    return create_user(
        data["email"],
        data["password"],
        role,
        name=data["name"],
        organisation=organisation,
        locale=data["locale"],
    )


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


def active_user(user_id) -> User | None:
    """The active user with this id from a token or session; None for anything else.

    Ids are checked before the database sees them: a 40-digit number overflows its integer.
    """
    if not isinstance(user_id, str) or not user_id.isascii() or not user_id.isdigit():
        return None
    if len(user_id) > 10 or not 0 < int(user_id) <= MAX_USER_ID:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie and API token carries the old
    version and stops working."""
    user.session_version += 1
    db.session.flush()


def revoke_token(jti: str, expires_at: datetime) -> None:
    """Withdraw one API token; rows of tokens that have expired anyway are dropped."""
    db.session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    if db.session.get(RevokedToken, jti) is None:
        db.session.add(RevokedToken(jti=jti, expires_at=expires_at))
    db.session.flush()


def token_revoked(claims: dict) -> bool:
    """A withdrawn token, or one from before the user last signed out everywhere."""
    user = active_user(claims.get("sub"))
    if user is None or claims.get("ver", 0) != user.session_version:
        return True
    return db.session.get(RevokedToken, str(claims.get("jti"))) is not None


def list_users(page: int, per_page: int):
    from xeco.services.listing import paginate

    return paginate(sa.select(User).order_by(User.id), page, per_page)


def create_by_admin(actor: User, data: dict) -> User:
    from xeco.errors import NotFound

    role = Role(data["role"])
    org = None
    if data.get("organisation_id") is not None:
        org = db.session.get(Organisation, data["organisation_id"])
        if org is None:
            raise NotFound(f"No organisation with id {data['organisation_id']}.")
        expected = ORG_KIND_FOR_ROLE.get(role)
        if expected is not None and org.kind != expected:
            raise Invalid(
                errors={
                    "json": {
                        "organisation_id": [
                            f"A {role.value} belongs to a {expected.value}, not a {org.kind.value}."
                        ]
                    }
                }
            )
    return create_user(
        data["email"],
        data["password"],
        role,
        name=data["name"],
        organisation=org,
        actor=actor,
        locale=data["locale"],
    )


def update_by_admin(actor: User, user_id: int, data: dict) -> User:
    from xeco.errors import NotFound

    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    if user.id == actor.id and data.get("active") is False:
        raise Conflict("You cannot deactivate yourself.")
    before = audit.snapshot(user)
    for key, value in data.items():
        setattr(user, key, value)
    db.session.flush()
    audit.record(actor, "update", user, before=before)
    return user
