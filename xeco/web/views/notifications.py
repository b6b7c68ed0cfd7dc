"""Each user's notifications: introductions, answers, assignments."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from xeco.schemas.common import PageArgs
from xeco.services import notifications as service
from xeco.web.blueprint import bp
from xeco.web.forms import ActionForm
from xeco.web.session import me
from xeco.web.views.helpers import attempt, list_args


@bp.get("/notifications/")
@login_required
def notifications_list():
    args = list_args(PageArgs, per_page=20)
    unread = True if request.args.get("unread") == "1" else None
    locale = str(get_locale() or "en")
    page = service.list_for(me(), unread, args["page"], args["per_page"], locale)
    return render_template("notifications.html", page=page, unread=unread, form=ActionForm())


@bp.post("/notifications/<id:notification_id>/read")
@login_required
def notification_read(notification_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        note, _err = attempt(lambda: service.mark_read(me(), notification_id))
        if note is not None and note.match_id and request.form.get("open"):
            return redirect(url_for("web.match_detail", match_id=note.match_id))
    return redirect(url_for("web.notifications_list"))


@bp.post("/notifications/read-all")
@login_required
def notifications_read_all():
    form = ActionForm()
    if form.validate_on_submit():
        attempt(lambda: service.mark_all_read(me()), _("All marked as read."))
    return redirect(url_for("web.notifications_list"))
