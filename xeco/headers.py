"""Security headers on every answer (Flask-Talisman) and the session cookie's flags.

The pages load scripts, styles and images from this site only, and no page may be framed
(the review queue's buttons would otherwise be clickjackable). Swagger UI starts itself
with an inline script and inline styles, so its one page gets those allowed.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask
from flask_talisman import Talisman

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
    swagger = app.view_functions.get(SWAGGER_ENDPOINT)
    if swagger is not None:
        # flask-smorest's view is a bound method, which takes no attributes: wrap it.
        @wraps(swagger)
        def docs(*args, **kwargs):
            return swagger(*args, **kwargs)

        docs.talisman_view_options = {"content_security_policy": SWAGGER_CSP}
        app.view_functions[SWAGGER_ENDPOINT] = docs
