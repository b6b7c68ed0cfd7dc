from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xeco.models.base import Timestamped, UTCDateTime, db, str_enum


class RunState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


ACTIVE_RUN_STATES = (RunState.PENDING, RunState.RUNNING)


class MatchingRun(Timestamped, db.Model):
    """A batch re-scoring of every open challenge, split into chunks."""

    __tablename__ = "matching_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[RunState] = mapped_column(
        str_enum(RunState, "run_state"), default=RunState.PENDING, nullable=False, index=True
    )
    trigger: Mapped[str] = mapped_column(sa.String(20), default="manual", nullable=False)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    total: Mapped[int] = mapped_column(default=0, nullable=False)
    done: Mapped[int] = mapped_column(default=0, nullable=False)
    proposals: Mapped[int] = mapped_column(default=0, nullable=False)
    errors: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # At most one active run: a unique index over a constant for pending/running rows.
    active_lock: Mapped[int | None] = mapped_column(sa.SmallInteger, unique=True)


class RunChunk(db.Model):
    """One chunk of a run; its row makes a redelivered chunk count once."""

    __tablename__ = "matching_run_chunks"

    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("matching_runs.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(nullable=False)
    challenge_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    proposals: Mapped[int] = mapped_column(default=0, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
