"""Security headers on pages and API answers, and the session cookie's flags."""

from __future__ import annotations

import pytest

from tests.web.conftest import sign_in


@pytest.mark.parametrize("path", ["/", "/signin", "/api/v1/health", "/api/v1/openapi.json"])
def test_every_answer_carries_the_security_headers(client, path):
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    # A JSON answer may load nothing at all; a page only what comes from this site.
    default = "default-src 'none'" if path.startswith("/api/") else "default-src 'self'"
    assert default in csp
    assert "'unsafe-inline'" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_review_queue_cannot_be_framed(client, users):
    sign_in(client, users["officer"])
    resp = client.get("/review")
    assert resp.status_code == 200
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def test_swagger_ui_alone_may_run_its_inline_script(client):
    csp = client.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in csp and "frame-ancestors 'none'" in csp


def test_the_session_cookie_is_lax_and_http_only(client, users):
    sign_in(client, users["company"])
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.same_site == "Lax" and cookie.http_only
