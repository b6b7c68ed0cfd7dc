"""Matches as the parties and officers see them: list, detail, respond, decide, notes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from marshmallow import ValidationError

from xeco import transaction
from xeco.errors import DomainError
from xeco.models import STAFF_ROLES, MatchStatus
from xeco.models.match import VISIBLE_TO_PARTIES
from xeco.schemas.common import SECTORS
from xeco.schemas.matches import MatchListArgs
from xeco.schemas.workflow import NoteInSchema
from xeco.services import access, notifications, workflow
from xeco.services import matches as service
from xeco.web import confirm
from xeco.web.blueprint import bp
from xeco.web.formkit import flatten, put_errors
from xeco.web.forms import ActionForm, DecisionForm, ResponseForm
from xeco.web.highlight import term_pairs
from xeco.web.messages import form_labels, translate
from xeco.web.session import me, roles_required
from xeco.web.views.helpers import attempt, back, list_args, safe_next

# Set when a reject came without a reason: the page it returns to marks that field.
REASON_MISSING = "reason_missing"
REASON_MESSAGE = _l("Give a reason to reject.")


@bp.get("/matches/")
@login_required
def matches_list():
    args = list_args(MatchListArgs, per_page=20)
    page = service.list_matches(me(), args)
    # The parties never see a proposal or a rejection: their filter offers what they see.
    statuses = [s for s in MatchStatus if me().is_staff or s in VISIBLE_TO_PARTIES]
    return render_template(
        "matches/list.html", page=page, args=args, sectors=SECTORS, statuses=statuses
    )


@bp.get("/matches/<id:match_id>")
@transaction.writes
@login_required
def match_detail(match_id: int):
    user = me()
    match = service.get(user, match_id)
    side = access.party_side(user, match)
    answered = side is not None and getattr(match, f"{side}_response") is not None
    officer = user.is_staff
    notifications.mark_read_for_match(user, match.id)
    decision_form = DecisionForm()
    if session.pop(REASON_MISSING, None) == match.id:
        decision_form.reason.errors = [REASON_MESSAGE]
    return render_template(
        "matches/detail.html",
        match=match,
        terms=term_pairs(match.explanation),
        side=side,
        can_respond=side is not None and match.status == MatchStatus.INTRODUCED and not answered,
        response_form=ResponseForm(),
        decision_form=decision_form,
        officer=officer,
        notes=workflow.notes(user, match_id) if officer else [],
        note_form=ActionForm(),
    )


@bp.post("/matches/<id:match_id>/respond")
@login_required
def match_respond(match_id: int):
    form = ResponseForm()
    here = url_for("web.match_detail", match_id=match_id)
    if form.validate_on_submit():
        if not confirm.confirmed():
            match = service.get(me(), match_id)
            return confirm.ask(form.response.data, _title(match), here)
        done = _("Thank you: your answer is recorded.")
        attempt(
            lambda: workflow.respond(me(), match_id, form.response.data, form.note.data or None),
            done,
        )
    else:
        _flash_errors(form)
    return redirect(here)


@bp.post("/matches/<id:match_id>/decide")
@roles_required(*STAFF_ROLES)
def match_decide(match_id: int):
    form = DecisionForm()
    # The queue's two buttons send the decision as the button's value.
    if not form.validate_on_submit():
        _flash_errors(form)
    elif form.decision.data == "reject" and not (form.reason.data or "").strip():
        session[REASON_MISSING] = match_id
        flash(str(REASON_MESSAGE), "error")
        return redirect(_at(f"proposal-{match_id}"))
    elif not confirm.confirmed():
        match = service.get(me(), match_id)
        return confirm.ask(form.decision.data, _title(match), _at(f"proposal-{match_id}"))
    else:
        decide(match_id, form)
    return back("web.review")


@bp.post("/review/decisions")
@roles_required(*STAFF_ROLES)
def review_decide_many():
    """The queue's bulk decision: the API's ``decide_many``, one result per match."""
    form = DecisionForm()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    reason = (form.reason.data or "").strip() or None
    if not form.validate_on_submit():
        _flash_errors(form)
    elif not ids:
        flash(_("Select at least one proposal."), "error")
    elif form.decision.data == "reject" and not reason:
        session[REASON_MISSING] = "bulk"
        flash(str(REASON_MESSAGE), "error")
        return redirect(_at("bulk"))
    elif not confirm.confirmed():
        return confirm.ask(form.decision.data, "", _at("bulk"), count=len(ids))
    else:
        results = workflow.decide_many(me(), ids, form.decision.data, reason)
        done = [r for r in results if "status" in r]
        message = (
            ngettext("%(num)d match approved.", "%(num)d matches approved.", len(done))
            if form.decision.data == "approve"
            else ngettext("%(num)d match rejected.", "%(num)d matches rejected.", len(done))
        )
        flash(message, "success")
        for r in results:
            if "error" in r:
                flash(_("Match %(id)d: %(error)s", id=r["id"], error=r["error"]), "error")
    return back("web.review")


def _title(match) -> str:
    return f"{match.challenge.title} ↔ {match.capability.title}"


def _at(anchor: str) -> str:
    """The page the form came from, at ``anchor``: the officer keeps their place."""
    target = safe_next(request.form.get("next"), url_for("web.review"))
    return target.split("#", 1)[0] + "#" + anchor


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


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
    return {"unread_count": notifications.unread_count(me())}
