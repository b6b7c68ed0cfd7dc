"""SQL helpers that services share."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from xeco.extensions import db


def on_postgresql() -> bool:
    """Whether the session's database is PostgreSQL (else the embedded SQLite)."""
    return db.session.get_bind().dialect.name == "postgresql"


def one_of(column, ids) -> sa.ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL one array parameter (``= ANY``), however many ids.

    Thousands of placeholders cost more to send and parse than the query itself.
    """
    ids = [int(i) for i in ids]
    if on_postgresql():
        return column == sa.any_(sa.literal(ids, postgresql.ARRAY(sa.BigInteger)))
    return column.in_(ids)
