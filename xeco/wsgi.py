"""WSGI entry point for gunicorn: ``gunicorn xeco.wsgi:app``."""

from xeco import create_app

app = create_app()
