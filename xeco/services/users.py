"""Users and organisations: registration, staff accounts, sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from xeco.errors import Conflict, Invalid
from xeco.extensions import db
from xeco.models import Membership, Organisation, OrgKind, RevokedToken, Role, User
from xeco.models.base import utcnow
from xeco.models.names import canonical, fold
from xeco.models.user import check_decoy, hash_password
from xeco.services import audit
from xeco.services.notifications import queue_email

# The organisation kind each self-registering role belongs to.
ORG_KIND_FOR_ROLE = {
    Role.COMPANY: OrgKind.COMPANY,
    Role.RESEARCHER: OrgKind.UNIVERSITY,
    Role.INSTITUTE: OrgKind.INSTITUTE,
    Role.AGENCY: OrgKind.AGENCY,
}
MIN_PASSWORD = 8
MIN_PASSWORD_SCORE = 2  # zxcvbn's 0-4: 2 resists online guessing under rate limits
MAX_USER_ID = 2**31 - 1


def normalise_email(email: str) -> str:
    return fold(email)


def check_password_rule(password: str, *known: str | None) -> None:
    """At least ``MIN_PASSWORD`` characters and not easy to guess (zxcvbn, with the user's
    own e-mail, name and organisation counted as guessable)."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(errors={"json": {"password": [f"At least {MIN_PASSWORD} characters."]}})
    # zxcvbn refuses more than 72 characters; the first 72 decide.
    verdict = zxcvbn(password[:72], user_inputs=[k for k in known if k])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        hint = verdict["feedback"]["warning"] or "It is a common or predictable password."
        message = f"Too easy to guess: {hint.rstrip('.')}. Add words or characters."
        raise Invalid(errors={"json": {"password": [message]}})


def existing_organisation(name: str, kind: OrgKind) -> Organisation | None:
    return db.session.scalar(
        sa.select(Organisation).where(
            Organisation.name_key == fold(name), Organisation.kind == kind
        )
    )


def find_or_create_organisation(name: str, kind: OrgKind, **fields) -> Organisation:
    name = canonical(name)
    org = existing_organisation(name, kind)
    if org is None:
        org = Organisation(name=name, kind=kind, **{k: v for k, v in fields.items() if v})
        db.session.add(org)
        db.session.flush()
    return org


@dataclass(frozen=True)
class Registration:
    """The answer to a registration, the same whether or not the address was new.

    ``user`` is for the server's own use (an invited user is signed in at once) and is None
    when the address had an account already; nothing shown to the registrant may depend on it.
    """

    email: str
    role: Role
    organisation_name: str
    membership: Membership
    user: User | None


def register(data: dict) -> Registration:
    """Self-registration: a new organisation, or a request to join one that exists.

    Joining waits for the organisation's administrators (``pending``) unless the address is
    on one of its e-mail domains or an invitation for it came with the request, so nobody
    takes over another's organisation by its name.

    A registration for an address that has an account is answered exactly as a new one
    (the owner is told by e-mail instead), and a new self-registered account signs in only
    after its address is confirmed: neither the answer, its timing nor a sign-in attempt
    afterwards tells whether an address is known. The password is hashed before anything
    is looked up, so both paths do the same work.
    """
    from xeco.services import account, organisations

    role = Role(data["role"])
    kind = ORG_KIND_FOR_ROLE[role]
    email = normalise_email(data["email"])
    check_password_rule(data["password"], email, data["name"], data["organisation"]["name"])
    password_hash = hash_password(data["password"])
    invited = None
    if data.get("invitation"):
        invited = account.read_invitation(data["invitation"], email)
        if invited.kind != kind:
            raise Invalid(errors={"json": {"role": [f"{invited.name} is a {invited.kind.value}."]}})
    organisation = invited or existing_organisation(data["organisation"]["name"], kind)
    membership = Membership.ACTIVE
    if organisation is not None:
        membership = account.member_state(organisation, email, invited is not None)
    holder = db.session.scalar(sa.select(User).where(User.email == email))
    if holder is not None:
        _tell_owner_of_attempt(holder)
        name = organisation.name if organisation else canonical(data["organisation"]["name"])
        return Registration(email, role, name, membership, user=None)
    if organisation is None:
        organisation = find_or_create_organisation(kind=kind, **data["organisation"])
    user = create_user(
        email,
        data["password"],
        role,
        name=data["name"],
        organisation=organisation,
        locale=data["locale"],
        password_hash=password_hash,
        membership=membership,
        email_verified=invited is not None,
    )
    if membership == Membership.PENDING:
        organisations.join(user)
    if not user.email_verified:
        account.send_verification(user)
    return Registration(email, role, organisation.name, membership, user=user)


def _tell_owner_of_attempt(holder: User) -> None:
    with force_locale(holder.locale or "en"):
        queue_email(
            holder.email,
            _("xeco: someone tried to register with your address"),
            _(
                "Someone tried to open a new xeco account with this e-mail address. If it "
                "was you, sign in instead; if not, you need do nothing."
            ),
        )


def create_user(
    email: str,
    password: str,
    role: Role | str,
    name: str | None = None,
    organisation: Organisation | None = None,
    actor: User | None = None,
    locale: str = "en",
    password_hash: str | None = None,
    membership: Membership = Membership.ACTIVE,
    email_verified: bool = True,
) -> User:
    """A user; by default active and with a verified address (staff vouch for whom they
    add). The first member of an organisation becomes its administrator."""
    role = Role(role)
    email = normalise_email(email)
    org_name = organisation.name if organisation is not None else None
    if password_hash is None:
        check_password_rule(password, email, name, org_name)
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
        membership=membership,
        org_admin=organisation is not None and not organisation.users,
        email_verified_at=utcnow() if email_verified else None,
    )
    user.password_hash = password_hash or hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor or user, "create", user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        check_decoy(password)
        return None
    if not user.check_password(password) or user.awaiting_confirmation:
        return None
    record_sign_in(user)
    return user


def record_sign_in(user: User) -> None:
    user.last_login_at = utcnow()


def active_user_id(user_id) -> int | None:
    """A token's or session's user id as a number, if it can be one.

    Ids are checked before the database sees them: a 40-digit number overflows its integer.
    """
    if not isinstance(user_id, str) or not user_id.isascii() or not user_id.isdigit():
        return None
    if len(user_id) > 10 or not 0 < int(user_id) <= MAX_USER_ID:
        return None
    return int(user_id)


def active_user(user_id) -> User | None:
    """The active user with this id from a token or session; None for anything else."""
    if active_user_id(user_id) is None:
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


def token_user(claims: dict) -> User | None:
    """The active user a token speaks for; None when it was withdrawn, or is from before the
    user last signed out everywhere. Every API request asks: kept by each process while
    nothing changed (:mod:`xeco.services.token_cache`), else one query."""
    from xeco.services import token_cache

    user_id = active_user_id(claims.get("sub"))
    if user_id is None:
        return None
    jti = str(claims.get("jti"))
    user = token_cache.user_for_token(user_id, jti, lambda: _read_token_user(user_id, jti))
    if user is None or claims.get("ver", 0) != user.session_version:
        return None
    return user


def _read_token_user(user_id: int, jti: str) -> User | None:
    row = db.session.execute(_token_user_statement(), {"user_id": user_id, "jti": jti}).first()
    return None if row is None or row[1] else row[0]


@cache
def _token_user_statement() -> sa.Select:
    # Built once with bound parameters: building it anew took about half of this check's
    # CPU (a quarter of a millisecond on every API request).
    revoked = sa.select(RevokedToken.jti).where(RevokedToken.jti == sa.bindparam("jti"))
    return sa.select(User, revoked.exists()).where(
        User.id == sa.bindparam("user_id"), User.active.is_(True)
    )


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
