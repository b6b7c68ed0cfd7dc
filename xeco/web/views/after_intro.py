"""After the introduction on the pages: contacts, the conversation and the outcome on the
match page; "we can help" and the advice on a challenge's page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from xeco.extensions import db
from xeco.labels import FIT_LABELS, OUTCOME_LABELS, TRIGGER_LABELS, label
from xeco.models import (
    PROVIDER_ROLES,
    STAFF_ROLES,
    Capability,
    CapabilityStatus,
    ChallengeStatus,
    Visibility,
)
from xeco.models.match import INTRODUCED_ONWARD
from xeco.services import access, advice, contacts, conversation, hands, outcomes, reports
from xeco.services.fit import fit_label
from xeco.services.mail_content import build
from xeco.web.after_intro_forms import MessageForm, OfferForm, OutcomeForm
from xeco.web.blueprint import bp
from xeco.web.session import me, roles_required
from xeco.web.views.helpers import attempt

MESSAGES_PER_PAGE = 50


def flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.app_template_filter("fit")
def _fit(score) -> str:
    return label(FIT_LABELS, fit_label(score))


@bp.app_template_filter("outcome")
def _outcome(code) -> str:
    return label(OUTCOME_LABELS, code)


@bp.app_template_filter("trigger")
def _trigger(code) -> str:
    return label(TRIGGER_LABELS, code)


@bp.app_template_global()
def after_introduction(match) -> dict:
    """What the match page shows below the decision for this viewer."""
    user = me()
    side = access.party_side(user, match)
    part_of_it = user.is_staff or side is not None
    talking = part_of_it and match.status in INTRODUCED_ONWARD
    page = None
    if talking:
        number = request.args.get("page", type=int) or None
        total = conversation.messages(user, match.id, 1, 1).total
        last = max(1, -(-total // MESSAGES_PER_PAGE))
        page = conversation.messages(user, match.id, min(number or last, last), MESSAGES_PER_PAGE)
    return {
        "contacts": contacts.of(user, match),
        "talking": talking,
        "messages": page,
        "outcomes": outcomes.history(user, match.id) if talking else [],
        "message_form": MessageForm(formdata=None, prefix="message"),
        "outcome_form": OutcomeForm(formdata=None, prefix="outcome"),
        "show_fit": side == "company",
    }


@bp.post("/matches/<id:match_id>/messages")
@login_required
def match_message(match_id: int):
    form = MessageForm(prefix="message")
    if form.validate_on_submit():
        attempt(lambda: conversation.post(me(), match_id, form.body.data), _("Message sent."))
    else:
        flash_form_errors(form)
    return redirect(url_for("web.match_detail", match_id=match_id) + "#conversation")


@bp.post("/matches/<id:match_id>/outcomes")
@login_required
def match_outcome(match_id: int):
    form = OutcomeForm(prefix="outcome")
    if form.validate_on_submit():
        attempt(
            lambda: outcomes.record(
                me(), match_id, form.outcome.data, form.note.data, form.happened_on.data
            ),
            _("Outcome recorded."),
        )
    else:
        flash_form_errors(form)
    return redirect(url_for("web.match_detail", match_id=match_id) + "#how-it-went")


def _my_capabilities(user) -> list[Capability]:
    return db.session.scalars(
        sa.select(Capability)
        .where(Capability.owner_id == user.id, Capability.status == CapabilityStatus.ACTIVE)
        .order_by(Capability.id)
    ).all()


def _offer_form(capabilities) -> OfferForm:
    form = OfferForm(prefix="offer")
    form.capability_id.choices = [(c.id, c.title) for c in capabilities]
    return form


@bp.app_template_global()
def mail_preview(row) -> tuple[str, str, str]:
    """An outbox row as it is (or will be) sent: a notice is rendered for its recipient."""
    return build(row)


@bp.app_template_global()
def offer_of(match):
    """The provider's offer behind a proposal (officers see it in the queue), or None."""
    return hands.requests_of([match.id]).get(match.id)


@bp.app_template_global()
def challenge_extras(challenge) -> dict:
    """The offer of help (providers) and the advice (the company, officers) on a challenge."""
    user = me()
    extras: dict = {"advice": None, "offer_form": None, "offered": False, "no_capability": False}
    if user.is_staff or access.owns(user, challenge):
        extras["advice"] = advice.for_challenge(user, challenge.id)
    open_public = (
        challenge.visibility == Visibility.PUBLIC and challenge.status == ChallengeStatus.OPEN
    )
    if user.role in PROVIDER_ROLES and open_public:
        mine = _my_capabilities(user)
        offered = hands.offered_for(challenge.id, [c.id for c in mine])
        free = [c for c in mine if c.id not in offered]
        extras["offered"] = bool(offered) and not free
        extras["no_capability"] = not mine
        if free:
            extras["offer_form"] = _offer_form(free)
    return extras


@bp.post("/challenges/<id:challenge_id>/offer")
@login_required
def challenge_offer(challenge_id: int):
    form = _offer_form(_my_capabilities(me()))
    if form.validate_on_submit():
        attempt(
            lambda: hands.offer(me(), challenge_id, form.note.data, form.capability_id.data),
            _("Thank you: your offer is with the officers, who will review it."),
        )
    else:
        flash_form_errors(form)
    return redirect(url_for("web.challenges_detail", item_id=challenge_id) + "#offer")


@bp.get("/dashboard/funnel.csv")
@roles_required(*STAFF_ROLES)
def dashboard_funnel_csv():
    return Response(
        reports.funnel_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=xeco-funnel.csv"},
    )
