"""Helpers for the page tests: real CSRF tokens, signing in through the form."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str = "/signin") -> str:
    page = client.get(url)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def post_form(client, url: str, data: dict, form_url: str | None = None, **kw):
    """POST like a browser: the token comes from the page that shows the form."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def sign_in(client, user) -> None:
    response = post_form(client, "/signin", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def signed_in(client):
    """``signed_in(user)`` gives the test client with that user's session."""

    def login(user):
        sign_in(client, user)
        return client

    return login
