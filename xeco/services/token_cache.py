"""Who each API token speaks for, kept by every process between requests, checked on Redis.

Every API request asked the database for its token's user and whether the token was
withdrawn: with the round trip, the largest part of a cached list's cost, for an answer
that rarely changes. Each process now keeps the answer per user and token, with the
*stamps* it was read under: random values in Redis, one per user, which change after any
change to the user's row commits (deactivation, a new role, signing out everywhere), and
one for everyone, which changes after any token is withdrawn or users are changed in bulk.
A request reads both stamps (one Redis round trip, no database) and takes the kept answer
only while they are the ones it was read under; otherwise it asks the database. So a
withdrawn token, a deactivated user or a changed role take effect at once, on every process.

A missing stamp (new, or expired after a day without change) is made, and the database
asked. Kept answers are also dropped after ``TOKEN_CACHE_SECONDS``, so a process that died
between a commit and changing the stamps leaves others with the old answer for at most that
long. Without Redis (the embedded default), with ``TOKEN_CACHE_SECONDS=0``, or while Redis
cannot be reached, every request asks the database.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import NamedTuple

import redis
from flask import Flask, current_app, g, has_app_context, has_request_context
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached

from xeco.extensions import db
from xeco.models import RevokedToken, User

log = logging.getLogger(__name__)

EXTENSION = "xeco_token_cache"
PREFIX = "xeco:auth:"
EVERYONE = PREFIX + "everyone"
# A user's stamp outlives its last change by a day; one made anew costs a database read.
STAMP_SECONDS = 24 * 3600
# Changes seen by the session's flushes, made known when (and only if) it commits.
CHANGED = "xeco_token_cache_changed"
# Other keys a request reads with its stamps (``read_along``), and what they held.
ALONG = "xeco_token_cache_along"
ALONG_VALUES = "xeco_token_cache_along_values"
# The row as kept, but for the password hash: it stays in the database (read on demand
# by the rare request that checks a password) rather than in every process's memory.
COLUMNS = tuple(a.key for a in User.__mapper__.column_attrs if a.key != "password_hash")


def _user_key(user_id: int) -> str:
    return f"{PREFIX}{user_id}"


def _fresh_stamp() -> str:
    return secrets.token_hex(8)


class Kept(NamedTuple):
    """What one process knows of a user: their row, and which of their tokens were not
    withdrawn, as of ``stamps`` (read before the row) and ``at`` (monotonic seconds)."""

    stamps: tuple
    at: float
    columns: dict
    tokens: frozenset[str]


class TokenCache:
    """The answers one process keeps, per user id."""

    KEEP = 10_000  # users; more are dropped all at once (a process serves far fewer)
    # Token ids per user: one user signing in over and over must not grow the memory.
    TOKENS_PER_USER = 16

    def __init__(self, url: str, seconds: int) -> None:
        # Short timeouts: a Redis that hangs must cost a request a moment, not a worker.
        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.seconds = seconds
        self._kept: dict[int, Kept] = {}

    def user(self, user_id: int, jti: str, load: Callable[[], User | None]) -> User | None:
        """The active user this token speaks for, or None if it was withdrawn: kept, or
        ``load()`` from the database."""
        if self.seconds <= 0:
            return load()  # keeping nothing, only making changes known
        kept = self._kept.get(user_id)
        along = g.pop(ALONG, None) if has_request_context() else None
        extra = along(kept.columns) if along is not None and kept is not None else []
        try:
            values = self.redis.mget(_user_key(user_id), EVERYONE, *extra)
        except RedisError:
            log.warning("token cache unreachable: asking the database", exc_info=True)
            return load()
        stamps = tuple(values[:2])
        now = time.monotonic()
        fresh = kept is not None and kept.stamps == stamps and now - kept.at < self.seconds
        if fresh and jti in kept.tokens:
            if extra:
                # Read for the user as kept, which the stamps just said is the user as is.
                g.setdefault(ALONG_VALUES, {}).update(zip(extra, values[2:], strict=True))
            return _attached(kept.columns)
        user = load()  # after reading the stamps: a change after this read changes them
        if None in stamps:
            self._make_stamps(user_id, stamps)
        elif user is not None and (columns := _columns(user)) is not None:
            self._keep(user_id, stamps, now, columns, jti, kept if fresh else None)
        return user

    def _keep(self, user_id, stamps, now, columns, jti, fresh: Kept | None) -> None:
        if fresh is not None and len(fresh.tokens) < self.TOKENS_PER_USER:
            # The same stamps: another of the user's tokens, checked now; the row kept is
            # as recent, and the entry ages from its first check.
            self._kept[user_id] = fresh._replace(columns=columns, tokens=fresh.tokens | {jti})
            return
        if user_id not in self._kept and len(self._kept) >= self.KEEP:
            self._drop_old(now)
        self._kept[user_id] = Kept(stamps, now, columns, frozenset({jti}))

    def _drop_old(self, now: float) -> None:
        for user_id, kept in list(self._kept.items()):
            if now - kept.at >= self.seconds:
                self._kept.pop(user_id, None)
        if len(self._kept) >= self.KEEP:  # all recent: a process serving that many is rare
            self._kept.clear()

    def _make_stamps(self, user_id: int, stamps: tuple) -> None:
        # Only where none is: a stamp set meanwhile by a change must stay. Nothing is kept
        # this time (what was read may predate such a change); the next request keeps it.
        try:
            if stamps[0] is None:
                self.redis.set(_user_key(user_id), _fresh_stamp(), nx=True, ex=STAMP_SECONDS)
            if stamps[1] is None:
                self.redis.set(EVERYONE, _fresh_stamp(), nx=True)
        except RedisError:
            log.warning("token cache unreachable: no stamp made", exc_info=True)

    def changed(self, user_ids: set[int], everyone: bool) -> None:
        """After a commit: what was kept for these users (or everyone) is no longer true."""
        if everyone:
            self._kept.clear()
        for user_id in user_ids:
            self._kept.pop(user_id, None)
        try:
            pipe = self.redis.pipeline(transaction=False)
            for user_id in user_ids:
                pipe.set(_user_key(user_id), _fresh_stamp(), ex=STAMP_SECONDS)
            if everyone:
                pipe.set(EVERYONE, _fresh_stamp())
            pipe.execute()
        except Exception:  # after the commit: nothing may undo it or skip what follows
            log.error(
                "token cache unreachable: other processes may use what they kept of users %s "
                "(everyone: %s) for up to %d s",
                sorted(user_ids),
                everyone,
                self.seconds,
                exc_info=True,
            )


def init_app(app: Flask) -> None:
    """With a Redis, every process makes its changes known, also one that keeps nothing
    (``TOKEN_CACHE_SECONDS=0``: a worker, a command): others may be keeping."""
    seconds = app.config.get("TOKEN_CACHE_SECONDS", 0)
    url = app.config.get("VIEW_CACHE_REDIS_URL")
    app.extensions[EXTENSION] = TokenCache(url, seconds) if url else None


def current() -> TokenCache | None:
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


def user_for_token(user_id: int, jti: str, load: Callable[[], User | None]) -> User | None:
    cache = current()
    return load() if cache is None else cache.user(user_id, jti, load)


def read_along(keys: Callable[[dict], list[str]]) -> None:
    """This request's token check also reads ``keys(columns)`` of the user as kept, in the
    same round trip as the stamps: what they held is in :func:`read_along_values` when the
    kept user was served (its columns were then current), otherwise nothing is."""
    g.setdefault(ALONG, keys)


def read_along_values() -> dict:
    """Each key read along with the stamps and what it held (``None``: absent)."""
    return g.pop(ALONG_VALUES, None) or {}


def _columns(user: User) -> dict | None:
    loaded = user.__dict__
    if any(key not in loaded for key in COLUMNS):
        return None  # partly expired: not worth a query to complete
    return {key: loaded[key] for key in COLUMNS}


def _attached(columns: dict) -> User:
    """The kept user as one of this request's session, as if read: no query, no change."""
    session = db.session()
    key = User.__mapper__.identity_key_from_primary_key([columns["id"]])
    present = session.identity_map.get(key)
    if present is not None:
        return present
    # As a query's rows are made: the values go straight into the instance's dict. Through
    # the constructor each of the twenty columns was an attribute event with its history,
    # then discarded by make_transient_to_detached: a fiftieth of a kept list's CPU.
    user = User.__mapper__.class_manager.new_instance()
    user.__dict__.update(columns)
    make_transient_to_detached(user)
    session.add(user)
    return user


def _changes(session: Session) -> dict:
    return session.info.setdefault(CHANGED, {"users": set(), "everyone": False})


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context) -> None:
    users = {o.id for o in (*session.dirty, *session.deleted) if isinstance(o, User)}
    withdrawn = any(isinstance(o, RevokedToken) for o in session.new)
    if users or withdrawn:
        changes = _changes(session)
        changes["users"] |= users
        changes["everyone"] |= withdrawn


@event.listens_for(Session, "do_orm_execute")
def _note_statements(state) -> None:
    # UPDATE/DELETE of users or INSERT of withdrawn tokens as statements, not objects, by
    # the table they write (ORM or Core). Plain SQL text is not seen: see docs/scaling.md.
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table == User.__tablename__ or (table == RevokedToken.__tablename__ and state.is_insert):
        _changes(state.session)["everyone"] = True


@event.listens_for(Session, "after_commit")
def _make_changes_known(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the changes are not committed yet
    changes = session.info.pop(CHANGED, None)
    cache = current()
    if changes and cache is not None:
        cache.changed(changes["users"], changes["everyone"])


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(session: Session, previous) -> None:
    # Only when the whole transaction ended: a savepoint rolled back (begin_nested) leaves
    # the changes flushed before it, which the outer transaction may still commit.
    if previous.parent is None:
        session.info.pop(CHANGED, None)
