"""The server-rendered site: pages for companies, researchers, institutes, agencies, officers.

Pages call the same services as the JSON API, with the same permissions; they only turn
domain errors into flash messages, form errors and HTML error pages.
"""

from __future__ import annotations

from flask import Flask

from xeco.web.blueprint import bp


def init_web(app: Flask) -> None:
    # Importing views and template_tools attaches their routes and filters to the blueprint.
    from xeco.extensions import csrf
    from xeco.web import errors, i18n, session, template_tools, views  # noqa: F401

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    # Checked before any view runs, so a new form cannot forget it (a bad token is a 400).
    csrf.init_app(app)
    i18n.init_app(app)
    session.init_app(app)
    app.register_blueprint(bp)
    errors.init_app(app)
