"""Organisations and their members: joining, approval, e-mail domains, verification, merging.

A user who registers into an organisation that exists waits (``pending``) until one of its
administrators, or an officer, approves; an address on one of the organisation's verified
e-mail domains is let in at once. Services flush; the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Conflict, Forbidden, Invalid, NotFound
from xeco.extensions import db
from xeco.models import Membership, Organisation, User
from xeco.models.base import utcnow
from xeco.models.names import canonical
from xeco.services import audit
from xeco.services.listing import Page, paginate
from xeco.services.notifications import notify

DOMAIN_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-.")


class NotYetMember(Forbidden):
    message = (
        "Your membership of this organisation is waiting for approval by its administrators; "
        "you can post once they approve it."
    )


class EmailNotVerified(Forbidden):
    message = (
        "Verify your e-mail address first: follow the link we sent you, or ask for a new "
        "one on your settings page."
    )


def check_may_post(user: User) -> None:
    """Posting for an organisation needs an approved membership and a verified address."""
    if user.is_staff:
        return
    if user.membership != Membership.ACTIVE:
        raise NotYetMember()
    if not user.email_verified:
        raise EmailNotVerified()


def email_domain(email: str) -> str:
    return email.rpartition("@")[2]


def domain_admits(org: Organisation, email: str) -> bool:
    return email_domain(email) in (org.email_domains or [])


def get(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"No organisation with id {org_id}.")
    return org


def check_can_manage(actor: User, org: Organisation) -> None:
    """The organisation's own administrators, officers and site administrators."""
    if actor.is_staff:
        return
    if actor.organisation_id == org.id and actor.org_admin and actor.membership == "active":
        return
    raise Forbidden("Only this organisation's administrators or an officer may do this.")


def admins_of(org: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(
                User.organisation_id == org.id,
                User.org_admin.is_(True),
                User.membership == Membership.ACTIVE,
                User.active.is_(True),
            )
        )
    )


def members(actor: User, org_id: int, status: str | None, page: int, per_page: int) -> Page:
    org = get(org_id)
    check_can_manage(actor, org)
    stmt = sa.select(User).where(User.organisation_id == org.id)
    if status:
        stmt = stmt.where(User.membership == Membership(status))
    return paginate(stmt.order_by(User.id), page, per_page)


def join(user: User) -> None:
    """A new member's request is announced to the organisation's administrators."""
    org = user.organisation
    for admin in admins_of(org):
        notify(admin, "join_request", {"name": user.name, "org": org.name, "org_id": org.id})


def _member(org_id: int, user_id: int) -> tuple[Organisation, User]:
    org = get(org_id)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != org.id:
        raise NotFound(f"No member with id {user_id} in this organisation.")
    return org, user


def decide(actor: User, org_id: int, user_id: int, approve: bool) -> User:
    org, user = _member(org_id, user_id)
    check_can_manage(actor, org)
    if user.membership != Membership.PENDING:
        raise Conflict(f"This membership is {user.membership.value} already.")
    before = audit.snapshot(user)
    user.membership = Membership.ACTIVE if approve else Membership.REJECTED
    db.session.flush()
    audit.record(actor, "approve_member" if approve else "reject_member", user, before=before)
    kind = "membership_approved" if approve else "membership_declined"
    notify(user, kind, {"org": org.name, "approved": approve})
    decided = {"name": user.name, "status": user.membership.value}
    notify(actor, "membership_decided", decided, email=False)
    return user


def set_admin(actor: User, org_id: int, user_id: int, is_admin: bool) -> User:
    """Make an active member an administrator of the organisation, or no longer one."""
    org, user = _member(org_id, user_id)
    check_can_manage(actor, org)
    if user.id == actor.id:
        raise Conflict("You cannot change your own administrator rights.")
    if user.membership != Membership.ACTIVE:
        raise Conflict("Only an active member can be an administrator.")
    before = audit.snapshot(user)
    user.org_admin = is_admin
    db.session.flush()
    audit.record(actor, "update", user, before=before)
    return user


def clean_domains(domains: list[str]) -> list[str]:
    cleaned = []
    for raw in domains:
        domain = canonical(raw).lower().lstrip("@").strip(".")
        if "." not in domain or not set(domain) <= DOMAIN_CHARS:
            raise Invalid(errors={"json": {"email_domains": [f"Not a domain: {raw}"]}})
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def update(actor: User, org_id: int, data: dict) -> Organisation:
    """Officers and admins verify an organisation and set its e-mail domains."""
    if not actor.is_staff:
        raise Forbidden("Only officers and administrators verify organisations.")
    org = get(org_id)
    before = audit.snapshot(org)
    if "verified" in data:
        org.verified_at = (org.verified_at or utcnow()) if data["verified"] else None
    if "email_domains" in data:
        org.email_domains = clean_domains(data["email_domains"])
    db.session.flush()
    audit.record(actor, "update", org, before=before)
    return org
