"""A real server (``flask serve``, as ``make run`` starts it) and Debian's Chromium.

The server runs on the embedded defaults: SQLite under a temporary instance path and the
filesystem broker, with the background worker that ``serve`` starts itself. Without a
``chromium`` on PATH the tests skip, or fail when ``XECO_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("XECO_REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "demo-password-2026"


def _missing(what: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (XECO_REQUIRE_SERVICES=1) but missing")
    pytest.skip(f"{what} missing")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        _missing("chromium")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "flask", "--app", "xeco", *args]
    cwd = env["XECO_INSTANCE_PATH"]
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, **kw)


@pytest.fixture(scope="session")
def mail_inbox():
    """A real SMTP server that the e2e server's worker sends its e-mail to."""
    from tests.smtp import start_smtp

    port = _free_port()
    controller, inbox = start_smtp(port)
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path, mail_inbox) -> str:
    """The base URL of a seeded xeco with its worker; stopped (with the worker) at the end."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    port = _free_port()
    env.update(
        XECO_INSTANCE_PATH=str(instance),
        RATELIMIT_AUTH="1000 per minute",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mail_inbox.port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )
    for step in (("db", "upgrade"), ("seed",)):
        done = _flask(env, *step, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    log = (instance / "serve.log").open("w")
    # A session of its own, so the server and the worker it starts stop together. The
    # instance as working directory keeps the broker's control files out of the checkout.
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "xeco", "serve", "--port", str(port)],
        env=env,
        cwd=instance,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, proc, instance)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _wait_for(url: str, proc: subprocess.Popen, instance: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("the server stopped:\n" + (instance / "serve.log").read_text()[-3000:])
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the server did not answer on {url} within {timeout} s")


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def shoot():
    """``shoot(page, name)`` saves a full-page screenshot into tests/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/signin" not in url)
