"""The JSON API under /api/v1: one blueprint per resource."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

PREFIX = "/api/v1"


def register_api(api: Api, app: Flask) -> None:
    from xeco.api import health

    for module in (health,):
        api.register_blueprint(module.blp, url_prefix=PREFIX + module.PATH)
