"""What the real server (``flask serve``) tells the network, and the CSP in a browser."""

from __future__ import annotations

import threading
import time
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


def test_a_hostile_bibtex_upload_neither_stalls_the_server_nor_others(server, browser):
    """The review's case: 512 KB of one unfinished entry once blocked every request."""
    from tests.e2e.conftest import sign_in

    hostile = ("@article{k," + " " * (512 * 1024))[: 512 * 1024 - 1] + "}"
    page = browser.new_page()
    health: list[float] = []

    def ask_health() -> None:
        start = time.monotonic()
        with urllib.request.urlopen(server + "/api/v1/health", timeout=30) as response:
            assert response.status == 200
        health.append(time.monotonic() - start)

    try:
        sign_in(page, server, "researcher@example.com")
        page.goto(server + "/capabilities/new")
        page.fill("#title", "Hostile upload probe")
        page.fill("#summary", "A capability whose publications come from a hostile file.")
        page.set_input_files(
            "#publications_file",
            files=[{"name": "refs.bib", "mimeType": "text/plain", "buffer": hostile.encode()}],
        )
        start = time.monotonic()
        beside = threading.Thread(target=ask_health)
        page.locator("form:has(#publications_file) button[type=submit]").click()
        beside.start()
        page.get_by_text("only the first 128 KB were read").wait_for(timeout=30_000)
        spent = time.monotonic() - start
        beside.join(30)
    finally:
        page.close()
    assert spent < 5, f"the upload took {spent:.1f} s"
    assert health and health[0] < 3, health
