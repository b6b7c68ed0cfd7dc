"""The per-viewer cache of list answers (xeco/api/caching.py), on a real Redis."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
import redis

from tests.conftest import REDIS_URL, make_test_app
from xeco import transaction
from xeco.api.caching import init_cache
from xeco.models import Role
from xeco.services import token_cache

LIST = "/api/v1/challenges?page=1&per_page=50"


@contextmanager
def view_cache(app, url: str):
    """The view cache on for the test, kept in ``url``; off again afterwards."""
    app.config.update(VIEW_CACHE_SECONDS=30, VIEW_CACHE_REDIS_URL=url)
    init_cache(app)
    try:
        yield
    finally:
        app.config.update(VIEW_CACHE_SECONDS=0, VIEW_CACHE_REDIS_URL=None)
        init_cache(app)


@pytest.fixture
def cached(app, redis_store):
    """The app with the view cache on, kept in the tests' Redis database."""
    with view_cache(app, REDIS_URL):
        yield redis_store


def titles(resp) -> set[str]:
    assert resp.status_code == 200, resp.get_json()
    return {item["title"] for item in resp.get_json()["items"]}


def post_challenge(client, headers, title: str):
    body = {"title": title, "description": "We need help with battery cell inspection."}
    resp = client.post("/api/v1/challenges", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp


def test_a_list_is_served_again_from_the_cache_for_the_same_viewer(client, users, auth, cached):
    officer = auth(users["officer"])
    first = client.get(LIST, headers=officer)
    assert "Age" not in first.headers
    again = client.get(LIST, headers=officer)
    assert again.headers["Age"] in {"0", "1"}
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    # after_request still runs: a kept answer carries the security headers of any other.
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    keys = cached.keys("xeco:view:*")
    assert any(str(users["officer"].id).encode() in key for key in keys)
    assert all(0 < cached.ttl(key) <= 60 for key in keys)


def test_others_changes_show_when_the_kept_answer_expires(client, users, auth, cached):
    officer, company = auth(users["officer"]), auth(users["company"])
    before = titles(client.get(LIST, headers=officer))
    post_challenge(client, company, "Kept-answer test need")
    # Within the keeping time the officer may still see the list from before.
    assert titles(client.get(LIST, headers=officer)) == before
    for key in cached.keys(f"xeco:view:{users['officer'].id}:*"):
        cached.delete(key)  # what expiry does
    assert "Kept-answer test need" in titles(client.get(LIST, headers=officer))


def test_a_viewers_own_change_shows_at_once(client, users, auth, cached):
    company = auth(users["company"])
    assert "My own new need" not in titles(client.get(LIST, headers=company))
    client.get(LIST, headers=company)  # now kept
    post_challenge(client, company, "My own new need")
    resp = client.get(LIST, headers=company)
    assert "Age" not in resp.headers
    assert "My own new need" in titles(resp)
    # Marked for twice the keeping time, so a list stored just after the write expires first.
    marker = cached.ttl(f"xeco:view:wrote:{users['company'].id}")
    assert 30 < marker <= 61


def test_a_change_made_on_the_pages_shows_at_once_in_the_api(client, users, auth, cached):
    from tests.web.conftest import post_form, sign_in
    from tests.web.test_items import CHALLENGE

    company = auth(users["company"])
    client.get(LIST, headers=company)  # now kept
    sign_in(client, users["company"])
    form = dict(CHALLENGE, title="Posted on the page")
    assert post_form(client, "/challenges/new", form).status_code == 302
    assert "Posted on the page" in titles(client.get(LIST, headers=company))


def test_one_viewers_answer_is_never_served_to_another(client, users, auth, cached):
    client.get(LIST, headers=auth(users["company"]))
    other = client.get(LIST, headers=auth(users["company_other"]))
    assert other.status_code == 200 and "Age" not in other.headers


def test_sign_in_and_roles_are_checked_before_the_cache(client, users, auth, cached):
    company = auth(users["company"])
    assert client.get(LIST, headers=company).status_code == 200
    assert client.delete("/api/v1/auth/token?everywhere=true", headers=company).status_code == 204
    assert client.get(LIST, headers=company).status_code == 401
    # The review queue is for staff: a kept answer of an officer does not open it to others.
    officer = auth(users["officer"])
    assert client.get("/api/v1/matches", headers=officer).status_code == 200
    assert client.get("/api/v1/matches", headers=auth(users["researcher"])).status_code == 403


def test_errors_are_not_kept(client, users, auth, cached):
    officer = auth(users["officer"])
    for _ in range(2):
        resp = client.get("/api/v1/challenges?page=0", headers=officer)
        assert resp.status_code == 422 and "Age" not in resp.headers
    assert cached.keys("xeco:view:*") == []


def test_an_unreachable_redis_serves_uncached(app, client, users, auth, caplog):
    with view_cache(app, "redis://127.0.0.1:1/0"):
        officer = auth(users["officer"])
        with caplog.at_level(logging.WARNING, logger="xeco.api.caching"):
            for _ in range(2):
                resp = client.get(LIST, headers=officer)
                assert resp.status_code == 200 and "Age" not in resp.headers
            post_challenge(client, auth(users["company"]), "Written while Redis is down")
        assert "view cache unreachable" in caplog.text


def test_without_redis_the_cache_is_off(tmp_path):
    app = make_test_app(
        f"sqlite:///{tmp_path / 'x.db'}",
        str(tmp_path),
        VIEW_CACHE_SECONDS=5,
        VIEW_CACHE_REDIS_URL=None,
    )
    assert app.config["VIEW_CACHE_SECONDS"] == 0
    assert app.config["CACHE_TYPE"] == "NullCache"


@pytest.fixture
def token_kept(app, cached):
    """The token cache on as well, in the same Redis, as on a production web process."""
    app.extensions[token_cache.EXTENSION] = token_cache.TokenCache(REDIS_URL, 30)
    try:
        yield cached
    finally:
        app.extensions[token_cache.EXTENSION] = None


@pytest.fixture
def redis_commands(monkeypatch):
    """The Redis commands this process sends, by name, counted as they go."""
    sent: list[str] = []
    send = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]).upper())
        return send(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def test_a_kept_list_takes_one_round_trip_with_the_token_check(
    client, users, auth, token_kept, redis_commands
):
    officer = auth(users["officer"])
    for _ in range(3):  # the stamps made, the user kept, the list kept
        first = client.get(LIST, headers=officer)
    redis_commands.clear()
    again = client.get(LIST, headers=officer)
    assert "Age" in again.headers and again.get_data() == first.get_data()
    assert redis_commands == ["MGET"]


def test_a_list_read_with_the_token_follows_a_role_changed_by_another_process(
    app, client, users, auth, token_kept
):
    officer = users["officer"]
    headers = auth(officer)
    here = app.extensions[token_cache.EXTENSION]
    for _ in range(3):
        client.get(LIST, headers=headers)
    assert "Age" in client.get(LIST, headers=headers).headers
    # Another process changes the role: this one still keeps the officer, as of old stamps.
    app.extensions[token_cache.EXTENSION] = token_cache.TokenCache(REDIS_URL, 30)
    officer.role = Role.ADMIN
    transaction.commit()
    app.extensions[token_cache.EXTENSION] = here
    # The answer kept for the officer's role is not served to the admin the user now is.
    resp = client.get(LIST, headers=headers)
    assert resp.status_code == 200 and "Age" not in resp.headers
    assert client.get("/api/v1/me", headers=headers).get_json()["role"] == "admin"


def test_a_write_mark_read_with_the_token_shows_the_viewers_change(client, users, auth, token_kept):
    company = auth(users["company"])
    for _ in range(3):
        client.get(LIST, headers=company)
    post_challenge(client, company, "Read along with the token")
    resp = client.get(LIST, headers=company)
    assert "Age" not in resp.headers and "Read along with the token" in titles(resp)
