"""xeco: matchmaking for an industry-university-research-government innovation ecosystem."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from config import load_config
from config.settings import DEV_SECRET, instance_secret


class XecoFlask(Flask):
    """Flask whose every view runs in one unit of work: commit on return, roll back on error.
    A view of a safe method (GET, HEAD, OPTIONS) may only read."""

    def dispatch_request(self):
        from flask import request

        from xeco import transaction
        from xeco.extensions import SAFE_METHODS

        rule = request.url_rule
        view = self.view_functions.get(rule.endpoint) if rule is not None else None
        reads_only = request.method in SAFE_METHODS and not getattr(
            view, "writes_on_safe_method", False
        )
        with transaction.unit(reads_only=reads_only):
            return super().dispatch_request()


def _planner_settings(app: Flask) -> None:
    """PostgreSQL planner settings for every connection of ours, sent when it opens."""
    cost = str(app.config.get("DATABASE_RANDOM_PAGE_COST") or "").strip()
    if not cost or not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        return
    try:
        float(cost)
    except ValueError:
        raise ValueError(f"DATABASE_RANDOM_PAGE_COST must be a number, not {cost!r}") from None
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    connect_args = dict(options.get("connect_args", {}))
    given = connect_args.get("options", "")
    connect_args["options"] = f"{given} -c random_page_cost={cost}".strip()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def create_app(config: object | str | None = None) -> Flask:
    """Build the app. ``config`` is a config class, a name, or a mapping of overrides."""
    app = XecoFlask(__name__, instance_relative_config=False)
    overrides: dict = {}
    if config is None or isinstance(config, str):
        app.config.from_object(load_config(config))
    elif isinstance(config, dict):
        app.config.from_object(load_config(config.get("ENV_NAME")))
        overrides = config
    else:
        app.config.from_object(config)
    app.config.update(overrides)
    Path(app.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    _settle_secrets(app)
    app.instance_path = app.config["INSTANCE_PATH"]
    logging.basicConfig(
        level=app.config.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    from flask_smorest import Api

    from xeco.extensions import (
        configure_sqlite,
        db,
        drop_dead_connections,
        jwt,
        limiter,
        mail,
        migrate,
    )
    from xeco.jsonio import JSONProvider, loads_column

    app.json = JSONProvider(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_deserializer": loads_column,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    _planner_settings(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            drop_dead_connections(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    jwt.init_app(app)
    limiter.init_app(app)
    from xeco.api.caching import init_cache

    init_cache(app)
    from xeco.services import token_cache

    token_cache.init_app(app)
    mail.init_app(app)
    # One Api per app: its OpenAPI spec is per app, and tests build several apps.
    api = Api(app)

    from xeco import models  # noqa: F401  (registers the tables with the metadata)
    from xeco.services import languages

    languages.register()
    from xeco.api import register_api
    from xeco.celery_app import celery_init_app
    from xeco.cli import register_cli
    from xeco.errors import register_error_handlers
    from xeco.headers import init_headers
    from xeco.web import init_web

    register_api(api, app)
    register_error_handlers(app)
    # After the JSON handlers, so the HTML error pages can wrap them outside /api.
    init_web(app)
    init_headers(app)
    celery_init_app(app)
    import xeco.tasks  # noqa: F401  (registers the tasks with Celery)

    register_cli(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Read the client's address and scheme from the ``TRUSTED_PROXIES`` proxies in front."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies < 0:
        raise ValueError(f"TRUSTED_PROXIES must be 0 or more, not {proxies}")
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _settle_secrets(app: Flask) -> None:
    """Real keys in production; elsewhere an unset key becomes this installation's own.

    A public default key would let anyone who reaches a default install forge a session
    or an admin token.
    """
    cfg = app.config
    if cfg.get("ENV_NAME") == "production":
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            if cfg.get(name) == DEV_SECRET or (name == "SECRET_KEY" and not cfg.get(name)):
                raise RuntimeError(f"{name} must be set to a secret value in production.")
    elif cfg.get("SECRET_KEY") in (DEV_SECRET, "", None):
        cfg["SECRET_KEY"] = instance_secret(Path(cfg["INSTANCE_PATH"]))
    if cfg.get("JWT_SECRET_KEY") in (DEV_SECRET, "", None):
        cfg["JWT_SECRET_KEY"] = cfg["SECRET_KEY"]
