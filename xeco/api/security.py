"""Bearer-token sign-in for the API (flask-jwt-extended) and role checks."""

from __future__ import annotations

from functools import wraps

from flask import Flask, g, request
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_smorest import Blueprint

from xeco.api import caching
from xeco.errors import Forbidden, error_body
from xeco.extensions import SAFE_METHODS, jwt
from xeco.models import Role, User
from xeco.services.users import active_user, token_user

BEARER = [{"bearerAuth": []}]


def signed_in(*roles: Role):
    """Require a valid token; with ``roles``, also one of those roles (else 403)."""

    def decorator(fn):
        cached = getattr(fn, "per_viewer", False)

        @wraps(fn)
        def wrapper(*args, **kwargs):
            if cached:
                caching.read_with_token()
            verify_jwt_in_request()
            user = get_current_user()
            g.viewer_is_staff = user.is_staff
            g.viewer_role = user.role.value
            if roles and user.role not in roles:
                wanted = ", ".join(r.value for r in roles)
                raise Forbidden(f"This needs one of the roles: {wanted}.")
            try:
                return fn(*args, **kwargs)
            finally:
                # Even a refused write may have changed something (a failed attempt
                # counted, say); marking costs one Redis write.
                if request.method not in SAFE_METHODS:
                    caching.note_write(user)

        # Outermost, so a request is authenticated before its body is parsed; the OpenAPI
        # operation learns that it takes a bearer token, and which roles it needs.
        doc: dict = {"security": BEARER}
        if roles:
            doc["description"] = "Roles: " + ", ".join(r.value for r in roles) + "."
        return Blueprint.doc(**doc)(wrapper)

    return decorator


def me() -> User:
    # The user itself, not flask-jwt-extended's proxy: services and schemas read a dozen of
    # its attributes per request, and each read through the proxy is four calls.
    return get_current_user()


def register_jwt(app: Flask) -> None:
    @jwt.user_identity_loader
    def _identity(user):
        return str(user.id) if isinstance(user, User) else str(user)

    @jwt.additional_claims_loader
    def _claims(user):
        # The session version: signing out everywhere raises it and so ends this token.
        return {"ver": user.session_version} if isinstance(user, User) else {}

    @jwt.token_in_blocklist_loader
    def _revoked(_header, data) -> bool:
        # The user read for this check is the request's user too (the lookup below): the
        # session's identity map holds it only weakly, so without this it is read twice.
        g.token_user = token_user(data)
        return g.token_user is None

    @jwt.user_lookup_loader
    def _lookup(_header, data):
        user = g.pop("token_user", None)
        return user if user is not None else active_user(data.get("sub"))

    def _unauthorized(message: str):
        body = error_body(401, message)
        return body, 401, {"WWW-Authenticate": 'Bearer realm="xeco"'}

    jwt.unauthorized_loader(
        lambda reason: _unauthorized("Sign in: send 'Authorization: Bearer <token>'.")
    )
    jwt.invalid_token_loader(lambda reason: _unauthorized(f"Invalid token: {reason}"))
    jwt.expired_token_loader(lambda _h, _d: _unauthorized("Token expired; sign in again."))
    jwt.revoked_token_loader(lambda _h, _d: _unauthorized("Token revoked."))
    jwt.user_lookup_error_loader(lambda _h, _d: _unauthorized("Unknown or deactivated user."))
