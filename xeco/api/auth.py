from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import create_access_token
from flask_smorest import Blueprint

from xeco.errors import Unauthorized
from xeco.extensions import limiter
from xeco.schemas.users import RegisterSchema, TokenRequestSchema, TokenSchema, UserSchema
from xeco.services import outbox
from xeco.services.users import authenticate as check_credentials
from xeco.services.users import register

PATH = "/auth"
blp = Blueprint("auth", __name__, description="Registration and sign-in.")


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


@blp.route("/register")
class Register(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @blp.arguments(RegisterSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, description="E-mail or organisation taken.")
    @blp.alt_response(429, description="Too many attempts.")
    def post(self, data):
        """Register as a company, researcher, institute or agency user.

        A new organisation is created with the account. Joining an existing organisation
        goes through an administrator, so nobody can claim another's organisation by name.
        """
        user = register(data)
        outbox.commit()
        return user


@blp.route("/token")
class Token(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Wrong e-mail or password.")
    @blp.alt_response(429, description="Too many attempts.")
    def post(self, data):
        """Exchange e-mail and password for a bearer token that expires."""
        user = check_credentials(data["email"], data["password"])
        if user is None:
            raise Unauthorized("Wrong e-mail or password.")
        outbox.commit()
        expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
        return {
            "access_token": create_access_token(identity=user),
            "token_type": "Bearer",
            "expires_in": int(expires.total_seconds()),
        }
