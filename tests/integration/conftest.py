"""Real processes: Celery workers on Redis or the filesystem transport, PostgreSQL, SQLite.

Nothing here is mocked. Data is committed for real (a worker in another process must see
it), in a throwaway PostgreSQL database or SQLite file per module.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis as redis_lib
from flask_migrate import upgrade

from tests.conftest import REDIS_URL, _pg_database, make_test_app, service_missing
from xeco.cli.serve import worker_command

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Worker:
    env: dict
    log: Path
    proc: subprocess.Popen | None = None
    name: str = field(default_factory=lambda: f"w{uuid.uuid4().hex[:6]}@test")

    def start(self, wait_ready: bool = True) -> Worker:
        cmd = worker_command("solo", None, "--without-gossip", "--without-mingle", "-n", self.name)
        self.log_handle = open(self.log, "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=ROOT, stdout=self.log_handle, stderr=subprocess.STDOUT
        )
        if wait_ready:
            wait_for(
                lambda: "ready." in self.log.read_text() or self.proc.poll() is not None,
                60,
                what="worker ready",
            )
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log_handle", None):
            self.log_handle.close()

    def count(self, text: str) -> int:
        return self.log.read_text().count(text)


@dataclass
class Live:
    app: object
    env: dict
    tmp: Path
    workers: list = field(default_factory=list)

    def worker(self, **env) -> Worker:
        w = Worker(
            dict(self.env, **{k: str(v) for k, v in env.items()}),
            self.tmp / f"worker-{len(self.workers)}.log",
        )
        self.workers.append(w)
        return w


def _base_env(instance: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_"))}
    env.update(
        XECO_INSTANCE_PATH=str(instance),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        MATCHING_MIN_SCORE="0.10",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


@pytest.fixture(scope="module")
def redis_url():
    # The run's own database (XECO_TEST_REDIS_URL): a fixed number was shared by every run on
    # the server, and one run's flush and workers took the other's tasks.
    url = REDIS_URL
    try:
        client = redis_lib.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
        client.close()
    except redis_lib.exceptions.ConnectionError as err:
        service_missing("Redis", err)
    return url


@pytest.fixture(scope="module")
def live_pg(request, tmp_path_factory, redis_url):
    """The API in-process and workers in their own processes, on PostgreSQL and Redis."""
    tmp = tmp_path_factory.mktemp("live-pg")
    url = _pg_database(request)
    env = _base_env(
        tmp / "instance",
        DATABASE_URL=url,
        CELERY_BROKER_URL=redis_url,
        CELERY_VISIBILITY_TIMEOUT=4,
        CELERY_RESTORE_INTERVAL=1,
        CELERY_RESTORE_THROTTLE=1,
        MATCHING_CHUNK_SIZE=2,
    )
    app = make_test_app(
        url, env["XECO_INSTANCE_PATH"], CELERY_BROKER_URL=redis_url, MATCHING_CHUNK_SIZE=2
    )
    with app.app_context():
        upgrade()
    live = Live(app, env, tmp)
    yield live
    for w in live.workers:
        w.stop()
    with app.app_context():
        from xeco.extensions import db

        db.engine.dispose()


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of the test's own, to stop and start again."""
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server", "not on PATH")
    port = free_port()

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        proc = None

        def start(self):
            self.proc = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            client = redis_lib.Redis.from_url(self.url)
            wait_for(lambda: _pings(client), 10, what="redis up")

        def stop(self):
            self.proc.terminate()
            self.proc.wait(10)

    server = Server()
    server.start()
    yield server
    if server.proc.poll() is None:
        server.stop()


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis_lib.exceptions.ConnectionError:
        return False
