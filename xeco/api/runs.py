from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.models import STAFF_ROLES
from xeco.schemas.common import PageArgs
from xeco.schemas.matches import RunPageSchema, RunSchema
from xeco.services import runs as service

PATH = "/matching/runs"
blp = Blueprint("runs", __name__, description="Full matching runs and their progress.")


@blp.route("")
class Runs(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(202, RunSchema)
    def post(self):
        """Start a full re-match of every open challenge, or get the run in progress."""
        run, _created = service.start_full_run(me(), trigger="manual")
        return run

    @signed_in(*STAFF_ROLES)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, RunPageSchema)
    def get(self, args):
        """Runs, newest first."""
        return service.list_runs(args["page"], args["per_page"])


@blp.route("/<id:run_id>")
class RunById(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, RunSchema)
    def get(self, run_id):
        """State, done/total, progress, start and finish times, errors."""
        return service.get(run_id)
