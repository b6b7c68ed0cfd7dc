from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xeco.models.base import UTCDateTime, db


class WorkerHeartbeat(db.Model):
    """Each worker process writes here every few seconds; health reads it."""

    __tablename__ = "worker_heartbeats"

    hostname: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    pid: Mapped[int] = mapped_column(nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    tasks_done: Mapped[int] = mapped_column(default=0, nullable=False)
