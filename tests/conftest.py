"""Fixtures: the app on each database backend, a rolled-back transaction per test, users.

Every test that uses ``app`` runs twice: on SQLite and on PostgreSQL. The schema comes from
the Alembic migrations, so the migrations are exercised on both. PostgreSQL and Redis are
real servers on 127.0.0.1; when one is missing the test is skipped, or fails when
``XECO_REQUIRE_SERVICES=1`` (as in CI).
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis as redis_lib
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from xeco import create_app
from xeco.extensions import db as _db

REQUIRE_SERVICES = os.environ.get("XECO_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get(
    "XECO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("XECO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def service_missing(what: str, err: object) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (XECO_REQUIRE_SERVICES=1) but unreachable: {err}")
    pytest.skip(f"{what} unreachable: {err}")


def _pg_database(request) -> str:
    """A throwaway database on the real server, dropped when the session ends."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"xeco_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as err:
        admin.dispose()
        service_missing("PostgreSQL", err)

    def _drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(_drop)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def make_test_app(database_url: str, instance: str, **overrides):
    config = {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": instance,
        "CELERY_BROKER_URL": "memory://",
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOG_LEVEL": "WARNING",
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """(name, app) with a migrated schema, one per database backend."""
    instance = tmp_path_factory.mktemp(f"instance-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{instance / 'test.db'}"
    else:
        url = _pg_database(request)
    app = make_test_app(url, str(instance))
    with app.app_context():
        upgrade()
    yield request.param, app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def app(backend):
    """The app, with every database change of the test rolled back at its end."""
    _, app = backend
    with app.app_context():
        conn = _db.engine.connect()
        outer = conn.begin()
        original = _db.session
        # Commits inside the code under test release a savepoint; the outer transaction stays.
        _db.session = scoped_session(
            sessionmaker(bind=conn, class_=Session, join_transaction_mode="create_savepoint")
        )
        app.extensions["limiter"] = app.extensions.get("limiter")
        from xeco.extensions import limiter

        limiter.reset()
        try:
            yield app
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            conn.close()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def dialect(backend) -> str:
    return backend[0]


ROLES = ("company", "researcher", "institute", "agency", "officer", "admin")


@pytest.fixture
def users(app, db):
    """One user per role, each in an organisation of the right kind (staff in none)."""
    from tests.factories import UserFactory
    from xeco.models import Role

    made = {name: UserFactory(role=Role(name), email=f"{name}@test.example.com") for name in ROLES}
    made["company_other"] = UserFactory(role=Role.COMPANY, email="other@test.example.com")
    db.session.commit()
    return made


@pytest.fixture
def auth(app):
    """``auth(user)`` gives the headers of a signed-in request."""
    from flask_jwt_extended import create_access_token

    def headers(user) -> dict:
        return {"Authorization": f"Bearer {create_access_token(identity=user)}"}

    return headers


@pytest.fixture
def redis_store():
    """A client of the tests' Redis database (REDIS_URL), emptied before and after."""
    store = redis_lib.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        store.flushdb()
    except redis_lib.exceptions.ConnectionError as err:
        service_missing("Redis", err)
    yield store
    store.flushdb()
    store.close()


def drain_tasks(app) -> list[tuple[str, dict]]:
    """The task messages the app has sent to its broker and nobody took, taken now."""
    celery = app.extensions["celery"]
    got = []
    with celery.connection_for_read() as conn:
        queue = conn.SimpleQueue(celery.conf.task_default_queue)
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                break
            _args, kwargs, _embed = message.payload
            got.append((message.headers["task"], kwargs))
            message.ack()
        queue.close()
    return got
