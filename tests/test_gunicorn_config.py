"""config/gunicorn.py as gunicorn runs it: a real server, asked from inside its worker."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from xeco.cli.serve import stop_process

ROOT = Path(__file__).resolve().parents[1]
APP = """
import gc

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/gc")
def state():
    return jsonify(frozen=gc.get_freeze_count(), threshold=gc.get_threshold())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_worker_freezes_what_the_app_loaded(tmp_path):
    (tmp_path / "gc_app.py").write_text(APP)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    cmd = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "-c", str(ROOT / "config" / "gunicorn.py")]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*cmd, "gc_app:app"],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    conn.request("GET", "/gc")
                    answer = json.loads(conn.getresponse().read())
                finally:
                    conn.close()
                break
            except OSError:
                assert proc.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.1)
    finally:
        stop_process(proc, 10)
    # Flask and its imports alone are thousands of objects; frozen, no collection walks them.
    assert answer["frozen"] > 5_000
    assert answer["threshold"] == [20_000, 10, 10]
