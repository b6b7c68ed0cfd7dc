"""Who each API token speaks for, kept per process and checked on a real Redis.

Two ``TokenCache`` objects on one Redis stand for two web processes: what one changes, the
other must see at its next request.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import REDIS_URL
from xeco.models import Role, User
from xeco.services import token_cache
from xeco.services.token_cache import EXTENSION, TokenCache
from xeco.services.users import end_sessions

ME = "/api/v1/me"


@pytest.fixture
def store(redis_store):
    return redis_store


@pytest.fixture
def processes(app, store):
    """``processes.one`` and ``processes.two`` (each a TokenCache on the same Redis), and
    ``processes.acting(cache)`` to serve the requests of a block as that process."""

    class Processes:
        one = TokenCache(REDIS_URL, 30)
        two = TokenCache(REDIS_URL, 30)

        @staticmethod
        @contextmanager
        def acting(cache):
            app.extensions[EXTENSION] = cache
            try:
                yield
            finally:
                app.extensions[EXTENSION] = None

    return Processes


def user_queries(statements: list[str]) -> int:
    return sum("revoked_tokens" in s for s in statements)


def me(client, headers) -> tuple[int, dict]:
    resp = client.get(ME, headers=headers)
    return resp.status_code, resp.get_json()


def warmed(client, headers, *caches, acting) -> None:
    """Each process has kept the token's answer (the first request makes the stamps)."""
    for cache in caches:
        with acting(cache):
            for _ in range(2):
                assert me(client, headers)[0] == 200


def test_a_kept_answer_spares_later_requests_the_query(client, users, auth, processes, statements):
    headers = auth(users["company"])
    warmed(client, headers, processes.one, acting=processes.acting)
    statements.clear()
    with processes.acting(processes.one):
        status, body = me(client, headers)
    assert status == 200 and body["email"] == users["company"].email
    assert user_queries(statements) == 0
    # Without the cache every request asks.
    me(client, headers)
    assert user_queries(statements) == 1


def test_a_withdrawn_token_stops_at_once_on_every_process(client, users, auth, processes):
    headers = auth(users["company"])
    warmed(client, headers, processes.one, processes.two, acting=processes.acting)
    with processes.acting(processes.one):
        assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    with processes.acting(processes.two):
        status, body = me(client, headers)
    assert status == 401 and body["message"] == "Token revoked."


def test_deactivation_role_and_signing_out_everywhere_show_at_once(
    client, db, users, auth, processes
):
    company, researcher, officer = users["company"], users["researcher"], users["officer"]
    headers = {u.id: auth(u) for u in (company, researcher, officer)}
    for h in headers.values():
        warmed(client, h, processes.one, processes.two, acting=processes.acting)
    with processes.acting(processes.one):
        company.active = False
        officer.role = Role.ADMIN
        end_sessions(researcher)
        db.session.commit()
    with processes.acting(processes.two):
        assert me(client, headers[company.id])[0] == 401
        assert me(client, headers[researcher.id])[0] == 401
        status, body = me(client, headers[officer.id])
    assert status == 200 and body["role"] == "admin"


def test_users_changed_by_a_statement_show_at_once(client, db, users, auth, processes):
    headers = auth(users["company"])
    warmed(client, headers, processes.one, processes.two, acting=processes.acting)
    with processes.acting(processes.one):
        db.session.execute(
            sa.update(User).where(User.id == users["company"].id).values(active=False)
        )
        db.session.commit()
    with processes.acting(processes.two):
        assert me(client, headers)[0] == 401


def test_a_change_rolled_back_leaves_the_stamps(db, users, processes, store):
    with processes.acting(processes.one):
        stamp = token_cache._fresh_stamp()
        store.set(token_cache._user_key(users["company"].id), stamp)
        users["company"].active = False
        db.session.flush()
        db.session.rollback()
        db.session.commit()  # the next unit commits nothing of the rolled-back change
    assert store.get(token_cache._user_key(users["company"].id)).decode() == stamp


def test_kept_answers_expire(client, users, auth, processes, statements):
    headers = auth(users["company"])
    warmed(client, headers, processes.one, acting=processes.acting)
    processes.one.seconds = 0
    statements.clear()
    with processes.acting(processes.one):
        assert me(client, headers)[0] == 200
    assert user_queries(statements) == 1


def test_without_redis_every_request_asks_the_database(client, users, auth, processes, caplog):
    headers = auth(users["company"])
    unreachable = TokenCache("redis://127.0.0.1:1/0", 30)
    caplog.set_level(logging.WARNING, logger="xeco.services.token_cache")
    with processes.acting(unreachable):
        assert me(client, headers)[0] == 200
        assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
        assert me(client, headers)[0] == 401
    assert "token cache unreachable" in caplog.text


def test_the_cache_is_on_where_redis_is(app):
    from xeco.services.token_cache import init_app

    saved = dict(app.config), app.extensions.get(EXTENSION)
    try:
        app.config.update(TOKEN_CACHE_SECONDS=30, VIEW_CACHE_REDIS_URL=REDIS_URL)
        init_app(app)
        assert isinstance(app.extensions[EXTENSION], TokenCache)
        # Keeping nothing, but still making changes known to processes that keep.
        app.config.update(TOKEN_CACHE_SECONDS=0)
        init_app(app)
        assert app.extensions[EXTENSION].seconds == 0
        app.config.update(VIEW_CACHE_REDIS_URL=None)
        init_app(app)
        assert app.extensions[EXTENSION] is None
    finally:
        app.config.clear()
        app.config.update(saved[0])
        app.extensions[EXTENSION] = saved[1]


def test_a_savepoint_rolled_back_keeps_the_changes_before_it(client, db, users, auth, processes):
    headers = auth(users["company"])
    warmed(client, headers, processes.one, processes.two, acting=processes.acting)
    with processes.acting(processes.one):
        users["company"].active = False
        db.session.flush()
        savepoint = db.session.begin_nested()
        users["researcher"].name = "Changed, then rolled back"
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    with processes.acting(processes.two):
        assert me(client, headers)[0] == 401


def test_a_users_tokens_share_one_entry_of_bounded_size(client, users, auth, processes, statements):
    company = users["company"]
    first, second = auth(company), auth(company)
    warmed(client, first, processes.one, acting=processes.acting)
    with processes.acting(processes.one):
        assert me(client, second)[0] == 200  # checked once in the database
        statements.clear()
        assert me(client, first)[0] == 200 and me(client, second)[0] == 200
        assert user_queries(statements) == 0
        for _ in range(TokenCache.TOKENS_PER_USER + 1):
            assert me(client, auth(company))[0] == 200
    kept = processes.one._kept[company.id]
    assert 0 < len(kept.tokens) <= TokenCache.TOKENS_PER_USER
    assert list(processes.one._kept) == [company.id]


def test_a_token_withdrawn_before_another_was_kept_stays_withdrawn(client, users, auth, processes):
    company = users["company"]
    withdrawn, other = auth(company), auth(company)
    with processes.acting(processes.one):
        assert client.delete("/api/v1/auth/token", headers=withdrawn).status_code == 204
    warmed(client, other, processes.one, acting=processes.acting)  # kept after the withdrawal
    with processes.acting(processes.one):
        assert me(client, withdrawn)[0] == 401
        assert me(client, other)[0] == 200


def test_a_savepoint_released_is_not_the_commit(client, db, users, auth, processes, store):
    company = users["company"]
    headers = auth(company)
    warmed(client, headers, processes.one, processes.two, acting=processes.acting)
    key = token_cache._user_key(company.id)
    before = store.get(key)
    with processes.acting(processes.one):
        company.active = False
        db.session.flush()
        with db.session.begin_nested():
            users["researcher"].name = "Changed within a savepoint"
        # Released, not committed: another process must not re-read and keep the old row
        # under a new stamp now.
        assert store.get(key) == before
        db.session.commit()
    assert store.get(key) != before
    with processes.acting(processes.two):
        assert me(client, headers)[0] == 401


def test_a_process_that_keeps_nothing_still_makes_its_changes_known(
    client, db, users, auth, processes
):
    headers = auth(users["company"])
    warmed(client, headers, processes.two, acting=processes.acting)
    with processes.acting(TokenCache(REDIS_URL, 0)):  # a worker, or a command
        users["company"].active = False
        db.session.commit()
    with processes.acting(processes.two):
        assert me(client, headers)[0] == 401


def test_users_changed_by_a_core_statement_show_at_once(client, db, users, auth, processes):
    headers = auth(users["company"])
    warmed(client, headers, processes.one, processes.two, acting=processes.acting)
    users_table = User.__table__
    with processes.acting(processes.one):
        db.session.execute(
            sa.update(users_table)
            .where(users_table.c.id == users["company"].id)
            .values(role=Role.RESEARCHER.value)
        )
        db.session.commit()
    with processes.acting(processes.two):
        status, body = me(client, headers)
    assert status == 200 and body["role"] == "researcher"


def test_a_kept_user_in_a_new_session_reads_nothing_and_can_change(
    client, db, users, auth, processes, statements
):
    company_id = users["company"].id
    headers = auth(users["company"])
    warmed(client, headers, processes.one, acting=processes.acting)
    kept = processes.one._kept[company_id].columns
    assert "password_hash" not in kept  # read on demand, never kept
    with processes.acting(processes.one):
        db.session.expunge_all()
        statements.clear()
        assert me(client, headers)[0] == 200
        assert not any("FROM users" in s for s in statements)
        db.session.expunge_all()
        changed = client.patch(ME, json={"name": "Renamed Company"}, headers=headers)
        assert changed.status_code == 200, changed.get_json()
        db.session.expunge_all()
        # The change replaced the stamp: read afresh, with the new name.
        assert me(client, headers)[1]["name"] == "Renamed Company"
        db.session.expunge_all()
        wrong = client.patch(
            ME, json={"password": "An0ther-long-pass", "current_password": "nope"}, headers=headers
        )
    # The password hash, left out of what is kept, is read when a password is checked.
    assert wrong.status_code == 422, wrong.get_json()
    assert "current_password" in wrong.get_json()["errors"]["json"]


def test_redis_replies_are_parsed_in_c():
    # The production requirement (pyproject: redis[hiredis]); redis-py's own parser cost a
    # cached list about a tenth of its CPU.
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE
