"""Small things every view needs: safe redirects, list arguments, service calls."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

from xeco import transaction
from xeco.errors import DomainError
from xeco.web.messages import translate


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


def attempt(action, success: str | None = None):
    """Run a service call; a domain error undoes its changes and is flashed.

    The request commits when the view returns, so a view that carries on after an error must
    drop what the failed call flushed. Returns (result, error).
    """
    try:
        result = action()
    except DomainError as err:
        transaction.abandon(err)
        flash(translate(err.message), "error")
        return None, err
    if success:
        flash(success, "success")
    return result, None
