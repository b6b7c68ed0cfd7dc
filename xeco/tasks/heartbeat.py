"""Worker liveness: each worker process writes a heartbeat row that /health reads.

It also relays the outbox when it starts, so jobs recorded while the broker was down
go out as soon as a worker can reach it again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

import sqlalchemy as sa
from celery.signals import task_postrun, worker_ready, worker_shutdown

from xeco import transaction
from xeco.extensions import db
from xeco.models import WorkerHeartbeat
from xeco.models.base import utcnow

log = logging.getLogger(__name__)
INTERVAL = 10.0
_stop = threading.Event()
_done = {"count": 0}


def _name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat_once(app, started) -> None:
    with app.app_context():
        try:
            with transaction.unit():
                row = db.session.get(WorkerHeartbeat, _name())
                if row is None:
                    row = WorkerHeartbeat(
                        hostname=_name(), pid=os.getpid(), started_at=started, seen_at=utcnow()
                    )
                    db.session.add(row)
                row.seen_at = utcnow()
                row.tasks_done = _done["count"]
        except Exception:
            log.warning("heartbeat failed", exc_info=True)
        finally:
            db.session.remove()


@worker_ready.connect
def _start(sender=None, **_kwargs):
    from celery import current_app as celery

    app = celery.flask_app
    started = utcnow()

    def loop():
        while not _stop.is_set():
            beat_once(app, started)
            _stop.wait(INTERVAL)

    threading.Thread(target=loop, name="xeco-heartbeat", daemon=True).start()
    celery.send_task("xeco.relay_outbox")
    # Challenges that wait, however recent: their nudge may have been lost while the broker
    # was away (xeco.services.outbox.nudge).
    celery.send_task("xeco.match_waiting", kwargs={"older_than": 0})
    # A worker killed before this one started may have held a run's chunk or its planning:
    # queue again whatever an active run still waits for (a duplicate counts once).
    celery.send_task("xeco.resume_runs", kwargs={"after_seconds": 0})


@worker_shutdown.connect
def _shutdown(**_kwargs):
    _stop.set()
    from celery import current_app as celery

    with celery.flask_app.app_context(), transaction.unit():
        db.session.execute(sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.hostname == _name()))


@task_postrun.connect
def _count(**_kwargs):
    _done["count"] += 1
