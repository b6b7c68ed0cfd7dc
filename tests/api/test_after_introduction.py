"""Issue 14 over HTTP: contacts, the conversation, outcomes, offers of help, advice, and
notices in the reader's language (e-mails received by a real SMTP server)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory
from tests.integration.conftest import free_port
from tests.smtp import start_smtp
from xeco import transaction
from xeco.models import (
    AuditEntry,
    EmailOutbox,
    Match,
    MatchRequest,
    MatchStatus,
    Notification,
    Visibility,
)
from xeco.models.base import utcnow
from xeco.services import mail, outcomes


@pytest.fixture
def match(db, users):
    m = MatchFactory(
        challenge=ChallengeFactory(author=users["company"], title="焊缝缺陷检测"),
        capability=CapabilityFactory(owner=users["researcher"], title="Weld inspection lab"),
        score=0.42,
    )
    db.session.commit()
    return m


def approve(client, auth, users, match_id):
    resp = client.post(
        f"/api/v1/matches/{match_id}/decision",
        json={"decision": "approve"},
        headers=auth(users["officer"]),
    )
    assert resp.status_code == 200, resp.get_json()


def accept(client, auth, who, match_id):
    resp = client.post(
        f"/api/v1/matches/{match_id}/response", json={"response": "accept"}, headers=auth(who)
    )
    assert resp.status_code == 200, resp.get_json()


def messages_url(match_id: int) -> str:
    return f"/api/v1/matches/{match_id}/messages"


# --- 1. contacts ------------------------------------------------------------------------


def test_contacts_appear_only_once_both_sides_accepted(client, db, users, auth, match):
    researcher = users["researcher"]
    researcher.phone, researcher.share_phone = "+86 512 6588 0000", True
    users["company"].phone = "+86 21 0000 0000"  # not shared
    db.session.commit()
    approve(client, auth, users, match.id)
    company_view = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["company"]))
    assert company_view.status_code == 200 and "contacts" not in company_view.get_json()
    accept(client, auth, users["company"], match.id)
    one_side = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["researcher"]))
    assert "contacts" not in one_side.get_json()
    accept(client, auth, researcher, match.id)

    seen_by_company = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["company"]))
    assert seen_by_company.get_json()["contacts"] == [
        {
            "side": "provider",
            "name": researcher.name,
            "organisation": researcher.organisation.name,
            "email": researcher.email,
            "phone": "+86 512 6588 0000",
        }
    ]
    seen_by_researcher = client.get(f"/api/v1/matches/{match.id}", headers=auth(researcher))
    [company] = seen_by_researcher.get_json()["contacts"]
    assert company["email"] == users["company"].email and "phone" not in company
    officer = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["officer"]))
    assert [c["side"] for c in officer.get_json()["contacts"]] == ["company", "provider"]


def test_phone_and_its_sharing_are_set_through_me(client, db, users, auth):
    headers = auth(users["researcher"])
    bad = client.patch("/api/v1/me", json={"phone": "call me maybe"}, headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["json"] == {"phone": ["Not a valid phone number."]}
    ok = client.patch(
        "/api/v1/me", json={"phone": "+86 138 0000 0000", "share_phone": True}, headers=headers
    )
    assert ok.status_code == 200
    assert ok.get_json()["phone"] == "+86 138 0000 0000" and ok.get_json()["share_phone"] is True


# --- 2. the conversation ----------------------------------------------------------------


def test_the_conversation_opens_at_the_introduction(client, db, users, auth, match):
    officer = auth(users["officer"])
    early = client.post(messages_url(match.id), json={"body": "Hello"}, headers=officer)
    assert early.status_code == 409
    assert early.get_json()["message"] == "The conversation opens once the parties are introduced."
    # The parties cannot even see it before the approval.
    hidden = client.get(messages_url(match.id), headers=auth(users["company"]))
    assert hidden.status_code == 404
    approve(client, auth, users, match.id)
    assert client.get(messages_url(match.id), headers=officer).get_json()["total"] == 0


@pytest.mark.parametrize(
    ("who", "status"), [("agency", 403), ("company_other", 404), ("institute", 404)]
)
def test_only_the_parties_and_officers_talk(client, db, users, auth, match, who, status):
    approve(client, auth, users, match.id)
    resp = client.post(messages_url(match.id), json={"body": "Hi"}, headers=auth(users[who]))
    assert resp.status_code == status


def test_messages_are_kept_audited_and_notify_the_others(client, db, users, auth, match):
    approve(client, auth, users, match.id)
    text = "Can you visit our Suzhou plant next week? <b>not bold</b>"
    sent = client.post(messages_url(match.id), json={"body": text}, headers=auth(users["company"]))
    assert sent.status_code == 201
    body = sent.get_json()
    assert body["body"] == text and body["author"]["name"] == users["company"].name
    reply = client.post(
        messages_url(match.id), json={"body": "Yes, Tuesday."}, headers=auth(users["researcher"])
    )
    assert reply.status_code == 201
    page = client.get(messages_url(match.id) + "?per_page=1&page=2", headers=auth(users["officer"]))
    assert page.get_json()["total"] == 2 and page.get_json()["items"][0]["body"] == "Yes, Tuesday."
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "message").order_by(AuditEntry.id)
    ).first()
    assert entry.object_id == match.id and entry.after["body"] == text
    kinds = db.session.scalars(
        sa.select(Notification.kind).where(Notification.user_id == users["researcher"].id)
    ).all()
    assert "message" in kinds
    # The officer who approved hears of it too.
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == users["officer"].id, Notification.kind == "message")
        )
        == 2
    )


@pytest.mark.parametrize(("body", "problem"), [("   ", "blank"), ("x" * 4001, "long")])
def test_bad_messages_are_refused_and_nothing_is_kept(
    client, db, users, auth, match, body, problem
):
    approve(client, auth, users, match.id)
    resp = client.post(messages_url(match.id), json={"body": body}, headers=auth(users["company"]))
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]["json"]) == ["body"]
    assert (
        client.get(messages_url(match.id), headers=auth(users["company"])).get_json()["total"] == 0
    )


def test_at_most_one_email_an_hour_per_thread_and_in_the_readers_language(
    app, client, db, users, auth, match
):
    users["researcher"].locale = "zh"
    db.session.commit()
    approve(client, auth, users, match.id)
    db.session.execute(sa.delete(EmailOutbox))  # the introduction's e-mails
    db.session.commit()
    for text in ("First message", "Second message", "Third message"):
        resp = client.post(
            messages_url(match.id), json={"body": text}, headers=auth(users["company"])
        )
        assert resp.status_code == 201
    rows = db.session.scalars(
        sa.select(EmailOutbox).where(EmailOutbox.to == users["researcher"].email)
    ).all()
    assert len(rows) == 1  # three messages, one e-mail within the hour
    # An hour later the next message e-mails again.
    rows[0].created_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    client.post(messages_url(match.id), json={"body": "Fourth"}, headers=auth(users["company"]))
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailOutbox)
            .where(EmailOutbox.to == users["researcher"].email)
        )
        == 2
    )

    port = free_port()
    controller, inbox = start_smtp(port)
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, PUBLIC_BASE_URL="https://xeco.example.org"
    )
    try:
        counts = mail.send_pending()
        transaction.commit()
    finally:
        controller.stop()
    assert counts["failed"] == 0 and counts["sent"] >= 2
    zh = next(m for m in inbox.messages if m["To"] == users["researcher"].email)
    assert zh["Subject"] == f"{users['company'].name} 发来新消息"
    text = zh.get_body(("plain",)).get_content()
    html = zh.get_body(("html",)).get_content()
    assert "First message" in text and "“焊缝缺陷检测” ↔ “Weld inspection lab”" in text
    link = f"https://xeco.example.org/matches/{match.id}#conversation"
    assert link in text and f'href="{link}"' in html
    assert users["company"].organisation.name in text


# --- 3. outcomes, reminders and the funnel ----------------------------------------------


def test_either_side_or_an_officer_records_the_outcome(client, db, users, auth, match):
    approve(client, auth, users, match.id)
    url = f"/api/v1/matches/{match.id}/outcomes"
    bad = client.post(url, json={"outcome": "married"}, headers=auth(users["company"]))
    assert bad.status_code == 422 and list(bad.get_json()["errors"]["json"]) == ["outcome"]
    assert (
        client.post(url, json={"outcome": "talking"}, headers=auth(users["agency"])).status_code
        == 403
    )
    first = client.post(url, json={"outcome": "talking"}, headers=auth(users["company"]))
    assert first.status_code == 201
    signed = client.post(
        url,
        json={"outcome": "agreement", "note": "Two-year contract", "happened_on": "2026-11-20"},
        headers=auth(users["officer"]),
    )
    assert signed.status_code == 201
    history = client.get(url, headers=auth(users["researcher"])).get_json()
    assert [h["outcome"] for h in history] == ["agreement", "talking"]
    assert history[0]["happened_on"] == "2026-11-20" and history[0]["note"] == "Two-year contract"
    shown = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["company"])).get_json()
    assert shown["outcome"]["outcome"] == "agreement"
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "outcome")
        )
        == 2
    )


def test_a_stalled_introduction_gets_one_reminder(app, db, users, client, auth, match):
    approve(client, auth, users, match.id)
    quiet = MatchFactory(
        challenge=ChallengeFactory(author=users["company"]),
        capability=CapabilityFactory(owner=users["researcher"]),
        status=MatchStatus.INTRODUCED,
        introduced_at=utcnow() - timedelta(days=15),
    )
    talked = MatchFactory(
        challenge=ChallengeFactory(author=users["company"]),
        capability=CapabilityFactory(owner=users["researcher"]),
        status=MatchStatus.INTRODUCED,
        introduced_at=utcnow() - timedelta(days=15),
    )
    db.session.commit()
    resp = client.post(messages_url(talked.id), json={"body": "Hi"}, headers=auth(users["company"]))
    assert resp.status_code == 201
    db.session.execute(sa.delete(Notification))
    db.session.commit()
    assert outcomes.remind_stalled() == 1
    assert outcomes.remind_stalled() == 0  # once
    reminded = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "stalled")
    ).all()
    assert {n.match_id for n in reminded} == {quiet.id}
    assert {n.user_id for n in reminded} == {users["company"].id, users["researcher"].id}


def test_the_funnel_counts_each_stage_by_month_and_sector(client, db, users, auth, match):
    MatchFactory(challenge=ChallengeFactory(author=users["company"], sector="new-energy"))
    db.session.commit()
    approve(client, auth, users, match.id)
    accept(client, auth, users["company"], match.id)
    accept(client, auth, users["researcher"], match.id)
    client.post(
        f"/api/v1/matches/{match.id}/outcomes",
        json={"outcome": "started"},
        headers=auth(users["researcher"]),
    )
    summary = client.get("/api/v1/reports/summary", headers=auth(users["officer"])).get_json()
    month = utcnow().strftime("%Y-%m")
    assert summary["funnel"] == [
        {
            "month": month,
            "sector": "advanced-manufacturing",
            "proposed": 1,
            "approved": 1,
            "accepted": 1,
            "agreement": 1,
        },
        {
            "month": month,
            "sector": "new-energy",
            "proposed": 1,
            "approved": 0,
            "accepted": 0,
            "agreement": 0,
        },
    ]
    resp = client.get("/api/v1/reports/funnel.csv", headers=auth(users["officer"]))
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["month", "sector", "proposed", "approved", "accepted", "agreement"]
    assert rows[1] == [month, "Advanced manufacturing", "1", "1", "1", "1"]
    export = client.get("/api/v1/reports/matches.csv", headers=auth(users["officer"]))
    table = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    mine = next(r for r in table if r["match_id"] == str(match.id))
    assert mine["status"] == "Accepted" and mine["outcome"] == "Project started"
    assert mine["sector"] == "Advanced manufacturing"


# --- 4. raising a hand ------------------------------------------------------------------


@pytest.fixture
def open_challenge(db, users):
    ch = ChallengeFactory(
        author=users["company"],
        title="Machine vision for weld seams",
        description="Detect weld seam defects with machine vision cameras on the line.",
        keywords=["machine vision", "weld inspection", "defect detection"],
    )
    db.session.commit()
    return ch


def test_a_researcher_offers_help_and_the_officers_see_it(client, db, users, auth, open_challenge):
    cap = CapabilityFactory(
        owner=users["researcher"],
        title="Machine vision for weld inspection",
        summary="Deep learning finds weld seam defects in camera images of welded parts.",
        keywords=["machine vision", "weld inspection"],
    )
    db.session.commit()
    url = f"/api/v1/challenges/{open_challenge.id}/offers"
    resp = client.post(
        url, json={"note": "We did this for Bosch."}, headers=auth(users["researcher"])
    )
    assert resp.status_code == 201, resp.get_json()
    offer = resp.get_json()
    assert offer["status"] == "proposed" and offer["capability"]["id"] == cap.id
    assert offer["request"]["note"] == "We did this for Bosch."
    assert offer["score"] > 0 and "vision" in {t["term"] for t in offer["explanation"]}
    queue = client.get("/api/v1/matches?status=proposed", headers=auth(users["officer"])).get_json()
    listed = next(m for m in queue["items"] if m["id"] == offer["id"])
    assert listed["request"]["requested_by_id"] == users["researcher"].id

    again = client.post(url, json={}, headers=auth(users["researcher"]))
    assert again.status_code == 409
    assert again.get_json()["message"] == (
        "This challenge and your capability are paired already: no second offer."
    )
    # The engine's next look at the challenge keeps the offer, whatever it scores.
    from xeco.services import matching

    matching.match_challenge(open_challenge.id)
    db.session.commit()
    assert db.session.get(MatchRequest, offer["id"]) is not None
    assert db.session.get(Match, offer["id"]).status == MatchStatus.PROPOSED


def test_offers_are_refused_clearly(client, db, users, auth, open_challenge):
    url = f"/api/v1/challenges/{open_challenge.id}/offers"
    none_yet = client.post(url, json={}, headers=auth(users["researcher"]))
    assert none_yet.status_code == 409
    assert none_yet.get_json()["message"].startswith("Register an active capability first")
    assert client.post(url, json={}, headers=auth(users["company"])).status_code == 403
    hidden = ChallengeFactory(author=users["company"], visibility=Visibility.RESTRICTED)
    CapabilityFactory(owner=users["researcher"])
    db.session.commit()
    resp = client.post(
        f"/api/v1/challenges/{hidden.id}/offers", json={}, headers=auth(users["researcher"])
    )
    assert resp.status_code == 404
    not_mine = client.post(url, json={"capability_id": 999999}, headers=auth(users["researcher"]))
    assert not_mine.status_code == 422


# --- 6. what a company is told ----------------------------------------------------------


def test_a_company_is_told_what_helps_and_reads_a_label_not_a_score(
    client, db, users, auth, open_challenge, match
):
    url = f"/api/v1/challenges/{open_challenge.id}/advice"
    assert client.get(url, headers=auth(users["company"])).get_json()["state"] == "matching"
    open_challenge.fingerprint = "scored"  # what the engine stores when it has looked
    db.session.commit()
    advice = client.get(url, headers=auth(users["company"]))
    assert advice.status_code == 200
    assert advice.get_json()["state"] == "nothing_yet"
    assert set(advice.get_json()["tips"]) == {"description", "other_language"}
    assert (
        client.get(
            f"/api/v1/challenges/{open_challenge.id}/advice", headers=auth(users["company_other"])
        ).status_code
        == 403
    )
    approve(client, auth, users, match.id)
    company = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["company"])).get_json()
    assert company["fit"] == "strong" and "score" not in company
    officer = client.get(f"/api/v1/matches/{match.id}", headers=auth(users["officer"])).get_json()
    assert officer["score"] == 0.42 and officer["fit"] == "strong"


# --- 5. notifications in the reader's language ------------------------------------------


def test_notifications_are_rendered_in_the_readers_language(client, db, users, auth, match):
    users["company"].locale = "zh"
    db.session.commit()
    approve(client, auth, users, match.id)
    zh = client.get("/api/v1/notifications", headers=auth(users["company"])).get_json()["items"]
    assert zh[0]["title"] == "介绍：" + match.capability.title
    assert "请接受或拒绝此次介绍" in zh[0]["body"]
    assert zh[0]["link"].endswith(f"/matches/{match.id}")
    en = client.get("/api/v1/notifications", headers=auth(users["researcher"])).get_json()["items"]
    assert en[0]["title"] == "Introduction: 焊缝缺陷检测"
    # Switching language switches what is already there.
    client.patch("/api/v1/me", json={"locale": "en"}, headers=auth(users["company"]))
    again = client.get("/api/v1/notifications", headers=auth(users["company"])).get_json()["items"]
    assert again[0]["title"] == "Introduction: " + match.capability.title


def test_the_stalled_reminder_runs_daily_under_beat(app):
    from xeco.celery_app import beat_schedule

    entry = beat_schedule(app)["remind-stalled"]
    assert entry["task"] == "xeco.remind_stalled"
    assert entry["task"] in app.extensions["celery"].tasks
