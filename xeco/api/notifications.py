from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields

from xeco.api.blueprint import Blueprint
from xeco.api.caching import per_viewer
from xeco.api.security import me, signed_in
from xeco.schemas.base import Schema
from xeco.schemas.workflow import NotificationArgs, NotificationPageSchema, NotificationSchema
from xeco.services import notifications as service

PATH = "/notifications"
blp = Blueprint("notifications", __name__, description="Your notifications.")


class MarkedSchema(Schema):
    marked = fields.Integer(required=True)


@blp.route("")
class Notifications(MethodView):
    @signed_in()
    @per_viewer
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, args):
        """Newest first, in your language (`locale` of `/me`); `unread=true` for the unread ones."""
        return service.list_for(me(), args.get("unread"), args["page"], args["per_page"])


@blp.route("/<id:notification_id>/read")
class Read(MethodView):
    @signed_in()
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """Mark one as read."""
        note = service.mark_read(me(), notification_id)
        return service.shown(note, me().locale)


@blp.route("/read-all")
class ReadAll(MethodView):
    @signed_in()
    @blp.response(200, MarkedSchema)
    def post(self):
        """Mark all as read."""
        marked = service.mark_all_read(me())
        return {"marked": marked}
