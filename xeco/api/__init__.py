"""The JSON API under /api/v1: one blueprint per resource."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from xeco.errors import DomainError

PREFIX = "/api/v1"


def is_api_path(path: str) -> bool:
    """Whether a request's path is the API's (JSON, bearer tokens) rather than a page's."""
    return path.startswith(PREFIX)


class UnsupportedMediaType(DomainError):
    code = 415
    message = "Send the body as JSON with 'Content-Type: application/json'."


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Row ids: 1 to 2**31-1. Anything else is a 404 before it reaches the database."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def register_api(api: Api, app: Flask) -> None:
    from xeco.api import (
        account,
        auth,
        catalogue,
        conversation,
        health,
        matches,
        notifications,
        organisations,
        reports,
        runs,
        users,
        workflow,
    )
    from xeco.api.security import register_jwt
    from xeco.extensions import csrf

    register_jwt(app)
    app.url_map.converters["id"] = IdConverter
    api.register_converter(
        IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )

    def add(blp, path: str) -> None:
        api.register_blueprint(blp, url_prefix=PREFIX + path)
        csrf.exempt(blp)  # bearer tokens, not cookies: nothing for a forged form to ride on

    modules = (health, auth, users, matches, workflow, runs, notifications, reports)
    for module in (*modules, account, organisations):
        add(module.blp, module.PATH)
    add(users.me_blp, "/me")
    for path, blp in catalogue.BLUEPRINTS.items():
        add(blp, path)
    add(matches.challenge_blp, "/challenges")
    add(workflow.reviewer_blp, "/challenges")
    add(reports.audit_blp, "/audit")
    add(conversation.blp, conversation.PATH)
    add(conversation.challenge_blp, "/challenges")

    @app.before_request
    def _require_json():
        if (
            is_api_path(request.path)
            and request.method in ("POST", "PUT", "PATCH")
            and (request.content_length or request.headers.get("Transfer-Encoding"))
            and not request.is_json
        ):
            raise UnsupportedMediaType()

    @app.before_request
    def _parse_json_once():
        # The JSON decoder recurses per nesting level: a deep enough body raises
        # RecursionError, which is bad input (400), not a server error.
        if is_api_path(request.path) and request.is_json:
            try:
                request.get_json(silent=True)
            except RecursionError:
                raise BadRequest("The JSON body is nested too deeply.") from None
