"""What happens after an introduction: the conversation, the outcome, raised hands."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xeco.models.base import UTCDateTime, db, str_enum, utcnow


class MatchMessage(db.Model):
    """One message of the conversation of a match, kept as written (plain text)."""

    __tablename__ = "match_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User")

    __table_args__ = (sa.Index("ix_match_messages_match_id_id", "match_id", "id"),)


class Outcome(enum.StrEnum):
    TALKING = "talking"
    AGREEMENT = "agreement"
    STARTED = "started"
    NO_DEAL = "no_deal"


# What the report counts as an agreement: a signed one, or a project that started.
AGREEMENT_OUTCOMES = frozenset({Outcome.AGREEMENT, Outcome.STARTED})


class MatchOutcome(db.Model):
    """How an introduction went, as recorded by a party or an officer; the latest counts."""

    __tablename__ = "match_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True, nullable=False
    )
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "match_outcome"), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    happened_on: Mapped[date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    recorded_by = relationship("User")


class MatchRequest(db.Model):
    """A provider's "we can help" on a public challenge: the proposal it made, and why."""

    __tablename__ = "match_requests"

    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    requested_by = relationship("User")
