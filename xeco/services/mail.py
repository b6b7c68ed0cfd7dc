"""Sending the e-mail outbox over SMTP, and the daily digest."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mailman import EmailMultiAlternatives

from xeco.extensions import db, mail
from xeco.models import EmailOutbox, Notification, User
from xeco.models.base import utcnow
from xeco.services.mail_content import build
from xeco.services.notifications import queue_notice

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


def send_pending(limit: int = 200) -> dict[str, int]:
    """Send what is due, each row on its own: one bad row never holds back or re-sends others.

    A row is committed as soon as its message is handed over, because a sent e-mail cannot
    be taken back: a later failure must not roll the row back and send it again. A message
    that cannot be built (a header with a line break, a malformed address) is marked failed
    for good; an SMTP refusal is retried on later runs, up to ``MAX_ATTEMPTS``.
    """
    cfg = current_app.config
    rows = db.session.scalars(
        sa.select(EmailOutbox)
        .where(
            EmailOutbox.sent_at.is_(None),
            EmailOutbox.failed_at.is_(None),
            EmailOutbox.attempts < MAX_ATTEMPTS,
        )
        .order_by(EmailOutbox.id)
        .limit(limit)
    ).all()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    if not rows:
        return counts
    # Settings are read at each run, not frozen at start-up, as the rest of the app reads them.
    connection = mail.get_connection(
        backend=cfg.get("MAIL_BACKEND") or "smtp",
        fail_silently=False,
        host=cfg["MAIL_SERVER"],
        port=cfg["MAIL_PORT"],
        username=cfg.get("MAIL_USERNAME"),
        password=cfg.get("MAIL_PASSWORD"),
        use_tls=bool(cfg.get("MAIL_USE_TLS")),
        timeout=cfg.get("MAIL_TIMEOUT", 10),
    )
    try:
        connection.open()
    except OSError as exc:  # refused, unreachable, TLS or login failure (SMTPException too)
        for row in rows:
            row.attempts += 1
            row.last_error = f"connect: {exc}"[:500]
        log.warning("mail: cannot reach %s:%s: %s", cfg["MAIL_SERVER"], cfg["MAIL_PORT"], exc)
        counts["retry"] = len(rows)
        return counts
    try:
        for row in rows:
            counts[_send_one(connection, cfg["MAIL_DEFAULT_SENDER"], row)] += 1
            db.session.commit()
    finally:
        connection.close()
    log.info("mail: %s of %d", counts, len(rows))
    return counts


def _send_one(connection, sender: str, row: EmailOutbox) -> str:
    row.attempts += 1
    try:
        subject, text, html = build(row)
        msg = EmailMultiAlternatives(subject, text, sender, [row.to], connection=connection)
        msg.attach_alternative(html, "text/html")
        msg.message()  # built here so a bad header fails this row alone, before sending
    except (ValueError, TypeError, IndexError, KeyError) as exc:  # the email package's refusals
        row.failed_at, row.last_error = utcnow(), f"{type(exc).__name__}: {exc}"[:500]
        log.error("mail: outbox row %s cannot be sent: %s", row.id, exc)
        return "failed"
    try:
        msg.send()
    except smtplib.SMTPException as exc:
        row.last_error = str(exc)[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at = utcnow()
            return "failed"
        return "retry"
    row.sent_at = utcnow()
    return "sent"


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
        items = [
            {k: n.params[k] for k in ("challenge", "capability")}
            if n.params
            else {"title": n.title}
            for n in notes
        ]
        if user and user.active:
            queue_notice(user, "digest", {"items": items})
        for note in notes:
            note.digested_at = utcnow()
    return len(by_user)
