from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from xeco.models.base import UTCDateTime, db, utcnow


class StoredIndex(db.Model):
    """A fitted matcher, stored once for every worker process on every host.

    ``name`` is the index (capabilities, programmes); ``signature`` the state of its profiles
    when it was fitted; ``model`` the matcher's ``.npz`` file and ``ids`` the profile ids in
    fit order (int64). See services/index_store.py.
    """

    __tablename__ = "matcher_indexes"
    __table_args__ = (sa.UniqueConstraint("name", "signature"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    signature: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    newest: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meta: Mapped[dict] = mapped_column(sa.JSON, default=dict, nullable=False)
    ids: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    model: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
