"""`flask serve` on the embedded default: its background worker ends with it."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.integration.conftest import _base_env, free_port

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_server_ended_by_a_signal_stops_its_worker(tmp_path, sig):
    # No broker configured: the embedded default, where serve starts its own worker.
    env = _base_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'xeco.db'}")
    log = tmp_path / "serve.log"
    # A file, not a pipe: a pipe nobody reads would block the worker's logging.
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "xeco", "serve", "--port", str(free_port())],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while worker is None and time.monotonic() < deadline and server.poll() is None:
            found = re.search(r"background worker started \(pid (\d+)\)", log.read_text())
            if found:
                worker = psutil.Process(int(found.group(1)))
            time.sleep(0.2)
        time.sleep(3)  # past the worker's start, when it forks beat
        family = [worker, *worker.children(recursive=True)]
        server.send_signal(sig)
        server.wait(30)
        _, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, f"left running: {[p.pid for p in alive]}"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if worker is not None:
            for proc in [worker, *_children(worker)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc.kill()


def _children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
