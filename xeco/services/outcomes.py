"""How an introduction went, and the one reminder for those that stalled.

Either party or an officer records an outcome (talking, agreement signed, project started,
no deal) with an optional note and date; the latest one is the match's outcome and what the
officers' report counts. An introduction with no message and no outcome for
``STALLED_AFTER_DAYS`` gets one reminder (Celery beat, daily).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from xeco.errors import Invalid
from xeco.extensions import db
from xeco.models import Match, MatchMessage, MatchOutcome, MatchStatus, Outcome, User
from xeco.models.base import utcnow
from xeco.services import audit, conversation, notices, notifications
from xeco.services.workflow import company_users, provider_users


def record(
    actor: User,
    match_id: int,
    outcome: str,
    note: str | None = None,
    happened_on: date | None = None,
) -> MatchOutcome:
    match = conversation.thread(actor, match_id)  # the same people, from the same moment
    try:
        value = Outcome(outcome)
    except ValueError:
        choices = ", ".join(o.value for o in Outcome)
        raise Invalid(errors={"json": {"outcome": [f"Must be one of: {choices}."]}}) from None
    if happened_on is not None and happened_on > utcnow().date() + timedelta(days=1):
        raise Invalid(errors={"json": {"happened_on": ["Must not be in the future."]}})
    row = MatchOutcome(
        match_id=match.id,
        outcome=value,
        note=(note or "").strip() or None,
        happened_on=happened_on,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "outcome",
        match,
        after={"outcome": value.value, "note": row.note, "happened_on": _iso(happened_on)},
    )
    params = notices.match_params(match) | {"outcome": value.value, "author": actor.name}
    for user in conversation.participants(match):
        if user.id != actor.id:
            notifications.notify(user, "outcome", params, match.id)
    return row


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def history(actor: User, match_id: int) -> list[MatchOutcome]:
    match = conversation.thread(actor, match_id)
    return db.session.scalars(
        sa.select(MatchOutcome)
        .where(MatchOutcome.match_id == match.id)
        .order_by(MatchOutcome.id.desc())
    ).all()


def remind_stalled() -> int:
    """Remind the parties of introductions that went quiet; each match is reminded once."""
    cutoff = utcnow() - timedelta(days=current_app.config["STALLED_AFTER_DAYS"])
    quiet = (
        sa.select(Match)
        .where(
            Match.status.in_([MatchStatus.INTRODUCED, MatchStatus.ACCEPTED]),
            Match.introduced_at <= cutoff,
            Match.reminded_at.is_(None),
            ~sa.exists().where(MatchMessage.match_id == Match.id),
            ~sa.exists().where(MatchOutcome.match_id == Match.id),
        )
        .order_by(Match.id)
        # Two overlapping runs never remind the same match twice (PostgreSQL; SQLite has
        # one writer anyway).
        .with_for_update(skip_locked=True)
    )
    reminded = 0
    for match in db.session.scalars(quiet).all():
        params = notices.match_params(match)
        for user in (*company_users(match), *provider_users(match)):
            notifications.notify(user, "stalled", params, match.id)
        match.reminded_at = utcnow()
        reminded += 1
    db.session.flush()
    return reminded
