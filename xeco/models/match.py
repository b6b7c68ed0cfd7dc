from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xeco.models.base import Timestamped, UTCDateTime, db, str_enum, utcnow


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    INTRODUCED = "introduced"
    ACCEPTED = "accepted"
    DECLINED = "declined"


# The one lifecycle every layer reads; the API answers any other step with a 409.
TRANSITIONS: dict[MatchStatus, frozenset[MatchStatus]] = {
    MatchStatus.PROPOSED: frozenset({MatchStatus.APPROVED, MatchStatus.REJECTED}),
    MatchStatus.APPROVED: frozenset({MatchStatus.INTRODUCED}),
    MatchStatus.REJECTED: frozenset(),
    MatchStatus.INTRODUCED: frozenset({MatchStatus.ACCEPTED, MatchStatus.DECLINED}),
    MatchStatus.ACCEPTED: frozenset(),
    MatchStatus.DECLINED: frozenset(),
}
VISIBLE_TO_PARTIES = frozenset(
    {MatchStatus.APPROVED, MatchStatus.INTRODUCED, MatchStatus.ACCEPTED, MatchStatus.DECLINED}
)
# From the introduction on: the parties' conversation is open, and outcomes can be recorded.
INTRODUCED_ONWARD = frozenset({MatchStatus.INTRODUCED, MatchStatus.ACCEPTED, MatchStatus.DECLINED})


class Response(enum.StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


class Match(Timestamped, db.Model):
    """One proposed pairing: a challenge and the capability that fits it."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("challenges.id", ondelete="CASCADE"), nullable=False
    )
    capability_id: Mapped[int] = mapped_column(
        sa.ForeignKey("capabilities.id", ondelete="CASCADE"), index=True, nullable=False
    )
    institute_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("capabilities.id", ondelete="SET NULL")
    )
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="SET NULL")
    )
    score: Mapped[float] = mapped_column(sa.Float, nullable=False)
    institute_score: Mapped[float | None] = mapped_column(sa.Float)
    programme_score: Mapped[float | None] = mapped_column(sa.Float)
    explanation: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    status: Mapped[MatchStatus] = mapped_column(
        str_enum(MatchStatus, "match_status"),
        default=MatchStatus.PROPOSED,
        nullable=False,
        index=True,
    )
    # Fingerprint of both texts when scored; a rejection holds until it changes.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(40))
    run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("matching_runs.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    note_to_parties: Mapped[str | None] = mapped_column(sa.String(2000))
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    company_response: Mapped[Response | None] = mapped_column(
        str_enum(Response, "company_response")
    )
    company_note: Mapped[str | None] = mapped_column(sa.String(2000))
    provider_response: Mapped[Response | None] = mapped_column(
        str_enum(Response, "provider_response")
    )
    provider_note: Mapped[str | None] = mapped_column(sa.String(2000))
    company_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one reminder of an introduction that stalled (services/outcomes.py).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    challenge = relationship("Challenge")
    capability = relationship("Capability", foreign_keys=[capability_id])
    institute = relationship("Capability", foreign_keys=[institute_id])
    programme = relationship("Programme")
    decided_by = relationship("User")
    # Read with the match where its schema shows it (services/match_extras.py).
    provider_request = relationship("MatchRequest", uselist=False, viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("challenge_id", "capability_id"),
        sa.Index("ix_matches_status_score", "status", "score"),
    )

    @property
    def status_at(self) -> datetime | None:
        """When the match took its present status: "Accepted" dates from the second yes."""
        if self.status in (MatchStatus.ACCEPTED, MatchStatus.DECLINED):
            answered = [t for t in (self.company_responded_at, self.provider_responded_at) if t]
            return max(answered) if answered else None
        if self.status == MatchStatus.INTRODUCED:
            return self.introduced_at
        return self.decided_at

    def can_move_to(self, new: MatchStatus) -> bool:
        return new in TRANSITIONS[self.status]


class MatchNote(db.Model):
    """An officer's note on a match, kept for the record."""

    __tablename__ = "match_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True, nullable=False
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class MatchStatusCount(db.Model):
    """How many matches hold each status, as rows of changes whose sums are the counts.

    Triggers on ``matches`` (migration 0016) write them in the same transaction as each
    change. On PostgreSQL every statement that changes a status adds a row (only adds, so
    concurrent transactions never wait on each other here), and ``compact_status_counts``
    folds the rows into one every minute; SQLite, whose writers take turns, keeps one row.
    The review queue's total is then one small sum, not a count of every proposal (28-45 ms
    at a million).
    """

    __tablename__ = "match_status_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposed: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    approved: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    rejected: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    introduced: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    accepted: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
    declined: Mapped[int] = mapped_column(sa.BigInteger, default=0, nullable=False)
