"""Matches as the parties and officers see them: list, detail, respond, decide, notes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError

from xeco import transaction
from xeco.errors import DomainError
from xeco.models import STAFF_ROLES, MatchStatus
from xeco.schemas.common import SECTORS
from xeco.schemas.matches import MatchListArgs
from xeco.schemas.workflow import NoteInSchema
from xeco.services import access, workflow
from xeco.services import matches as service
from xeco.web.blueprint import bp
from xeco.web.formkit import flatten, put_errors
from xeco.web.forms import ActionForm, DecisionForm, ResponseForm
from xeco.web.highlight import term_pairs
from xeco.web.messages import form_labels, translate
from xeco.web.session import me, roles_required
from xeco.web.views.helpers import attempt, back, list_args


@bp.get("/matches/")
@login_required
def matches_list():
    args = list_args(MatchListArgs, per_page=20)
    page = service.list_matches(me(), args)
    return render_template(
        "matches/list.html", page=page, args=args, sectors=SECTORS, statuses=list(MatchStatus)
    )


@bp.get("/matches/<id:match_id>")
@login_required
def match_detail(match_id: int):
    user = me()
    match = service.get(user, match_id)
    side = access.party_side(user, match)
    answered = side is not None and getattr(match, f"{side}_response") is not None
    officer = user.is_staff
    return render_template(
        "matches/detail.html",
        match=match,
        terms=term_pairs(match.explanation),
        side=side,
        can_respond=side is not None and match.status == MatchStatus.INTRODUCED and not answered,
        response_form=ResponseForm(),
        decision_form=DecisionForm(),
        officer=officer,
        notes=workflow.notes(user, match_id) if officer else [],
        note_form=ActionForm(),
    )


@bp.post("/matches/<id:match_id>/respond")
@login_required
def match_respond(match_id: int):
    form = ResponseForm()
    if form.validate_on_submit():
        done = _("Thank you: your answer is recorded.")
        attempt(
            lambda: workflow.respond(me(), match_id, form.response.data, form.note.data or None),
            done,
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("web.match_detail", match_id=match_id))


@bp.post("/matches/<id:match_id>/decide")
@roles_required(*STAFF_ROLES)
def match_decide(match_id: int):
    form = DecisionForm()
    # The queue's two buttons send the decision as the button's value.
    if form.validate_on_submit():
        decide(match_id, form)
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return back("web.review")


def decide(match_id: int, form: DecisionForm) -> bool:
    reason = (form.reason.data or "").strip() or None
    note = (form.note.data or "").strip() or None

    def act():
        match = workflow.decide(me(), match_id, form.decision.data, reason, note)
        return match.challenge.title

    try:
        title = act()
    except DomainError as err:
        transaction.abandon(err)
        messages = (err.errors or {}).get("json") if err.errors else None
        if messages:
            put_errors(form, messages)
            for errors in messages.values():
                for message in errors:
                    flash(translate(message, form_labels(form)), "error")
        else:
            flash(translate(err.message), "error")
        return False
    if form.decision.data == "approve":
        flash(_("Approved: both parties are introduced (%(title)s).", title=title), "success")
    else:
        flash(_("Rejected (%(title)s).", title=title), "info")
    return True


@bp.post("/matches/<id:match_id>/notes")
@roles_required(*STAFF_ROLES)
def match_note(match_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        try:
            body = NoteInSchema().load({"body": request.form.get("body", "")})["body"]
        except ValidationError as err:
            for message in flatten(err.messages):
                flash(translate(message), "error")
        else:
            attempt(lambda: workflow.add_note(me(), match_id, body), _("Note added."))
    return redirect(url_for("web.match_detail", match_id=match_id) + "#notes")


@bp.app_context_processor
def _unread():
    """The unread count for the header, for signed-in users."""
    if not current_user or not current_user.is_authenticated:
        return {}
    from xeco.services import notifications

    return {"unread_count": notifications.unread_count(me())}
