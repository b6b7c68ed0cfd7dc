"""E-mail goes through a real SMTP server; a server that is down loses nothing."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.conftest import free_port
from tests.smtp import start_smtp
from xeco.models import EmailOutbox, Notification
from xeco.services import mail, notifications, outbox


def test_queued_mail_is_sent_over_smtp(app, db, users):
    port = free_port()
    controller, inbox = start_smtp(port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        notifications.notify(
            users["company"], "introduced", "介绍：石墨烯导热膜", "您的挑战已匹配。"
        )
        outbox.commit()
        assert mail.send_pending() == 1
        db.session.commit()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == users["company"].email
    assert msg["Subject"] == "介绍：石墨烯导热膜"
    assert "您的挑战已匹配" in msg.get_content()
    row = db.session.scalars(sa.select(EmailOutbox)).one()
    assert row.sent_at is not None and row.attempts == 1


def test_unreachable_server_keeps_the_mail_for_later(app, db, users):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    notifications.queue_email("x@example.com", "Subject", "Body")
    db.session.commit()
    assert mail.send_pending() == 0
    db.session.commit()
    row = db.session.scalars(sa.select(EmailOutbox)).one()
    assert row.sent_at is None and row.attempts == 1 and row.last_error.startswith("connect")


def test_daily_digest_summarises_the_days_introductions(app, db, users):
    for i in range(2):
        db.session.add(
            Notification(
                user_id=users["researcher"].id, kind="introduced", title=f"Introduction {i}"
            )
        )
    db.session.commit()
    assert mail.daily_digest() == 1
    assert mail.daily_digest() == 0  # each introduction is digested once
    db.session.commit()
    digest = db.session.scalars(sa.select(EmailOutbox)).one()
    assert digest.to == users["researcher"].email
    assert "Introduction 0" in digest.body and "Introduction 1" in digest.body
