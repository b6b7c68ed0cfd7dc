"""The JSON API under /api/v1: one blueprint per resource."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api

from xeco.errors import DomainError

PREFIX = "/api/v1"


class UnsupportedMediaType(DomainError):
    code = 415
    message = "Send the body as JSON with 'Content-Type: application/json'."


def register_api(api: Api, app: Flask) -> None:
    from xeco.api import auth, catalogue, health, users
    from xeco.api.security import register_jwt

    register_jwt(app)
    for module in (health, auth, users):
        api.register_blueprint(module.blp, url_prefix=PREFIX + module.PATH)
    api.register_blueprint(users.me_blp, url_prefix=PREFIX + "/me")
    for path, blp in catalogue.BLUEPRINTS.items():
        api.register_blueprint(blp, url_prefix=PREFIX + path)

    @app.before_request
    def _require_json():
        if (
            request.path.startswith(PREFIX)
            and request.method in ("POST", "PUT", "PATCH")
            and (request.content_length or request.headers.get("Transfer-Encoding"))
            and not request.is_json
        ):
            raise UnsupportedMediaType()
