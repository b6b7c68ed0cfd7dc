"""The officers' dashboard: the reporting service's numbers as charts and tables."""

from __future__ import annotations

from flask import Response, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from xeco.models import STAFF_ROLES, MatchStatus
from xeco.schemas.common import SECTORS
from xeco.services import reports
from xeco.web import charts
from xeco.web.blueprint import bp
from xeco.web.labels import SECTOR_LABELS, STATUS_LABELS, label
from xeco.web.session import roles_required


def _sector(code: str) -> str:
    return label(SECTOR_LABELS, code) if code in SECTOR_LABELS else _("Unspecified")


def build(summary: dict) -> dict:
    """Charts (SVG) and their data tables from ``reports.summary()``."""
    statuses = [(s.value, label(STATUS_LABELS, s.value)) for s in MatchStatus]
    by_status = [(name, summary["by_status"].get(code, 0)) for code, name in statuses]
    # A sector keeps its colour in every chart.
    colour = {code: charts.PALETTE[i] for i, code in enumerate(SECTORS)}
    sector_counts = sorted(summary["by_sector"].items(), key=lambda p: -p[1])
    by_sector = [(_sector(code), n) for code, n in sector_counts]
    months = [row["month"] for row in summary["by_month"]]
    status_month = {
        (row["month"], code): row.get(code, 0)
        for row in summary["by_month"]
        for code, _n in statuses
    }
    sector_codes = sorted({row["sector"] for row in summary["by_sector_month"]})
    sector_series = [(code, _sector(code)) for code in sector_codes]
    sector_month = {(r["month"], r["sector"]): r["count"] for r in summary["by_sector_month"]}
    times = []
    for key, name in (
        ("time_to_first_proposal_hours", _("First proposal")),
        ("time_to_decision_hours", _("Decision")),
    ):
        stats = summary.get(key) or {}
        times.append({"name": name, **stats})
    median, mean = _("median"), _("mean")
    time_bars = [(f"{t['name']} · {median}", t.get("median")) for t in times]
    time_bars += [(f"{t['name']} · {mean}", t.get("mean")) for t in times]
    return {
        "by_status": by_status,
        "by_sector": by_sector,
        "months": months,
        "status_series": statuses,
        "status_month": status_month,
        "sector_series": sector_series,
        "sector_month": sector_month,
        "times": times,
        "charts": {
            "status": charts.bars(by_status, _("Matches by status")),
            "sector": charts.bars(
                by_sector,
                _("Matches by sector"),
                colours=[colour.get(code, charts.PALETTE[-1]) for code, _n in sector_counts],
            ),
            "status_month": charts.stacked_columns(
                months, statuses, status_month, _("Matches by month and status")
            ),
            "sector_month": charts.stacked_columns(
                months,
                sector_series,
                sector_month,
                _("Matches by month and sector"),
                colours=[colour.get(code, charts.PALETTE[-1]) for code in sector_codes],
            ),
            "times": charts.bars(time_bars, _("Hours until first proposal and decision"), " h"),
        },
    }


@bp.get("/dashboard")
@roles_required(*STAFF_ROLES)
def dashboard():
    summary = reports.summary()
    return render_template("dashboard.html", summary=summary, view=build(summary))


@bp.get("/dashboard/matches.csv")
@roles_required(*STAFF_ROLES)
def dashboard_csv():
    return Response(
        # Codes as labels in the reader's language, read before the stream starts.
        reports.export_csv(str(get_locale() or "en")),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=xeco-matches.csv"},
    )
