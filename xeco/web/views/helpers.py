"""Small things every view needs: safe redirects, list arguments, service calls."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

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


def in_transaction(action):
    """Run ``action`` and commit once (SQLite's BEGIN IMMEDIATE makes writers wait their turn)."""
    try:
        result = action()
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    return result


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
