"""Sending the e-mail outbox over SMTP, and the daily digest."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from xeco.extensions import db
from xeco.models import EmailOutbox, Notification, User
from xeco.models.base import utcnow
from xeco.services.notifications import queue_email

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def send_pending(limit: int = 200) -> int:
    cfg = current_app.config
    rows = db.session.scalars(
        sa.select(EmailOutbox)
        .where(EmailOutbox.sent_at.is_(None), EmailOutbox.attempts < MAX_ATTEMPTS)
        .order_by(EmailOutbox.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    sent = 0
    try:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10)
    except OSError as exc:
        for row in rows:
            row.attempts += 1
            row.last_error = f"connect: {exc}"[:500]
        log.warning("mail: cannot reach %s:%s: %s", cfg["MAIL_SERVER"], cfg["MAIL_PORT"], exc)
        return 0
    with smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        for row in rows:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = cfg["MAIL_DEFAULT_SENDER"], row.to, row.subject
            msg.set_content(row.body)
            row.attempts += 1
            try:
                smtp.send_message(msg)
            except smtplib.SMTPException as exc:
                row.last_error = str(exc)[:500]
                continue
            row.sent_at = utcnow()
            sent += 1
    log.info("mail: sent %d of %d", sent, len(rows))
    return sent


def daily_digest() -> int:
    """One e-mail per user summarising the introductions of the last day not yet digested."""
    since = utcnow() - timedelta(days=1)
    pending = db.session.scalars(
        sa.select(Notification)
        .where(
            Notification.kind == "introduced",
            Notification.created_at >= since,
            Notification.digested_at.is_(None),
        )
        .order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = {}
    for note in pending:
        by_user.setdefault(note.user_id, []).append(note)
    for user_id, notes in by_user.items():
        user = db.session.get(User, user_id)
        lines = "\n".join(f"- {n.title}" for n in notes)
        if user and user.active:
            queue_email(
                user.email,
                f"xeco: {len(notes)} new introduction(s) today",
                f"New approved matches for you:\n{lines}\n\nSign in to respond.",
            )
        for note in notes:
            note.digested_at = utcnow()
    return len(by_user)
