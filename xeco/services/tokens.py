"""Signed links that expire: e-mail verification, password reset, invitations.

Each purpose has its own salt, so a token made for one cannot be used for another. A token
also carries a fingerprint of the state it changes (the address it verifies, the password
hash it replaces), so once used it no longer matches and cannot be used again.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from xeco.errors import DomainError

VERIFY = "verify-email"
RESET = "reset-password"
INVITE = "invite"

MAX_AGE = {
    VERIFY: timedelta(days=2),
    RESET: timedelta(hours=1),
    INVITE: timedelta(days=7),
}


class LinkInvalid(DomainError):
    code = 400
    message = (
        "This link is not valid: it is expired, already used or incomplete. Ask for a new one."
    )


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"xeco-{purpose}")


def fingerprint(*parts: object) -> str:
    """A short digest of state the token must still match when it comes back."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def make(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str) -> dict:
    """The payload of a genuine, unexpired token of this purpose; else ``LinkInvalid``."""
    max_age = int(MAX_AGE[purpose].total_seconds())
    try:
        payload = _serializer(purpose).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise LinkInvalid("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise LinkInvalid() from None
    if not isinstance(payload, dict):
        raise LinkInvalid()
    return payload
