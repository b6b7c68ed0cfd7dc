from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import create_access_token, get_jwt

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.errors import Unauthorized
from xeco.extensions import limiter
from xeco.schemas.users import (
    RegisterSchema,
    RegistrationSchema,
    RevokeArgs,
    TokenRequestSchema,
    TokenSchema,
)
from xeco.services.users import authenticate as check_credentials
from xeco.services.users import end_sessions, register, revoke_token

PATH = "/auth"
blp = Blueprint("auth", __name__, description="Registration and sign-in.")


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


@blp.route("/register")
class Register(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @blp.arguments(RegisterSchema)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(429, description="Too many attempts.")
    def post(self, data):
        """Register as a company, researcher, institute or agency user.

        A new organisation is created with the account. Joining an existing organisation
        goes through an administrator, so nobody can claim another's organisation by name.
        The answer is the same whether or not the address has an account (its owner is told
        by e-mail): follow the link sent to the address (`POST /auth/verify`) before asking
        for a token. An invitation's link confirms the address at once.
        """
        return register(data)


@blp.route("/token")
class Token(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Wrong e-mail or password, or an unconfirmed address.")
    @blp.alt_response(429, description="Too many attempts.")
    def post(self, data):
        """Exchange e-mail and password for a bearer token that expires."""
        user = check_credentials(data["email"], data["password"])
        if user is None:
            raise Unauthorized("Wrong e-mail or password, or the address is not confirmed yet.")
        expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
        return {
            "access_token": create_access_token(identity=user),
            "token_type": "Bearer",
            "expires_in": int(expires.total_seconds()),
        }

    @signed_in()
    @blp.arguments(RevokeArgs, location="query")
    @blp.response(204)
    def delete(self, args):
        """Revoke this token, or with `everywhere=true` every token and session of yours."""
        claims = get_jwt()
        if args["everywhere"]:
            end_sessions(me())
        else:
            revoke_token(claims["jti"], datetime.fromtimestamp(claims["exp"], UTC))
