"""The planner settings sent on each of our PostgreSQL connections."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL, make_test_app, service_missing
from xeco.extensions import db as _db


def _show(app) -> str:
    with app.app_context():
        try:
            return _db.session.scalar(sa.text("SHOW random_page_cost"))
        finally:
            _db.session.remove()
            _db.engine.dispose()


def _server_default() -> str:
    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SHOW random_page_cost"))
    except sa.exc.OperationalError as err:
        service_missing("PostgreSQL", err)
    finally:
        engine.dispose()


def test_our_connections_price_a_random_read_as_one_from_memory(db, dialect):
    if dialect != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    assert _server_default() == "4"  # what the search's plan was chosen against before
    assert db.session.scalar(sa.text("SHOW random_page_cost")) == "1.1"


def test_the_setting_can_be_given_or_left_to_the_server(tmp_path):
    server = _server_default()
    given = make_test_app(PG_ADMIN_URL, str(tmp_path), DATABASE_RANDOM_PAGE_COST="2")
    assert _show(given) == "2"
    left = make_test_app(PG_ADMIN_URL, str(tmp_path), DATABASE_RANDOM_PAGE_COST="")
    assert _show(left) == server


def test_a_setting_that_is_no_number_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="DATABASE_RANDOM_PAGE_COST must be a number"):
        make_test_app(PG_ADMIN_URL, str(tmp_path), DATABASE_RANDOM_PAGE_COST="1; DROP")
