"""Site administration: finding users, staff roles, merging organisations, the audit log,
and the e-mail outbox (what would have been sent, for a demo without a mail server)."""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Conflict, Forbidden, Invalid
from xeco.extensions import db
from xeco.models import (
    AuditEntry,
    Capability,
    Challenge,
    EmailOutbox,
    Organisation,
    Programme,
    Role,
    User,
)
from xeco.models.names import canonical
from xeco.services import audit
from xeco.services.listing import Page, paginate, text_filter
from xeco.services.organisations import get as get_organisation
from xeco.services.users import ORG_KIND_FOR_ROLE


def search_users(q: str | None, page: int, per_page: int = 50) -> Page:
    stmt = sa.select(User)
    if q:
        stmt = stmt.where(text_filter(canonical(q), User.email, User.name))
    return paginate(stmt.order_by(User.id), page, per_page)


def search_organisations(q: str | None, page: int, per_page: int = 50) -> Page:
    stmt = sa.select(Organisation)
    if q:
        stmt = stmt.where(text_filter(canonical(q), Organisation.name))
    return paginate(stmt.order_by(Organisation.name, Organisation.id), page, per_page)


def set_role(actor: User, user: User, role: Role) -> User:
    """Staff roles only: a member's role is tied to the kind of their organisation."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only administrators change roles.")
    if user.id == actor.id:
        raise Conflict("You cannot change your own role.")
    if role in ORG_KIND_FOR_ROLE or user.role in ORG_KIND_FOR_ROLE:
        raise Invalid(errors={"json": {"role": ["Only officers and administrators change roles."]}})
    before = audit.snapshot(user)
    user.role = role
    db.session.flush()
    audit.record(actor, "update", user, before=before)
    return user


def merge_organisations(actor: User, duplicate_id: int, into_id: int) -> Organisation:
    """Move every member and item of a duplicate into the real organisation, then drop it."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only administrators merge organisations.")
    duplicate, target = get_organisation(duplicate_id), get_organisation(into_id)
    if duplicate.id == target.id:
        raise Conflict("An organisation cannot be merged into itself.")
    if duplicate.kind != target.kind:
        raise Conflict(f"A {duplicate.kind.value} cannot be merged into a {target.kind.value}.")
    moved = {}
    for model in (User, Challenge, Capability, Programme):
        moved[model.__tablename__] = db.session.execute(
            sa.update(model)
            .where(model.organisation_id == duplicate.id)
            .values(organisation_id=target.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    domains = [d for d in duplicate.email_domains or [] if d not in (target.email_domains or [])]
    target.email_domains = [*(target.email_domains or []), *domains]
    audit.record(actor, "merge", target, after={"merged": duplicate.id, "moved": moved})
    audit.record(actor, "delete", duplicate, before=audit.snapshot(duplicate))
    db.session.expire_all()
    db.session.delete(db.session.get(Organisation, duplicate_id))
    db.session.flush()
    return target


AUDIT_FILTERS = ("object_type", "object_id", "actor_id", "action")


def audit_entries(filters: dict, page: int, per_page: int = 50) -> Page:
    stmt = sa.select(AuditEntry)
    for key in AUDIT_FILTERS:
        if filters.get(key) not in (None, ""):
            stmt = stmt.where(getattr(AuditEntry, key) == filters[key])
    return paginate(stmt.order_by(AuditEntry.id.desc()), page, per_page)


def outbox_mail(to: str | None, page: int, per_page: int = 20) -> Page:
    stmt = sa.select(EmailOutbox)
    if to:
        stmt = stmt.where(EmailOutbox.to == canonical(to).lower())
    return paginate(stmt.order_by(EmailOutbox.id.desc()), page, per_page)
