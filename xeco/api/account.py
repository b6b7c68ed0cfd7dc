"""E-mail verification and password reset by signed links that expire."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.extensions import limiter
from xeco.schemas.account import AcceptedSchema, LinkTokenSchema, ResetRequestSchema, ResetSchema
from xeco.schemas.users import UserSchema
from xeco.services import account

PATH = "/auth"
blp = Blueprint("account", __name__, description="E-mail verification and password reset.")
RESET_SENT = "If the address has an account, a link to reset its password is on its way."


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


@blp.route("/verify")
class Verify(MethodView):
    @blp.arguments(LinkTokenSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(400, description="Expired, used or altered link.")
    def post(self, data):
        """Confirm an e-mail address with the token of the link sent to it."""
        user = account.verify_email(data["token"])
        return user


@blp.route("/verify/resend")
class ResendVerification(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @signed_in()
    @blp.response(202, AcceptedSchema)
    def post(self):
        """Send the confirmation link again to the signed-in user's address."""
        if not me().email_verified:
            account.send_verification(me())
        return {"message": "A confirmation link is on its way unless the address is confirmed."}


@blp.route("/password-reset")
class PasswordResetRequest(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @blp.arguments(ResetRequestSchema)
    @blp.response(202, AcceptedSchema)
    def post(self, data):
        """E-mail a reset link valid for an hour; the answer is the same for any address."""
        account.request_reset(data["email"])
        return {"message": RESET_SENT}


@blp.route("/password-reset/confirm")
class PasswordReset(MethodView):
    decorators = [limiter.limit(_auth_limit, methods=["POST"])]

    @blp.arguments(ResetSchema)
    @blp.response(204)
    @blp.alt_response(400, description="Expired, used or altered link.")
    def post(self, data):
        """Choose a new password with the token of a reset link; every session ends."""
        account.reset_password(data["token"], data["password"])
