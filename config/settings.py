"""Configuration classes.

Every setting comes from an environment variable with a default that works on a fresh machine:
SQLite under ``instance/`` and Celery's filesystem transport (no Redis) when no broker is set.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("XECO_INSTANCE_PATH", ROOT / "instance"))
# A marker for "not set", never a key: outside production a random key is generated into
# the instance folder instead, and production refuses to start without real keys.
DEV_SECRET = "dev-only-secret-change-me-in-production-0000"
SECRET_FILE = "secret_key"


def normalise_database_url(url: str) -> str:
    """Accept the plain URLs that compose files and hosting platforms give.

    ``postgres://`` and ``postgresql://`` carry no driver; SQLAlchemy would pick psycopg2,
    which we do not install, so name psycopg 3 explicitly.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(instance: Path) -> str:
    """This installation's own random key, made on first use and kept in the instance folder.

    Created exclusively, so the web server and the worker starting together agree on one.
    """
    path = Path(instance) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it this instant
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to make a new key.") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    return key


def embedded_broker_dir(instance: Path) -> Path:
    return instance / "broker"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    PORT = int(os.environ.get("PORT", "5000"))
    INSTANCE_PATH = str(INSTANCE)

    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'xeco.db'}")
    )
    # Chinese stays readable (and searchable with LIKE) inside JSON columns. No pre-ping:
    # connections the server closed are dropped at checkout without a round trip
    # (xeco.extensions.drop_dead_connections).
    SQLALCHEMY_ENGINE_OPTIONS = {
        "json_serializer": lambda obj: json.dumps(obj, ensure_ascii=False),
    }
    # PostgreSQL's planner cost of a page read at random, set on each of our connections.
    # Its default (4) prices a disk seek; our tables are read from memory, where the
    # trigram index of a search costs about what a sequential read costs, and with 4 a
    # search read the whole table instead (5 ms against 1.5 at 4,000 challenges). Empty
    # leaves the server's setting.
    DATABASE_RANDOM_PAGE_COST = os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1")

    # Unset means the embedded default: a filesystem transport that needs no server.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
    # Longer than the longest task: Redis redelivers unacknowledged tasks after it.
    CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
    CELERY_RESTORE_INTERVAL = int(os.environ.get("CELERY_RESTORE_INTERVAL", "10"))
    CELERY_RESTORE_THROTTLE = int(os.environ.get("CELERY_RESTORE_THROTTLE", "10"))
    CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)

    # Unset follows SECRET_KEY (settled in create_app, after the instance key is known).
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY") or None
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(
        minutes=int(os.environ.get("JWT_ACCESS_TOKEN_MINUTES", "60"))
    )

    MAX_CONTENT_LENGTH = 1024 * 1024
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        os.environ.get("CELERY_BROKER_URL")
        if (os.environ.get("CELERY_BROKER_URL") or "").startswith("redis")
        else "memory://"
    )
    # Lists kept per viewer for this long (xeco/api/caching.py); 0 turns the cache off. It
    # needs Redis: by default the one of the rate limits, when that is Redis.
    VIEW_CACHE_SECONDS = int(os.environ.get("VIEW_CACHE_SECONDS", "5"))
    VIEW_CACHE_REDIS_URL = os.environ.get("VIEW_CACHE_REDIS_URL") or (
        RATELIMIT_STORAGE_URI if RATELIMIT_STORAGE_URI.startswith("redis") else None
    )
    # Who each API token speaks for, kept per process this long at most while Redis (that of
    # the view cache) says nothing changed (xeco/services/token_cache.py); 0 asks the database
    # on every request.
    TOKEN_CACHE_SECONDS = int(os.environ.get("TOKEN_CACHE_SECONDS", "30"))
    RATELIMIT_AUTH = os.environ.get("RATELIMIT_AUTH", "10 per minute;100 per hour")
    # Proxies in front of the web server (a load balancer, a TLS terminator) whose
    # X-Forwarded-For and X-Forwarded-Proto are believed. Behind one, without this, every
    # client has the proxy's address: a single sign-in rate limit for everybody. 0, the
    # default, believes none, since a client can send those headers itself.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    RATELIMIT_HEADERS_ENABLED = True

    MATCHING_MIN_SCORE = float(os.environ.get("MATCHING_MIN_SCORE", "0.10"))
    MATCHING_TOP_K = int(os.environ.get("MATCHING_TOP_K", "10"))
    # A partner institute or programme is attached only from this score up (and only with a
    # substantive shared term), judged on its own, not on the capability's score.
    MATCHING_PARTNER_MIN_SCORE = float(os.environ.get("MATCHING_PARTNER_MIN_SCORE", "0.12"))
    MATCHING_FULL_RUN_CRON_HOUR = int(os.environ.get("MATCHING_FULL_RUN_CRON_HOUR", "3"))
    MATCHING_CHUNK_SIZE = int(os.environ.get("MATCHING_CHUNK_SIZE", "200"))
    # Waiting challenges one posted or edited challenge's task may match with it.
    MATCHING_SWEEP = int(os.environ.get("MATCHING_SWEEP", "16"))
    # How long a posted or edited challenge's task waits before it looks for what waits: the
    # posts of that moment are matched together, each for a fraction of a batch of its own.
    MATCHING_GATHER_SECONDS = float(os.environ.get("MATCHING_GATHER_SECONDS", "0.2"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "xeco@localhost")
    # Seconds to wait for the SMTP server: a stuck server must not hold the worker.
    MAIL_TIMEOUT = 10
    # Real SMTP by default, tests included (they run a local SMTP server): flask-mailman
    # would otherwise keep a testing app's mail in memory.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    # Where the site is reached, for links in e-mails (built by the worker, outside requests).
    PUBLIC_BASE_URL = os.environ.get(
        "PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    )
    # Conversations: the longest message, and how long between e-mails of one thread.
    MESSAGE_MAX_CHARS = 4000
    MESSAGE_EMAIL_INTERVAL_MINUTES = int(os.environ.get("MESSAGE_EMAIL_INTERVAL_MINUTES", "60"))
    # An introduction with no message and no outcome for this long gets one reminder.
    STALLED_AFTER_DAYS = int(os.environ.get("STALLED_AFTER_DAYS", "14"))

    API_TITLE = "xeco"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Served from the package (vendored from npm) so the docs page needs no CDN.
    OPENAPI_SWAGGER_UI_URL = "/static/vendor/swagger-ui/"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "Matchmaking between companies' challenges, researchers' "
            "capabilities and government programmes."
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
    }
    # A profile of argon2.profiles: the cost of every password hash.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    # A fresh machine has no mail server: without MAIL_SERVER the worker prints each e-mail
    # (the confirmation link of a new account, for one) to its output instead of failing.
    MAIL_BACKEND = os.environ.get(
        "MAIL_BACKEND", "smtp" if os.environ.get("MAIL_SERVER") else "console"
    )


class ProductionConfig(Config):
    ENV_NAME = "production"
    # Production is served over HTTPS; set SESSION_COOKIE_SECURE=0 only behind plain HTTP.
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    CELERY_BROKER_URL = "memory://"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    VIEW_CACHE_SECONDS = 0  # the tests of the cache turn it on
    TOKEN_CACHE_SECONDS = 0  # as do those of the token cache
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=5)
    # Hashing at production cost is most of the time of a test that signs users up.
    PASSWORD_HASH_PROFILE = "CHEAPEST"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("XECO_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"XECO_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
