"""Celery's entry point: ``celery -A xeco.worker worker``."""

from xeco import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
