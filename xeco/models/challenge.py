from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xeco.models.base import CURRENCIES, Timestamped, UTCDateTime, db, newest_first_index, str_enum


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"


class ChallengeStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    CLOSED = "closed"


class Challenge(Timestamped, db.Model):
    """A company's innovation need."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True, nullable=False
    )
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    sector: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    region: Mapped[str | None] = mapped_column(sa.String(80))
    # "en", "zh" or "mixed", detected from the text on every save (services/languages.py).
    language: Mapped[str | None] = mapped_column(sa.String(8))
    trl: Mapped[int | None] = mapped_column(sa.SmallInteger)
    budget_min: Mapped[int | None] = mapped_column(sa.BigInteger)
    budget_max: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default=CURRENCIES[0], nullable=False)
    deadline: Mapped[date | None] = mapped_column(sa.Date)
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "challenge_visibility"), default=Visibility.PUBLIC, nullable=False
    )
    status: Mapped[ChallengeStatus] = mapped_column(
        str_enum(ChallengeStatus, "challenge_status"),
        default=ChallengeStatus.OPEN,
        nullable=False,
        index=True,
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str | None] = mapped_column(sa.String(40))
    # Set when a change asks for matching, cleared by the batch that matched the row as it
    # was then (xeco.services.matching.match_due): a task can take others that wait with it.
    match_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")
    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])

    __table_args__ = (
        sa.CheckConstraint("trl IS NULL OR (trl BETWEEN 1 AND 9)", name="trl_range"),
        sa.CheckConstraint(
            "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
            name="budget_order",
        ),
        newest_first_index("challenges"),
        sa.Index(
            "ix_challenges_match_due_at",
            "match_due_at",
            postgresql_where=sa.text("match_due_at IS NOT NULL"),
            sqlite_where=sa.text("match_due_at IS NOT NULL"),
        ),
    )
