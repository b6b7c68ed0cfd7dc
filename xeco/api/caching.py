"""A short-lived cache of list answers, per viewer, shared by every web process over Redis.

Lists (the catalogue, search, the review queue, notifications) are most of what the API
serves and the dearest to build: several queries and a few hundred serialised fields each.
An answer is kept for ``VIEW_CACHE_SECONDS`` under a key of the viewer, their role and the
exact URL, so nobody is ever served another person's view. Others' changes show within that
time; a viewer's own changes show at once: any write they make marks them, and while marked
their lists are built afresh. Sign-in and role checks still run on every request (the
cache sits inside ``signed_in``), so a revoked token or a changed role takes effect at once.

It needs Redis: without one (the embedded default) it is off, since a per-process cache
could serve a viewer, from another process, a list from before their own write.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from flask import Flask, current_app, request
from flask_jwt_extended import get_current_user
from redis.exceptions import RedisError

from xeco.extensions import cache
from xeco.services import token_cache

log = logging.getLogger(__name__)
# Flask recomputes the length; a cookie belongs to one response, never to a kept one. The
# security headers are added by after_request to a cached answer as to any other.
DROPPED_HEADERS = frozenset({"Content-Length", "Set-Cookie"})


def init_cache(app: Flask) -> None:
    seconds = app.config["VIEW_CACHE_SECONDS"]
    url = app.config.get("VIEW_CACHE_REDIS_URL")
    if seconds > 0 and url:
        app.config.update(
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=url,
            CACHE_KEY_PREFIX="xeco:view:",
            # Lists read here on every request: a Redis that hangs must cost a request a
            # moment, not hold its thread.
            CACHE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        )
    else:
        app.config.update(CACHE_TYPE="NullCache", CACHE_NO_NULL_WARNING=True, VIEW_CACHE_SECONDS=0)
    cache.init_app(app)


def enabled() -> bool:
    return current_app.config["VIEW_CACHE_SECONDS"] > 0


def _marker(user_id: int) -> str:
    return f"wrote:{user_id}"


def note_write(user) -> None:
    """The viewer changed something: build their lists afresh for a while.

    Twice the keeping time, so a list begun just before the write and stored just after it
    has expired before the mark does."""
    if not enabled():
        return
    try:
        cache.set(_marker(user.id), 1, timeout=2 * current_app.config["VIEW_CACHE_SECONDS"] + 1)
    except RedisError:
        log.warning("view cache unreachable: a write was not marked", exc_info=True)


def _serves() -> bool:
    """Whether this request's list may come from the cache."""
    return enabled() and request.method == "GET"


def _key(user_id: int, role: str) -> str:
    return f"{user_id}:{role}:{request.full_path}:{request.headers.get('Accept-Language', '')}"


def read_with_token() -> None:
    """Before the sign-in check of a list kept here: read the viewer's kept answer and write
    mark with the token's stamps, in one round trip to Redis instead of two (the token cache
    knows the viewer's role before the user is loaded)."""
    if not _serves():
        return
    prefix = current_app.config["CACHE_KEY_PREFIX"]
    token_cache.read_along(
        lambda columns: [
            prefix + _key(columns["id"], columns["role"].value),
            prefix + _marker(columns["id"]),
        ]
    )


def _read(user, key: str) -> tuple:
    """The kept answer and the write mark: as read with the token, or read now."""
    prefix = current_app.config["CACHE_KEY_PREFIX"]
    along = token_cache.read_along_values()
    keys = (key, _marker(user.id))
    names = [prefix + k for k in keys]
    if all(name in along for name in names):
        loads = cache.cache.serializer.loads
        return tuple(loads(along[name]) for name in names)
    return tuple(cache.get_many(*keys))


def per_viewer(fn):
    """Serve a 200 answer of this list from the cache when the viewer's is fresh enough.

    Goes inside ``signed_in`` (it needs the viewer) and outside the argument parsing and
    the response schema (a hit skips both); ``signed_in`` has it read with the token."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        if not _serves():
            return fn(*args, **kwargs)
        user = get_current_user()
        key = _key(user.id, user.role.value)
        try:
            kept, marked = _read(user, key)
        except RedisError:
            log.warning("view cache unreachable: serving uncached", exc_info=True)
            return fn(*args, **kwargs)
        if kept is not None and marked is None:
            stored_at, headers, body = kept
            resp = current_app.response_class(body, 200, headers)
            resp.headers["Age"] = str(int(time.time() - stored_at))
            return resp
        resp = fn(*args, **kwargs)
        if marked is None and getattr(resp, "status_code", None) == 200:
            headers = [(k, v) for k, v in resp.headers.items() if k not in DROPPED_HEADERS]
            entry = (time.time(), headers, resp.get_data())
            try:
                cache.set(key, entry, timeout=current_app.config["VIEW_CACHE_SECONDS"])
            except RedisError:
                log.warning("view cache unreachable: answer not kept", exc_info=True)
        return resp

    wrapper.per_viewer = True
    return wrapper
