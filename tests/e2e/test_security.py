"""What the real server (``flask serve``) tells the network, and the CSP in a browser."""

from __future__ import annotations

import urllib.request

import pytest

pytestmark = pytest.mark.slow


def test_the_server_header_names_no_versions(server):
    with urllib.request.urlopen(server + "/api/v1/health", timeout=10) as response:
        assert response.headers["Server"] == "xeco"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_pages_and_swagger_ui_work_under_the_policy(server, browser):
    page = browser.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda msg: refused.append(msg.text) if "Content Security" in msg.text else None
    )
    try:
        page.goto(server + "/signin")
        page.goto(server + "/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info", timeout=15_000)
    finally:
        page.close()
    assert refused == []
