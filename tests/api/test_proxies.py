"""The client's address behind trusted proxies (``TRUSTED_PROXIES``), as the rate limits see it."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app
from xeco.extensions import db


@pytest.fixture
def limited(backend, tmp_path):
    """``limited(proxies)``: a client of an app with a sign-in limit of 2 a minute."""
    made = []

    def build(proxies: int):
        _, base = backend
        app = make_test_app(
            base.config["SQLALCHEMY_DATABASE_URI"],
            str(tmp_path / f"instance-{len(made)}"),
            RATELIMIT_AUTH="2 per minute",
            TRUSTED_PROXIES=proxies,
        )
        made.append(app)
        return app.test_client()

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _sign_in(client, forwarded_for: str) -> int:
    body = {"email": "nobody@example.com", "password": "wrong"}
    headers = {"X-Forwarded-For": forwarded_for}
    return client.post("/api/v1/auth/token", json=body, headers=headers).status_code


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(limited):
    client = limited(1)
    assert [_sign_in(client, "198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert _sign_in(client, "198.51.100.2") == 401
    # Only the last hop is the proxy's own: what a client put before it is not believed.
    assert _sign_in(client, "198.51.100.1, 198.51.100.3") == 401


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(limited):
    client = limited(0)
    assert [_sign_in(client, "198.51.100.1") for _ in range(3)] == [401, 401, 429]
    assert _sign_in(client, "198.51.100.2") == 429


def test_a_negative_number_of_proxies_is_refused(backend, tmp_path):
    _, base = backend
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        make_test_app(base.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path), TRUSTED_PROXIES=-1)
