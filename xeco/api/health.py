from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.schemas.health import HealthSchema
from xeco.services import health as service

PATH = "/health"
blp = Blueprint("health", __name__, description="Service health: database, broker and worker.")


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="A dependency is down.")
    def get(self):
        """Report whether the database and the broker answer."""
        report = service.check()
        return report, (200 if report["status"] == "ok" else 503)
