from __future__ import annotations

from flask import Response
from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import signed_in
from xeco.models import STAFF_ROLES
from xeco.schemas.workflow import AuditArgs, AuditPageSchema, SummarySchema
from xeco.services import audit, reports

PATH = "/reports"
blp = Blueprint("reports", __name__, description="Reporting and exports for officers.")


def _csv(body, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@blp.route("/summary")
class Summary(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, SummarySchema)
    def get(self):
        """Counts by status, sector and month; time to first proposal and to decision; the
        funnel (proposed, approved, accepted, agreement) by month and sector."""
        return reports.summary()


@blp.route("/matches.csv")
class MatchesCsv(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, content_type="text/csv", description="All matches, one per row.")
    def get(self):
        """Every match as CSV (UTF-8 with BOM, so spreadsheets show Chinese)."""
        return _csv(reports.export_csv(), "matches.csv")


@blp.route("/funnel.csv")
class FunnelCsv(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, content_type="text/csv", description="One row per month and sector.")
    def get(self):
        """The funnel (proposed, approved, accepted, agreement) by month and sector as CSV."""
        return _csv(reports.funnel_csv(), "funnel.csv")


audit_blp = Blueprint("audit", __name__, description="The audit log.")


@audit_blp.route("")
class Audit(MethodView):
    @signed_in(*STAFF_ROLES)
    @audit_blp.arguments(AuditArgs, location="query")
    @audit_blp.response(200, AuditPageSchema)
    def get(self, args):
        """Who changed what and when, newest first; filter by object, id, actor, action."""
        return audit.entries(args, args["page"], args["per_page"])
