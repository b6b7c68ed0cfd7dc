from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.models import Role
from xeco.schemas.account import MeUpdateSchema
from xeco.schemas.common import PageArgs, page_schema
from xeco.schemas.users import StaffCreateSchema, UserSchema, UserUpdateSchema
from xeco.services import account
from xeco.services import users as service

PATH = "/users"
blp = Blueprint("users", __name__, description="User accounts (administrators).")
UserPageSchema = page_schema(UserSchema, "UserPage")


@blp.route("")
class Users(MethodView):
    @signed_in(Role.ADMIN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args):
        """List users (admins)."""
        return service.list_users(args["page"], args["per_page"])

    @signed_in(Role.ADMIN)
    @blp.arguments(StaffCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user of any role, officers and admins included (admins)."""
        user = service.create_by_admin(me(), data)
        return user


@blp.route("/<id:user_id>")
class UserById(MethodView):
    @signed_in(Role.ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Rename, deactivate or reactivate a user (admins)."""
        user = service.update_by_admin(me(), user_id, data)
        return user


me_blp = Blueprint("me", __name__, description="The signed-in user.")


@me_blp.route("")
class Me(MethodView):
    @signed_in()
    @me_blp.response(200, UserSchema)
    def get(self):
        """The signed-in user and their organisation."""
        return me()

    @signed_in()
    @me_blp.arguments(MeUpdateSchema)
    @me_blp.response(200, UserSchema)
    def patch(self, data):
        """Change name, language, password or e-mail address (the last two need
        `current_password`; a new address must be confirmed again)."""
        user = account.update_me(me(), data)
        return user
