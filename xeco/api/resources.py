"""One blueprint factory for the owned resources: challenges, capabilities, programmes.

Each gets the same five operations with its own schemas; the rules live in its service.
"""

from __future__ import annotations

from functools import wraps

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.caching import per_viewer
from xeco.api.security import me, signed_in
from xeco.schemas.resources import ResourceSchemas, patch
from xeco.services.resources import ResourceService


def may_change(service: ResourceService):
    """Refuse (403, or 404 if unseen) before the body is parsed: permission, then validity."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, item_id, **kwargs):
            service.check_can_change(me(), item_id)
            return fn(*args, item_id=item_id, **kwargs)

        return wrapper

    return decorator


def resource_blueprint(
    service: ResourceService, schemas: ResourceSchemas, description: str, who: str
) -> Blueprint:
    name, noun = service.resource.name, service.resource.noun
    schema, list_args, page_schema = schemas.item, schemas.list_args, schemas.page
    patch_schema = patch(schema)
    blp = Blueprint(name, __name__, description=description)

    @blp.route("")
    class Collection(MethodView):
        @signed_in()
        @per_viewer
        @blp.doc(summary=f"List {name}")
        @blp.arguments(list_args, location="query")
        @blp.response(200, page_schema)
        def get(self, args):
            """Paginated, filterable with q, status, sector and mine, sorted by `sort`."""
            return service.list(me(), args)

        @signed_in(*service.resource.owners)
        @blp.doc(summary=f"Create a {noun} ({who})")
        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data):
            """Matching for it is queued once it is stored."""
            obj = service.create(me(), data)
            return obj

    @blp.route("/<id:item_id>")
    class Item(MethodView):
        @signed_in()
        @blp.doc(summary=f"Read a {noun}")
        @blp.response(200, schema)
        def get(self, item_id):
            return service.get(me(), item_id)

        @signed_in()
        @may_change(service)
        @blp.doc(summary=f"Change a {noun} (owner or officer)")
        @blp.arguments(patch_schema)
        @blp.response(200, schema)
        def patch(self, data, item_id):
            """Matching for it is queued again once the change is stored."""
            obj = service.update(me(), item_id, data)
            return obj

        @signed_in()
        @blp.doc(summary=f"Close a {noun} (owner or officer)")
        @blp.response(204)
        def delete(self, item_id):
            """A soft close: the record and its history stay readable."""
            service.close(me(), item_id)

    if hasattr(service, "reopen"):

        @blp.route("/<id:item_id>/reopen", methods=["POST"])
        @signed_in()
        @blp.doc(summary=f"Reopen a closed {noun} (owner or officer)")
        @blp.response(200, schema)
        def reopen(item_id):
            """It is matched again, as after an edit. 409 unless it is closed."""
            return service.reopen(me(), item_id)

    Collection.__name__ = f"{name.title()}Collection"
    Item.__name__ = f"{name.title()}Item"
    return blp
