"""Security headers on every answer (Flask-Talisman) and the session cookie's flags.

The pages load scripts, styles and images from this site only, and no page may be framed
(the review queue's buttons would otherwise be clickjackable). Swagger UI starts itself
with an inline script and inline styles, so its one page gets those allowed.
"""

from __future__ import annotations

import inspect
from functools import wraps

from flask import Flask
from flask_talisman import Talisman

from xeco.api import is_api_path

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
SWAGGER_CSP = CSP | {"script-src": "'self' 'unsafe-inline'", "style-src": "'self' 'unsafe-inline'"}
SWAGGER_ENDPOINT = "api-docs.openapi_swagger_ui"
# A JSON answer loads nothing and is framed by nobody. Shorter, too: Talisman parses the
# policy on every answer, and the pages' ten directives were a twentieth of a kept list's CPU.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def init_headers(app: Flask) -> None:
    # One Talisman per app: it keeps its app and options on itself, and tests build several.
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        # TLS ends at the proxy in front of gunicorn; HSTS is sent on HTTPS requests.
        force_https=False,
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_samesite="Lax",
        session_cookie_http_only=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    for rule in app.url_map.iter_rules():
        if is_api_path(rule.rule) and rule.endpoint != SWAGGER_ENDPOINT:
            _view_options(app, rule.endpoint, {"content_security_policy": API_CSP})
    if SWAGGER_ENDPOINT in app.view_functions:
        _view_options(app, SWAGGER_ENDPOINT, {"content_security_policy": SWAGGER_CSP})


def _view_options(app: Flask, endpoint: str, options: dict) -> None:
    """Talisman's options for one view: an attribute of its function."""
    view = app.view_functions[endpoint]
    if inspect.ismethod(view):
        # flask-smorest's views are bound methods, which take no attributes: wrap them.
        bound = view

        @wraps(bound)
        def view(*args, **kwargs):
            return bound(*args, **kwargs)

        app.view_functions[endpoint] = view
    view.talisman_view_options = dict(options)
