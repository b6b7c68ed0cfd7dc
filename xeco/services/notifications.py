"""In-app notifications and the e-mails that go with them.

Both are stored as a kind and parameters (``xeco.services.notices``) and put into words in
the reader's language when shown or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale

from xeco import transaction
from xeco.errors import NotFound
from xeco.extensions import db
from xeco.models import EmailOutbox, Notification, User
from xeco.models.base import utcnow
from xeco.services import notices, outbox
from xeco.services.listing import Page, paginate


def notify(
    user: User, kind: str, params: dict, match_id: int | None = None, email: bool = True
) -> Notification:
    note = Notification(user_id=user.id, kind=kind, params=params, match_id=match_id)
    db.session.add(note)
    if email and user.active:
        queue_notice(user, kind, params, match_id)
    return note


def queue_notice(user: User, kind: str, params: dict, match_id: int | None = None) -> EmailOutbox:
    """An e-mail rendered when it is sent, in the recipient's language of that moment."""
    mail = EmailOutbox(to=user.email, user_id=user.id, kind=kind, params=params, match_id=match_id)
    return _queue(mail)


def queue_email(to: str, subject: str, body: str) -> EmailOutbox:
    """Record a written e-mail; a Celery task sends it after the commit (and retries later)."""
    # A subject is a header: a line break in it (from a title) would end it.
    return _queue(EmailOutbox(to=to, subject=" ".join(subject.split())[:300], body=body))


def _queue(mail: EmailOutbox) -> EmailOutbox:
    db.session.add(mail)
    if transaction.once("send_emails"):
        outbox.enqueue("xeco.send_emails")
    return mail


@dataclass
class Shown:
    """A notification as its reader sees it."""

    id: int
    kind: str
    title: str
    body: str
    match_id: int | None
    read_at: datetime | None
    created_at: datetime
    link: str | None


def shown(note: Notification, locale: str) -> Shown:
    with force_locale(locale):
        return _shown(note)


def _shown(note: Notification) -> Shown:
    """``note`` in the current locale."""
    text = notices.render(note.kind, note.params, note.title, note.body)
    link = notices.public_url(*text.page) if text.page else None
    return Shown(
        note.id,
        note.kind,
        text.title,
        text.body,
        note.match_id,
        note.read_at,
        note.created_at,
        link,
    )


def list_for(
    user: User, unread: bool | None, page: int, per_page: int, locale: str | None = None
) -> Page:
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    result = paginate(stmt.order_by(Notification.id.desc()), page, per_page)
    with force_locale(locale or user.locale):  # once for the page, not per notification
        result.items = [_shown(n) for n in result.items]
    return result


def unread_count(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_read(user: User, notification_id: int) -> Notification:
    note = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if note is None:
        raise NotFound(f"No notification with id {notification_id}.")
    note.read_at = note.read_at or utcnow()
    return note


def mark_all_read(user: User) -> int:
    return db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount


def mark_read_for_match(user: User, match_id: int) -> int:
    """Opening a match reads what it was about: the header's badge should not stay lit."""
    return db.session.execute(
        sa.update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.match_id == match_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    ).rowcount
