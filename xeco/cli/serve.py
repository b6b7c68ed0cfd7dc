from __future__ import annotations

import atexit
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import WSGIRequestHandler, run_simple


class QuietServerHandler(WSGIRequestHandler):
    """The Server header names no software versions (they only help an attacker)."""

    def version_string(self) -> str:
        return "xeco"


def worker_command(pool: str = "solo", schedule: Path | None = None, *extra: str) -> list[str]:
    """The Celery worker command line; with ``schedule``, beat runs inside it too."""
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "xeco.worker",
        "worker",
        "--pool",
        pool,
        "--loglevel",
        "INFO",
        *extra,
    ]
    if schedule is not None:
        cmd += ["--beat", "--schedule", str(schedule)]
    return cmd


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a warm shutdown), then SIGKILL if it has not ended after ``timeout``."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _exit_on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


@click.command(help="Serve the UI and API; on the embedded default also run the worker.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: $PORT or 5000.")
@click.option(
    "--worker/--no-worker",
    default=None,
    help="Start a Celery worker (with beat) beside the server. Default: only when no "
    "CELERY_BROKER_URL is set, since then nothing else would do the background work.",
)
@with_appcontext
def serve(host, port, worker):
    app = current_app._get_current_object()
    port = port or app.config["PORT"]
    if worker is None:
        worker = not app.config.get("CELERY_BROKER_URL")
    if worker:
        proc = subprocess.Popen(
            worker_command(schedule=Path(app.config["INSTANCE_PATH"]) / "celerybeat-schedule")
        )
        click.echo(f"background worker started (pid {proc.pid})")

        atexit.register(stop_process, proc, 10)
        # atexit runs on Ctrl-C but not when the server is ended by a signal (kill, a closed
        # terminal, a service manager): turned into an exit, those stop the worker too,
        # instead of leaving it to take the next server's tasks.
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _exit_on_signal)
    click.echo(f"xeco on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)")
    # app.run() refuses to run inside the flask command; run_simple is what it would call.
    run_simple(
        host,
        port,
        app,
        use_reloader=False,
        use_debugger=False,
        threaded=True,
        request_handler=QuietServerHandler,
    )
