"""A request by a safe method reads only: on PostgreSQL without a transaction, and never writes.

These use the backend's own session (not the rolled-back one of the ``app`` fixture, which is
bound to one connection and so cannot show how the session takes its connections).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from psycopg import pq

from tests.conftest import make_test_app
from xeco import transaction
from xeco.extensions import ReadOnlyViolation, db
from xeco.models import Organisation, OrgKind


def _dbapi(conn):
    return conn.connection.dbapi_connection


def test_a_read_runs_without_a_transaction_on_postgresql(real_app):
    name, app = real_app
    with app.test_request_context(method="GET"), transaction.unit(reads_only=True):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) >= 0
        raw = _dbapi(db.session.connection())
        if name == "postgresql":
            # No BEGIN was sent: the select left the server outside any transaction.
            assert raw.autocommit is True
            assert raw.pgconn.transaction_status == pq.TransactionStatus.IDLE
        else:
            assert raw.in_transaction  # SQLite keeps its BEGIN IMMEDIATE
    db.session.remove()
    # The connection went back to the pool in its usual mode: a write is one transaction.
    with app.test_request_context(method="POST"), transaction.unit():
        db.session.scalar(sa.select(sa.literal(1)))
        raw = _dbapi(db.session.connection())
        if name == "postgresql":
            assert raw.autocommit is False
            assert raw.pgconn.transaction_status == pq.TransactionStatus.INTRANS


@pytest.mark.parametrize("how", ["flush", "update", "insert"])
def test_a_write_in_a_read_only_unit_raises_and_stores_nothing(real_app, how):
    _, app = real_app
    marker = f"Read-only guard {how}"
    guarded = pytest.raises(ReadOnlyViolation)
    with guarded, app.test_request_context(method="GET"), transaction.unit(reads_only=True):
        if how == "flush":
            db.session.add(Organisation(name=marker, kind=OrgKind.COMPANY))
            db.session.flush()
        elif how == "update":
            db.session.execute(
                sa.update(Organisation).where(Organisation.id < 0).values(name=marker)
            )
        else:
            db.session.execute(sa.insert(Organisation).values(name=marker, kind="company"))
    db.session.remove()
    stored = db.session.scalar(sa.select(sa.func.count()).where(Organisation.name == marker))
    assert stored == 0


def test_a_read_on_postgresql_ends_without_a_commit(real_app):
    """Its statements committed on their own: a commit would only expire what it loaded."""
    name, app = real_app
    commits = []
    listener = lambda _session: commits.append(1)  # noqa: E731
    sa.event.listen(db.session, "after_commit", listener)
    try:
        with app.test_request_context(method="GET"), transaction.unit(reads_only=True):
            org = db.session.scalars(sa.select(Organisation).limit(1)).first()
        if org is not None:
            assert "name" in org.__dict__  # not expired
        assert commits == ([] if name == "postgresql" else [1])
    finally:
        sa.event.remove(db.session, "after_commit", listener)


def test_an_object_added_but_not_flushed_in_a_read_still_raises(real_app):
    _, app = real_app
    marker = "Read-only guard, added only"
    guarded = pytest.raises(ReadOnlyViolation)
    with guarded, app.test_request_context(method="GET"), transaction.unit(reads_only=True):
        db.session.add(Organisation(name=marker, kind=OrgKind.COMPANY))
    db.session.remove()
    stored = db.session.scalar(sa.select(sa.func.count()).where(Organisation.name == marker))
    assert stored == 0


def test_a_get_view_that_writes_unmarked_fails_and_a_marked_one_writes(backend, tmp_path):
    name, base = backend
    app = make_test_app(base.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    names = {"unmarked": f"Unmarked writer {name}", "marked": f"Marked writer {name}"}

    def _write(kind):
        db.session.add(Organisation(name=names[kind], kind=OrgKind.COMPANY))
        db.session.flush()
        return {"ok": True}

    app.add_url_rule("/test/unmarked", "unmarked", lambda: _write("unmarked"))
    app.add_url_rule("/test/marked", "marked", transaction.writes(lambda: _write("marked")))
    client = app.test_client()
    try:
        assert client.get("/test/unmarked").status_code == 500
        assert client.get("/test/marked").status_code == 200
        with app.app_context():
            found = set(
                db.session.scalars(
                    sa.select(Organisation.name).where(Organisation.name.in_(names.values()))
                )
            )
            assert found == {names["marked"]}
            db.session.execute(sa.delete(Organisation).where(Organisation.name.in_(found)))
            db.session.commit()
    finally:
        with app.app_context():
            db.engine.dispose()
