"""Challenges, capabilities and programmes: list, read, create, edit, close.

One set of views serves the three kinds; what differs (fields, who owns them) comes from
``xeco.web.kinds``. Permissions are the services': a page only hides the buttons that the
service would refuse anyway.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from xeco import transaction
from xeco.errors import DomainError
from xeco.schemas.common import SECTORS
from xeco.schemas.matches import MatchListArgs
from xeco.services import access
from xeco.services import matches as match_service
from xeco.web.blueprint import bp
from xeco.web.formkit import load, put_errors, submitted
from xeco.web.forms import ActionForm
from xeco.web.kinds import KINDS, Kind
from xeco.web.messages import translate
from xeco.web.session import me
from xeco.web.views.helpers import attempt, list_args


def _list(kind: Kind):
    args = list_args(kind.list_args, per_page=15)
    page = kind.service.list(me(), args)
    can_create = me().role in kind.owners
    return render_template(
        f"{kind.name}/list.html",
        kind=kind,
        page=page,
        args=args,
        sectors=SECTORS,
        can_create=can_create,
    )


def _detail(kind: Kind, item_id: int):
    user = me()
    obj = kind.service.get(user, item_id)
    matches = None
    if kind.name == "challenges":
        margs = list_args(MatchListArgs, per_page=50)
        matches = match_service.for_challenge(user, item_id, margs)
    return render_template(
        f"{kind.name}/detail.html",
        kind=kind,
        obj=obj,
        matches=matches,
        can_change=access.can_change(user, obj) and obj.status != kind.service.closed_status,
        can_reopen=hasattr(kind.service, "reopen")
        and access.can_change(user, obj)
        and obj.status == kind.service.closed_status,
        close_form=ActionForm(),
    )


def _save(kind: Kind, obj=None):
    user = me()
    if obj is None:
        kind.service.check_can_create(user)  # a 403 page before anyone fills the form in
    form = kind.form(obj=obj)
    valid = submitted(form)
    if valid is not None:
        clean = load(form, kind.schema(), form.payload)
        dates = {"deadline": form.deadline.data} if hasattr(form, "deadline") else {}
        put_errors(form, kind.service.problems(dates, obj), skip_flagged=True)
        if valid and clean is not None and not form.errors:
            saved = _store(kind, user, obj, clean, form)
            if saved is not None:
                return redirect(url_for(f"web.{kind.name}_detail", item_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template(f"{kind.name}/form.html", kind=kind, form=form, obj=obj), status


def _store(kind: Kind, user, obj, data: dict, form):
    def save():
        if obj is None:
            return kind.service.create(user, data).id
        return kind.service.update(user, obj.id, data).id

    try:
        saved_id = save()
    except DomainError as err:
        transaction.abandon(err)
        if err.errors:
            put_errors(form, err.errors.get("json", err.errors))
        else:
            form.form_errors.append(translate(err.message))
        return None
    flash(_("Saved. Matching runs in the background; proposals appear after review."), "success")
    imported = getattr(getattr(form, "publications", None), "imported", None)
    if imported is not None:
        flash(
            ngettext(
                "%(num)d publication was imported.", "%(num)d publications were imported.", imported
            ),
            "info",
        )
    return kind.service.get(user, saved_id)


def _edit(kind: Kind, item_id: int):
    obj = kind.service.get(me(), item_id)
    if not access.can_change(me(), obj):
        abort(403)
    return _save(kind, obj)


def _close(kind: Kind, item_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        attempt(lambda: kind.service.close(me(), item_id), _("Closed."))
    return redirect(url_for(f"web.{kind.name}_detail", item_id=item_id))


def _reopen(kind: Kind, item_id: int):
    if ActionForm().validate_on_submit():
        attempt(lambda: kind.service.reopen(me(), item_id), _("Reopened: it is matched again."))
    return redirect(url_for(f"web.{kind.name}_detail", item_id=item_id))


def _register(kind: Kind) -> None:
    base = f"/{kind.name}"

    def view(fn, suffix):
        wrapped = login_required(lambda **kw: fn(kind, **kw))
        wrapped.__name__ = f"{kind.name}_{suffix}"
        return wrapped

    bp.add_url_rule(base + "/", f"{kind.name}_list", view(_list, "list"))
    bp.add_url_rule(base + "/new", f"{kind.name}_new", view(_save, "new"), methods=["GET", "POST"])
    bp.add_url_rule(base + "/<id:item_id>", f"{kind.name}_detail", view(_detail, "detail"))
    bp.add_url_rule(
        base + "/<id:item_id>/edit",
        f"{kind.name}_edit",
        view(_edit, "edit"),
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        base + "/<id:item_id>/close", f"{kind.name}_close", view(_close, "close"), methods=["POST"]
    )
    if hasattr(kind.service, "reopen"):
        bp.add_url_rule(
            base + "/<id:item_id>/reopen",
            f"{kind.name}_reopen",
            view(_reopen, "reopen"),
            methods=["POST"],
        )


for _kind in KINDS.values():
    _register(_kind)
