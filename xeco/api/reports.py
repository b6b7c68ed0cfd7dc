from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from xeco.api.security import signed_in
from xeco.models import STAFF_ROLES
from xeco.schemas.workflow import AuditArgs, AuditPageSchema, SummarySchema
from xeco.services import audit, reports

PATH = "/reports"
blp = Blueprint("reports", __name__, description="Reporting and exports for officers.")


@blp.route("/summary")
class Summary(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, SummarySchema)
    def get(self):
        """Counts by status, sector and month; time to first proposal and to decision."""
        return reports.summary()


@blp.route("/matches.csv")
class MatchesCsv(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, content_type="text/csv", description="All matches, one per row.")
    def get(self):
        """Every match as CSV (UTF-8 with BOM, so spreadsheets show Chinese)."""
        return Response(
            reports.export_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=matches.csv"},
        )


audit_blp = Blueprint("audit", __name__, description="The audit log.")


@audit_blp.route("")
class Audit(MethodView):
    @signed_in(*STAFF_ROLES)
    @audit_blp.arguments(AuditArgs, location="query")
    @audit_blp.response(200, AuditPageSchema)
    def get(self, args):
        """Who changed what and when, newest first; filter by object, id, actor, action."""
        return audit.entries(args, args["page"], args["per_page"])
