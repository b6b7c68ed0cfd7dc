"""Small things every view needs: safe redirects, list arguments, service calls."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError

from xeco.errors import DomainError
from xeco.services import outbox


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and target.startswith("/")
        if local and not target.startswith("//") and "\\" not in target:
            return target
    return fallback


def back(fallback_endpoint: str = "web.home", **values):
    return redirect(safe_next(request.form.get("next"), url_for(fallback_endpoint, **values)))


def list_args(schema, **fixed) -> dict:
    """Query arguments through the API's own list schema; bad ones fall back to defaults."""
    raw = {k: v for k, v in request.args.items() if v not in ("", None)}
    raw.update(fixed)
    try:
        return schema().load(raw)
    except ValidationError as err:
        for name in err.messages:
            raw.pop(name, None)
        try:
            return schema().load(raw)
        except ValidationError:
            return schema().load(fixed)


def _busy(err: OperationalError) -> bool:
    return "database is locked" in str(err.orig)


def in_transaction(action, attempts: int = 4):
    """Run ``action`` and commit, retrying the whole transaction when SQLite says busy.

    In WAL mode a transaction that read before another process committed cannot then
    write (SQLITE_BUSY_SNAPSHOT, no waiting); starting over with a fresh snapshot works.
    The worker writes often, so the embedded setup meets this. Domain errors propagate.
    """
    for attempt in range(attempts):
        try:
            result = action()
            outbox.commit()
            return result
        except OperationalError as err:
            outbox.rollback()
            if not _busy(err) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def commit_or_flash(action, success: str | None = None):
    """Run a service call and commit; a domain error is rolled back and flashed.

    Returns (result, error); the error is the DomainError, for form errors.
    """
    try:
        result = in_transaction(action)
    except DomainError as err:
        outbox.rollback()
        flash(err.message, "error")
        return None, err
    if success:
        flash(success, "success")
    return result, None
