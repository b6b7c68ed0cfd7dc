"""Extension instances, created unbound and attached in ``create_app``."""

from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Every form post carries a token; the API (bearer tokens, no cookies) is exempt.
csrf = CSRFProtect()
# Sends the e-mail outbox over SMTP (the outbox table stays: it is what makes mail reliable).
mail = Mail()
# Lists per viewer, for a few seconds (xeco/api/caching.py).
cache = Cache()


def configure_sqlite(engine) -> None:
    """Make SQLite behave like the PostgreSQL we run in production.

    pysqlite defers BEGIN and so breaks SAVEPOINTs; taking over transaction control fixes
    that. BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that read
    and then writes after another process (the worker) committed fails at once with
    "database is locked", while an immediate one waits its turn (busy_timeout). Foreign
    keys are off in SQLite unless asked for; WAL lets the web server and the worker process
    read while the other writes.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
