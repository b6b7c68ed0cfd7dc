"""Full matching runs: start one, watch its progress (a session-authenticated JSON poll)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _

from xeco.models import STAFF_ROLES
from xeco.schemas.common import PageArgs
from xeco.schemas.matches import RunSchema
from xeco.services import runs as service
from xeco.web.blueprint import bp
from xeco.web.forms import ActionForm
from xeco.web.session import me, roles_required
from xeco.web.views.helpers import attempt, list_args


@bp.get("/runs/")
@roles_required(*STAFF_ROLES)
def runs_list():
    args = list_args(PageArgs, per_page=15)
    page = service.list_runs(args["page"], args["per_page"])
    active = service.active_run()
    return render_template("runs/list.html", page=page, active=active, form=ActionForm())


@bp.post("/runs/")
@roles_required(*STAFF_ROLES)
def runs_start():
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("web.runs_list"))
    result, err = attempt(lambda: service.start_full_run(me(), trigger="manual"))
    if err is not None:
        return redirect(url_for("web.runs_list"))
    run, created = result
    if not created:
        message = _("A run is in progress already; here it is.")
    else:
        message = _("Full run started.")
    flash(message, "info" if not created else "success")
    return redirect(url_for("web.run_detail", run_id=run.id))


@bp.get("/runs/<id:run_id>")
@roles_required(*STAFF_ROLES)
def run_detail(run_id: int):
    run = service.get(run_id)
    return render_template("runs/detail.html", run=run, data=RunSchema().dump(run))


@bp.get("/runs/<id:run_id>/progress")
@roles_required(*STAFF_ROLES)
def run_progress(run_id: int):
    """What the API's GET /matching/runs/<id> says, for a page that holds no bearer token."""
    response = jsonify(RunSchema().dump(service.get(run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
