"""Celery wired to the Flask app, as in Flask's own Celery pattern.

Without ``CELERY_BROKER_URL`` the embedded default uses kombu's filesystem transport: messages
are files under ``instance/broker``, so a worker process does the background work on a machine
with no Redis. With ``CELERY_BROKER_URL=redis://...`` the same tasks go through Redis.
"""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask, has_app_context

from config.settings import embedded_broker_dir


def broker_settings(app: Flask) -> dict:
    url = app.config.get("CELERY_BROKER_URL")
    if url:
        options: dict = {}
        if url.startswith("redis"):
            # Longer than the longest task, so acks_late never redelivers a task still running.
            options = {
                "visibility_timeout": app.config.get("CELERY_VISIBILITY_TIMEOUT", 3600),
                "socket_connect_timeout": 2,
                # How often a worker sweeps for tasks a dead worker left unacknowledged.
                "unacked_restore_interval": app.config.get("CELERY_RESTORE_INTERVAL", 10),
                "unacked_restore_throttle": app.config.get("CELERY_RESTORE_THROTTLE", 10),
            }
        return {"broker_url": url, "broker_transport_options": options}
    root = embedded_broker_dir(Path(app.config["INSTANCE_PATH"]))
    for sub in ("out", "processed", "control"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://localhost/",
        "broker_transport_options": {
            "data_folder_in": str(root / "out"),
            "data_folder_out": str(root / "out"),
            "processed_folder": str(root / "processed"),
            # Broadcast (pidbox) files; the default is a folder in the working directory.
            "control_folder": str(root / "control"),
            "store_processed": False,
        },
    }


def beat_schedule(app: Flask) -> dict:
    return {
        "relay-task-outbox": {"task": "xeco.relay_outbox", "schedule": 30.0},
        "resume-stalled-runs": {"task": "xeco.resume_runs", "schedule": 300.0},
        # As often as the outbox's relay: a nudge lost with the broker is all they wait for.
        "match-waiting-challenges": {
            "task": "xeco.match_waiting",
            "schedule": 30.0,
            "kwargs": {"older_than": 30},
        },
        "send-email-outbox": {"task": "xeco.send_emails", "schedule": 60.0},
        "compact-match-counts": {"task": "xeco.compact_match_counts", "schedule": 60.0},
        "nightly-full-run": {
            "task": "xeco.scheduled_full_run",
            "schedule": crontab(minute=0, hour=app.config["MATCHING_FULL_RUN_CRON_HOUR"]),
        },
        "daily-digest": {"task": "xeco.daily_digest", "schedule": crontab(minute=0, hour=8)},
        "remind-stalled": {"task": "xeco.remind_stalled", "schedule": crontab(minute=30, hour=8)},
    }


def celery_init_app(app: Flask) -> Celery:
    from xeco import transaction

    class FlaskTask(Task):
        """Every task runs in the app context and one unit of work (commit, or roll back)."""

        def __call__(self, *args, **kwargs):
            # Called inside an app already (eagerly, or from a test): use its context.
            if has_app_context():
                with transaction.unit():
                    return self.run(*args, **kwargs)
            with app.app_context(), transaction.unit():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        **broker_settings(app),
        task_always_eager=app.config.get("CELERY_TASK_ALWAYS_EAGER", False),
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        # A publish that cannot reach the broker fails fast: the outbox keeps the job.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        beat_schedule=beat_schedule(app),
        worker_hijack_root_logger=False,
    )
    celery.flask_app = app
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
