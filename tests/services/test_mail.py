"""E-mail goes through a real SMTP server; a server that is down loses nothing."""

from __future__ import annotations

import sqlalchemy as sa

from tests.integration.conftest import free_port
from tests.smtp import start_smtp
from xeco import transaction
from xeco.models import EmailOutbox, Notification
from xeco.services import mail, notifications


def _parts(msg) -> tuple[str, str]:
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return text, html


def test_a_notice_is_sent_in_its_readers_language_with_both_parts_and_a_link(app, db, users):
    port = free_port()
    controller, inbox = start_smtp(port)
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, PUBLIC_BASE_URL="https://xeco.example.org/"
    )
    company = users["company"]
    company.locale = "zh"
    params = {
        "match_id": None,
        "side": "company",
        "challenge": "石墨烯导热膜",
        "capability": "Thermal films <lab>",
        "company": "苏州材料有限公司",
        "provider": "Tsinghua Lab",
        "note": None,
    }
    try:
        notifications.notify(company, "introduced", params)
        # The English reader of the same notice reads it in English.
        notifications.notify(users["researcher"], "introduced", dict(params, side="provider"))
        transaction.commit()
        assert mail.send_pending() == {"sent": 2, "failed": 0, "retry": 0}
        db.session.commit()
    finally:
        controller.stop()
    zh, en = sorted(inbox.messages, key=lambda m: m["To"] != company.email)
    assert zh["To"] == company.email
    assert zh["Subject"] == "介绍：Thermal films <lab>"
    text, html = _parts(zh)
    assert "您的挑战“石墨烯导热膜”已与“Thermal films <lab>”（Tsinghua Lab）匹配" in text
    assert "苏州材料有限公司" in text and "Tsinghua Lab" in text
    assert "Thermal films &lt;lab&gt;" in html and "<lab>" not in html
    assert en["Subject"] == "Introduction: 石墨烯导热膜"
    text, html = _parts(en)
    assert "of 苏州材料有限公司. Please accept or decline" in text
    row = db.session.scalars(sa.select(EmailOutbox).where(EmailOutbox.to == company.email)).one()
    assert row.sent_at is not None and row.attempts == 1 and row.subject is None


def test_a_written_mail_gets_an_html_part_with_its_link(app, db, users):
    port = free_port()
    controller, inbox = start_smtp(port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        notifications.queue_email("x@example.com", "Confirm", "Follow https://x.test/v/abc now")
        transaction.commit()
        assert mail.send_pending()["sent"] == 1
        db.session.commit()
    finally:
        controller.stop()
    text, html = _parts(inbox.messages[0])
    assert "https://x.test/v/abc" in text
    assert '<a href="https://x.test/v/abc"' in html


def test_unreachable_server_keeps_the_mail_for_later(app, db, users):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    notifications.queue_email("x@example.com", "Subject", "Body")
    db.session.commit()
    assert mail.send_pending() == {"sent": 0, "failed": 0, "retry": 1}
    db.session.commit()
    row = db.session.scalars(sa.select(EmailOutbox)).one()
    assert row.sent_at is None and row.attempts == 1 and row.last_error.startswith("connect")


def test_daily_digest_summarises_the_days_introductions(app, db, users):
    researcher = users["researcher"]
    researcher.locale = "zh"
    # One notice stored as text (from before notices had parameters), one as a notice.
    db.session.add(Notification(user_id=researcher.id, kind="introduced", title="Introduction 0"))
    params = {"challenge": "挑战一", "capability": "Lab one", "side": "provider"}
    db.session.add(Notification(user_id=researcher.id, kind="introduced", params=params))
    db.session.commit()
    assert mail.daily_digest() == 1
    assert mail.daily_digest() == 0  # each introduction is digested once
    db.session.commit()
    digest = db.session.scalars(sa.select(EmailOutbox)).one()
    assert digest.to == researcher.email and digest.kind == "digest"
    with app.test_request_context():
        from xeco.services.mail_content import build

        subject, text, _html = build(digest)
    assert subject == "xeco：今天有 2 个新的介绍"
    assert "- Introduction 0" in text and "“挑战一” ↔ “Lab one”" in text


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
