"""The conversation of a match: the two parties and the officers, from the introduction on.

Messages are plain text, kept and audited. Each notifies the others in-app; e-mail goes to
each recipient at most once per ``MESSAGE_EMAIL_INTERVAL_MINUTES`` per thread, so a lively
conversation does not flood an inbox.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from xeco.errors import Conflict, Forbidden, Invalid
from xeco.extensions import db
from xeco.models import EmailOutbox, Match, MatchMessage, User
from xeco.models.base import utcnow
from xeco.models.match import INTRODUCED_ONWARD
from xeco.services import access, audit, notices, notifications
from xeco.services import matches as reads
from xeco.services.listing import Page, paginate
from xeco.services.workflow import company_users, provider_users

EXCERPT_CHARS = 300


def thread(actor: User, match_id: int) -> Match:
    """The match, if ``actor`` takes part in its conversation (404 if not visible)."""
    match = reads.get(actor, match_id)
    if not actor.is_staff and access.party_side(actor, match) is None:
        raise Forbidden("Only the two parties and the officers take part in the conversation.")
    if match.status not in INTRODUCED_ONWARD:
        raise Conflict("The conversation opens once the parties are introduced.")
    return match


def messages(actor: User, match_id: int, page: int, per_page: int) -> Page:
    match = thread(actor, match_id)
    stmt = (
        sa.select(MatchMessage).where(MatchMessage.match_id == match.id).order_by(MatchMessage.id)
    )
    return paginate(stmt, page, per_page)


def post(actor: User, match_id: int, body: str) -> MatchMessage:
    match = thread(actor, match_id)
    body = (body or "").strip()
    limit = current_app.config["MESSAGE_MAX_CHARS"]
    if not body:
        raise Invalid(errors={"json": {"body": ["Write a message."]}})
    if len(body) > limit:
        raise Invalid(errors={"json": {"body": [f"Longer than maximum length {limit}."]}})
    message = MatchMessage(match_id=match.id, author_id=actor.id, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record(actor, "message", match, after={"message_id": message.id, "body": body})
    _tell_the_others(actor, match, body)
    return message


def participants(match: Match) -> list[User]:
    """The two parties and the officers who decided or review it."""
    people = {u.id: u for u in (*company_users(match), *provider_users(match))}
    for officer_id in (match.decided_by_id, match.challenge.reviewer_id):
        officer = db.session.get(User, officer_id) if officer_id else None
        if officer is not None and officer.active and officer.is_staff:
            people[officer.id] = officer
    return list(people.values())


def _tell_the_others(actor: User, match: Match, body: str) -> None:
    excerpt = body if len(body) <= EXCERPT_CHARS else body[: EXCERPT_CHARS - 1] + "…"
    params = notices.match_params(match) | {"author": actor.name, "excerpt": excerpt}
    minutes = current_app.config["MESSAGE_EMAIL_INTERVAL_MINUTES"]
    since = utcnow() - timedelta(minutes=minutes)
    for user in participants(match):
        if user.id == actor.id:
            continue
        notifications.notify(user, "message", params, match.id, email=False)
        emailed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailOutbox)
            .where(
                EmailOutbox.user_id == user.id,
                EmailOutbox.match_id == match.id,
                EmailOutbox.kind == "message",
                EmailOutbox.created_at >= since,
            )
        )
        if not emailed:
            notifications.queue_notice(user, "message", params, match.id)
