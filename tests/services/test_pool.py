"""Pooled PostgreSQL connections the server closed are replaced at checkout, for real."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL, service_missing
from xeco.extensions import drop_dead_connections

PID = sa.text("SELECT pg_backend_pid()")


@pytest.fixture
def pg_url():
    """The real server (no tables needed): closing a connection is what a server does."""
    probe = sa.create_engine(PG_ADMIN_URL, poolclass=sa.pool.NullPool)
    try:
        with probe.connect():
            pass
    except sa.exc.OperationalError as err:
        service_missing("PostgreSQL", err)
    finally:
        probe.dispose()
    return PG_ADMIN_URL


def _pool_of_one(url, checked: bool) -> sa.Engine:
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    if checked:
        drop_dead_connections(engine)
    return engine


def _terminate(url, pid: int) -> None:
    """End the backend as a server restart or an idle-session timeout would, and wait for it."""
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        gone = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        deadline = time.monotonic() + 10
        while conn.scalar(gone, {"pid": pid}) and time.monotonic() < deadline:
            time.sleep(0.05)
    admin.dispose()


@pytest.fixture
def closed_by_server(pg_url):
    """``closed_by_server(checked)``: a pool of one connection, which the server then closed;
    returns the pool and the ended backend's pid."""
    engines = []

    def make(checked: bool):
        engine = _pool_of_one(pg_url, checked)
        engines.append(engine)
        with engine.connect() as conn:
            first = conn.scalar(PID)
        _terminate(pg_url, first)
        return engine, first

    yield make
    for engine in engines:
        engine.dispose()


def test_a_connection_the_server_closed_is_replaced_before_use(closed_by_server):
    engine, first = closed_by_server(checked=True)
    with engine.connect() as conn:
        assert conn.scalar(PID) != first


def test_without_the_check_the_closed_connection_fails_its_first_statement(closed_by_server):
    # What the check spares a request: the same steps without it.
    engine, _ = closed_by_server(checked=False)
    with pytest.raises(sa.exc.OperationalError), engine.connect() as conn:
        conn.scalar(PID)


def test_a_live_connection_is_kept(pg_url):
    engine = _pool_of_one(pg_url, checked=True)
    try:
        pids = []
        for _ in range(3):
            with engine.connect() as conn:
                pids.append(conn.scalar(PID))
        assert len(set(pids)) == 1
    finally:
        engine.dispose()


def test_the_app_checks_its_postgresql_connections_instead_of_pinging(app, db, dialect):
    checks = [
        fn
        for fn in db.engine.pool.dispatch.checkout
        if fn.__qualname__.startswith(drop_dead_connections.__name__)
    ]
    assert not db.engine.pool._pre_ping
    # SQLite has no server to close a connection.
    assert len(checks) == (1 if dialect == "postgresql" else 0)
