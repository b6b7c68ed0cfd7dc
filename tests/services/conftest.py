"""Fixtures the service tests share."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
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


@pytest.fixture
def real_app(backend):
    """(backend name, app) with the backend's own session: not the rolled-back one of the
    ``app`` fixture, which is bound to one connection and so cannot show how the session
    takes its connections. What a test commits here stays: it cleans up after itself."""
    from xeco.extensions import db

    name, app = backend
    with app.app_context():
        yield name, app
        db.session.remove()


@pytest.fixture
def plan_of(db, dialect):
    """``plan_of(stmt, *off)``: the database's plan for ``stmt`` as text, with PostgreSQL's
    ``enable_*`` planner settings in ``off`` turned off for the test's transaction (tiny test
    tables are cheapest to read whole; forbidding that shows whether an index can serve)."""

    def plan(stmt, *off: str) -> str:
        if dialect == "postgresql":
            for setting in off:
                db.session.execute(sa.text(f"SET LOCAL enable_{setting} = off"))
        explain = "EXPLAIN" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
        sql = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        return "\n".join(str(r[-1]) for r in db.session.execute(sa.text(f"{explain} {sql}")))

    return plan
