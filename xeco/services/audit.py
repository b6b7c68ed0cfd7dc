"""The audit log: every state change records who, what, when, before and after."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect

from xeco.extensions import db
from xeco.models import AuditEntry, User
from xeco.services.listing import Page, paginate


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


BOOKKEEPING = frozenset({"updated_at", "match_due_at"})


def snapshot(obj: Any, exclude: tuple[str, ...] = ("password_hash",)) -> dict:
    """The column values of a model instance as JSON-ready data."""
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in exclude
    }


def record(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    if after is None and action != "delete":
        after = snapshot(obj)
    if before is not None and after is not None:
        # updated_at always moves (the entry's own time says when), and match_due_at is the
        # matching's bookkeeping.
        changed = {k for k in after if before.get(k) != after.get(k) and k not in BOOKKEEPING}
        before = {k: before[k] for k in changed if k in before}
        after = {k: after[k] for k in changed}
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=obj.__tablename__,
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def entries(filters: dict, page: int, per_page: int) -> Page:
    """The log, newest first; ``filters`` may name the object, its id, the actor, the action."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    for key, column in (
        ("object", AuditEntry.object_type),
        ("object_id", AuditEntry.object_id),
        ("actor_id", AuditEntry.actor_id),
        ("action", AuditEntry.action),
    ):
        if filters.get(key) is not None:
            stmt = stmt.where(column == filters[key])
    return paginate(stmt, page, per_page)
