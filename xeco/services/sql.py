"""SQL helpers that services share."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from xeco.extensions import db


def one_of(column, ids) -> sa.ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL one array parameter (``= ANY``), however many ids.

    Thousands of placeholders cost more to send and parse than the query itself.
    """
    ids = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(ids, postgresql.ARRAY(sa.BigInteger)))
    return column.in_(ids)
