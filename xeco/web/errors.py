"""HTML error pages for the site; the JSON API keeps its own error bodies.

Errors raised inside the site's views reach the blueprint's handlers. A URL that matches no
route belongs to no blueprint, so the app-wide HTTP error handler is wrapped: paths under
the API still get JSON, everything else a page.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from xeco.api import is_api_path
from xeco.errors import DomainError, http_error
from xeco.web.blueprint import bp
from xeco.web.messages import translate

log = logging.getLogger(__name__)

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You may not see this page"),
    404: _l("Page not found"),
    405: _l("That action is not allowed here"),
    409: _l("That conflicts with the current state"),
    413: _l("That upload is too large"),
    422: _l("Some fields are invalid"),
    429: _l("Too many attempts; wait a minute"),
    500: _l("Something went wrong on our side"),
}
HINTS = {
    403: _l("Your role does not include this. Sign in with another account if you have one."),
    404: _l("It may have been removed, or it is not visible to your account."),
    400: _l("If you submitted a form, reload the page and try again."),
    413: _l(
        "Nothing was saved. Go back: your browser keeps what you typed. Shorten the text or "
        "the file (up to 1 MB at once) and send it again."
    ),
}


def error_page(code: int, message: str | None = None, headers=None):
    code = code if code in TITLES else 500
    body = render_template(
        "error.html", code=code, title=TITLES[code], message=message, hint=HINTS.get(code)
    )
    return body, code, headers or {}


def _http_page(err: HTTPException):
    # A 405 names the methods that work (Allow); the rest of the original headers describe
    # werkzeug's own body, not this page.
    kept = {k: v for k, v in err.get_headers() if k in ("Allow", "Retry-After")}
    return error_page(err.code or 500, headers=kept)


@bp.errorhandler(DomainError)
def _domain(err: DomainError):
    # Service messages name the missing thing ("No match with id 7."): safe and useful.
    return error_page(err.code, translate(err.message))


@bp.errorhandler(HTTPException)
def _http(err: HTTPException):
    return _http_page(err)


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    log.exception("unhandled error on a page")
    return error_page(500)


def init_app(app: Flask) -> None:
    """Route-less 404s and 405s outside the API get the HTML page too."""

    def _either(err: HTTPException):
        return http_error(err) if is_api_path(request.path) else _http_page(err)

    # Takes the place of the app-wide JSON handler, which it calls for the API's paths.
    app.register_error_handler(HTTPException, _either)
