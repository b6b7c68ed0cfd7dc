"""Domain errors and the one JSON error body used everywhere.

The body is flask-smorest's: ``{"code", "status", "message", "errors"?}``. Services raise the
errors below; they never build responses.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify
from kombu.exceptions import OperationalError as BrokerError
from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Errors that may pass if the work is tried again: the database or the broker away, a lock
# timeout, a deadlock or serialisation failure (psycopg reports those as OperationalError).
# Anything else (an IntegrityError, a DataError, a bug) fails the same way every time.
TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)


INVALID_MESSAGE = "Some fields are invalid; see errors."


class DomainError(Exception):
    code = 400
    message = "Bad request."
    # True when what was done before the error must be committed all the same.
    keep_changes = False

    def __init__(self, message: str | None = None, errors: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors


class Unauthorized(DomainError):
    code = 401
    message = "Sign in first."


class NotFound(DomainError):
    code = 404
    message = "Not found."


class Forbidden(DomainError):
    code = 403
    message = "Your role may not do this."


class Conflict(DomainError):
    code = 409
    message = "Conflict with the current state."


class Invalid(DomainError):
    code = 422
    message = INVALID_MESSAGE


def error_body(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    status = HTTPStatus(code)
    body = {"code": code, "status": status.phrase, "message": message or status.description}
    if errors:
        body["errors"] = errors
    return body


def _response(code: int, message: str | None = None, errors: dict | None = None, headers=None):
    resp = jsonify(error_body(code, message, errors))
    resp.status_code = code
    if headers:
        for key, value in headers:
            # The body is ours: its type and length are not those of the original answer.
            if key.lower() not in ("content-type", "content-length"):
                resp.headers[key] = value
    return resp


def http_error(err: HTTPException):
    """Any HTTP error as the JSON body (webargs' messages, when it has them, as errors)."""
    data = getattr(err, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    message = data.get("message") or (INVALID_MESSAGE if errors else err.description)
    headers = err.get_response().headers.items() if err.code in (405, 429) else None
    return _response(err.code or 500, message, errors, headers)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return _response(err.code, err.message, err.errors)

    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError):
        return _response(422, INVALID_MESSAGE, {"json": err.messages})

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error")
        return _response(500, "Internal error; it has been logged.")
