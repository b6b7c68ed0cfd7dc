"""Column types and mixins shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xeco.extensions import db

# ISO 4217 codes that amounts may be in; the first is the default.
CURRENCIES = ("CNY", "USD", "EUR", "GBP", "HKD")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC on the way out, whatever the database keeps.

    SQLite stores no offset; PostgreSQL does. Both come back aware, so comparisons and
    ISO output are the same on each.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def str_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A string column limited by a CHECK constraint, identical on both databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


def newest_first_index(table: str) -> sa.Index:
    """(created_at, id), read backwards, gives a list's default order, newest first: a page
    without a search stops after its rows instead of sorting the whole table (migration 0014)."""
    return sa.Index(f"ix_{table}_created_at_id", "created_at", "id")


def live_profiles_index(table: str) -> sa.Index:
    """(status, id, updated_at): every matching task checks its index against the live
    profiles (count, id sum and newest change of the active ones, services/matching_index.py)
    from this index alone, not a read of every row (migration 0015). It serves lookups by
    status too."""
    return sa.Index(f"ix_{table}_status_id_updated_at", "status", "id", "updated_at")


__all__ = [
    "Timestamped",
    "UTCDateTime",
    "db",
    "live_profiles_index",
    "newest_first_index",
    "str_enum",
    "utcnow",
]
