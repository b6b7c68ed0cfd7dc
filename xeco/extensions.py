"""Extension instances, created unbound and attached in ``create_app``."""

import select
import threading
import time

from flask import request
from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config as jwt_config
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session as SASession

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Set on the session by ``transaction.unit`` for a request by a safe method.
READS_ONLY = "xeco_reads_only"
WITHOUT_TRANSACTION = "xeco_without_transaction"


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, which reads without a transaction where it is told to.

    On PostgreSQL a request that only reads gains nothing from BEGIN and COMMIT (under READ
    COMMITTED each statement sees its own snapshot either way) but two round trips: a
    sixth of a cached list's CPU. Such a session takes its connection in autocommit mode;
    the guard below makes sure nothing is written through it.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper, clause, bind, **kwargs)
        if self.info.get(WITHOUT_TRANSACTION) and isinstance(engine, Engine):
            return _autocommit(engine)
        return engine


def _autocommit(engine: Engine) -> Engine:
    # One option engine per engine: the session keys its connections by engine.
    kept = engine.__dict__.get("_xeco_autocommit")
    if kept is None:
        kept = engine.__dict__["_xeco_autocommit"] = engine.execution_options(
            isolation_level="AUTOCOMMIT"
        )
    return kept


class ReadOnlyViolation(RuntimeError):
    """Code serving a safe method (GET, HEAD, OPTIONS) tried to write."""


@event.listens_for(SASession, "before_flush")
def _no_flush_when_reading(session, _context, _instances) -> None:
    if session.info.get(READS_ONLY):
        raise ReadOnlyViolation("A request by a safe method may not write (it flushed).")


@event.listens_for(SASession, "do_orm_execute")
def _no_statement_writes_when_reading(state) -> None:
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and state.session.info.get(READS_ONLY):
        raise ReadOnlyViolation(
            f"A request by a safe method may not write: {str(state.statement)[:80]}"
        )


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"class_": Session})
migrate = Migrate()


class TokenManager(JWTManager):
    """flask-jwt-extended that checks a token's signature once per process, not per request.

    Each request parsed its token four times (PyJWT checks every character of every part in
    Python): an eighth of the API's CPU under load. Whether a given token string is signed by
    our key never changes, so the verified claims are kept per token; its expiry is checked
    again on every use, and revocation and the user's state are checked by the loaders on
    every request as before.
    """

    KEEP = 4096

    def __init__(self, app=None, add_context_processor: bool = False) -> None:
        self._verified: dict[tuple[str, str], dict] = {}
        self._lock = threading.Lock()
        super().__init__(app, add_context_processor)

    def _decode_jwt_from_config(self, encoded_token, csrf_value=None, allow_expired=False):
        if csrf_value is not None or allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        # Under the key too: a token is ours only while our key verifies it (and tests run
        # apps of different keys in one process).
        kept = (jwt_config.decode_key, encoded_token)
        claims = self._verified.get(kept)
        if claims is None or claims.get("exp", float("inf")) <= time.time():
            # Not seen, or expired: the full decode verifies it, or raises as it always did.
            claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
            with self._lock:
                if len(self._verified) >= self.KEEP:
                    self._verified.clear()
                self._verified[kept] = claims
        return dict(claims)


# Methods that change nothing: no rate limit applies to them, and the view cache serves them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteLimiter(Limiter):
    """Flask-Limiter that lets reads through before it looks for their limits.

    Every limit xeco sets is on a POST (sign-in, sign-up, password and e-mail resets: the
    guesses worth limiting). Finding for each read that none applies cost a twentieth of the
    API's CPU under load, and a request filter only runs once the endpoint, its blueprint and
    their exemptions are resolved (2.5% of the web's CPU, py-spy). A limit on a read would
    need this changed.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if request.method in SAFE_METHODS:
            return
        super()._check_request_limit(callable_name, in_middleware)


jwt = TokenManager()
limiter = WriteLimiter(key_func=get_remote_address, default_limits=[])


# Every form post carries a token; the API (bearer tokens, no cookies) is exempt.
csrf = CSRFProtect()
# Sends the e-mail outbox over SMTP (the outbox table stays: it is what makes mail reliable).
mail = Mail()
# Lists per viewer, for a few seconds (xeco/api/caching.py).
cache = Cache()


def drop_dead_connections(engine) -> None:
    """Replace a pooled PostgreSQL connection the server has closed before it is handed out.

    A server that restarts, or ends an idle session, says so on the socket and closes it:
    the socket of a live idle connection has nothing to read, that of a closed one has the
    notice or the end of the stream. Looking costs one ``poll`` and no round trip, where
    the pool's pre-ping (a ``SELECT 1`` on every checkout) cost a round trip per request
    and a tenth of the service's throughput under load. The pool retries the checkout
    with another connection, so after a restart no request fails. Not covered: a server
    that vanished without closing (its host lost): the first statement on such a
    connection fails as it would have after a ping that waited out the TCP timeout. A
    connection with unread data for another reason (LISTEN, which xeco does not use) would
    be replaced too: a reconnect, never an error.
    """

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, _record, _proxy):
        if _closed_by_server(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection")


def _closed_by_server(dbapi_connection) -> bool:
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    watch = select.poll()
    watch.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(watch.poll(0))


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
