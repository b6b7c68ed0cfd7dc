"""In-app notifications and the e-mails that go with them."""

from __future__ import annotations

import sqlalchemy as sa

from xeco import transaction
from xeco.errors import NotFound
from xeco.extensions import db
from xeco.models import EmailOutbox, Notification, User
from xeco.models.base import utcnow
from xeco.services import outbox
from xeco.services.listing import Page, paginate


def notify(
    user: User, kind: str, title: str, body: str, match_id: int | None = None, email: bool = True
) -> Notification:
    note = Notification(user_id=user.id, kind=kind, title=title[:300], body=body, match_id=match_id)
    db.session.add(note)
    if email and user.active:
        queue_email(user.email, title, body)
    return note


def queue_email(to: str, subject: str, body: str) -> EmailOutbox:
    """Record the e-mail; a Celery task sends it after the commit (and retries later)."""
    # A subject is a header: a line break in it (from a title) would end it.
    mail = EmailOutbox(to=to, subject=" ".join(subject.split())[:300], body=body)
    db.session.add(mail)
    if transaction.once("send_emails"):
        outbox.enqueue("xeco.send_emails")
    return mail


def list_for(user: User, unread: bool | None, page: int, per_page: int) -> Page:
    stmt = sa.select(Notification).where(Notification.user_id == user.id)
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return paginate(stmt.order_by(Notification.id.desc()), page, per_page)


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
