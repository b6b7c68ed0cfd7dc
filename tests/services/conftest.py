"""Fixtures the service tests share."""

from __future__ import annotations

import pytest
from sqlalchemy import event


@pytest.fixture
def statements(db):
    """The SQL statements the session sends while the test runs."""
    seen: list[str] = []

    def _record(conn, cursor, statement, *args):
        seen.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", _record)
    yield seen
    event.remove(engine, "before_cursor_execute", _record)
