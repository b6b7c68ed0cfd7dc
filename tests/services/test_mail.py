"""E-mail goes through a real SMTP server; a server that is down loses nothing."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.conftest import free_port
from tests.smtp import start_smtp
from xeco import transaction
from xeco.models import EmailOutbox, Notification
from xeco.services import mail, notifications


def test_queued_mail_is_sent_over_smtp(app, db, users):
    port = free_port()
    controller, inbox = start_smtp(port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        notifications.notify(
            users["company"], "introduced", "介绍：石墨烯导热膜", "您的挑战已匹配。"
        )
        transaction.commit()
        assert mail.send_pending() == {"sent": 1, "failed": 0, "retry": 0}
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
    assert mail.send_pending() == {"sent": 0, "failed": 0, "retry": 1}
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


def test_a_bad_row_fails_alone_and_the_rest_go_out_exactly_once(app, db, users):
    """A header with a line break (here written straight into the table, as old data could
    be) once raised, rolled the batch back and re-sent the rows before it on every retry."""
    port = free_port()
    controller, inbox = start_smtp(port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        db.session.add_all(
            [
                EmailOutbox(to="a@example.com", subject="First", body="1"),
                EmailOutbox(to="b@example.com", subject="x\r\nBcc: victim@evil.test", body="2"),
                EmailOutbox(to="c@example.com", subject="Third", body="3"),
            ]
        )
        db.session.commit()
        assert mail.send_pending() == {"sent": 2, "failed": 1, "retry": 0}
        assert mail.send_pending() == {"sent": 0, "failed": 0, "retry": 0}
    finally:
        controller.stop()
    assert sorted(m["To"] for m in inbox.messages) == ["a@example.com", "c@example.com"]
    bad = db.session.scalars(sa.select(EmailOutbox).where(EmailOutbox.body == "2")).one()
    assert bad.sent_at is None and bad.failed_at is not None
    assert bad.last_error.startswith("BadHeaderError")  # flask-mailman refuses the header


def test_queued_subjects_are_one_line(app, db):
    row = notifications.queue_email("x@example.com", "Introduction:\r\nBcc: v@evil.test", "b")
    assert row.subject == "Introduction: Bcc: v@evil.test"


def test_without_a_mail_server_development_prints_the_mail(app, db, capsys, monkeypatch):
    """`make run` on a fresh machine has no SMTP server: a new account's confirmation link
    must reach its owner somewhere, and the worker's output is that place."""
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    notifications.queue_email("x@example.com", "Confirm", "Follow http://localhost/verify/t")
    db.session.commit()
    assert mail.send_pending() == {"sent": 1, "failed": 0, "retry": 0}
    assert "http://localhost/verify/t" in capsys.readouterr().out
