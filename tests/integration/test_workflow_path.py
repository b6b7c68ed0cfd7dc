"""The whole path over HTTP with a real worker: a company's post to both parties accepting.

Each illegal step on the way is tried and refused with its documented status.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.integration.conftest import free_port, wait_for
from tests.smtp import start_smtp
from xeco import transaction
from xeco.extensions import db
from xeco.models import EmailOutbox, Role
from xeco.services.users import create_user

pytestmark = pytest.mark.slow


def test_from_post_to_both_parties_accepting(live_pg):
    app, client = live_pg.app, live_pg.app.test_client()
    smtp_port = free_port()
    controller, inbox = start_smtp(smtp_port)
    worker = live_pg.worker(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port).start()
    try:
        _walk(app, client, inbox)
    finally:
        worker.stop()
        controller.stop()


def _token(client, email, password="a-long-password"):
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def _confirm_address(app, client, email):
    """Follow the confirmation link, as the new user would, before posting."""
    with app.app_context():
        body = db.session.scalars(
            sa.select(EmailOutbox.body).where(EmailOutbox.to == email)
        ).first()
        db.session.remove()
    token = re.search(r"/verify/(\S+)", body).group(1)
    assert client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200


def _walk(app, client, inbox):
    for email, role, org in (
        ("wf-co@example.com", "company", "WF Robotics Co"),
        ("wf-re@example.com", "researcher", "WF University"),
    ):
        resp = client.post(
            "/api/v1/auth/register",
            json={
                "email": email,
                "password": "a-long-password",
                "name": email.split("@")[0],
                "role": role,
                "organisation": {"name": org, "region": "Suzhou"},
            },
        )
        assert resp.status_code == 201, resp.get_json()
        _confirm_address(app, client, email)
    # The confirmation links went out through the real worker and SMTP.
    wait_for(lambda: len(inbox.messages) >= 2, 60, what="confirmation e-mails")
    assert all("confirm your e-mail" in m["Subject"] for m in inbox.messages)
    inbox.messages.clear()
    with app.app_context():
        create_user("wf-officer@example.com", "a-long-password", Role.OFFICER)
        transaction.commit()
        db.session.remove()
    company, researcher = _token(client, "wf-co@example.com"), _token(client, "wf-re@example.com")
    officer = _token(client, "wf-officer@example.com")

    # A researcher may not post a challenge; a company may not approve.
    refused = client.post(
        "/api/v1/challenges", headers=researcher, json={"title": "x" * 5, "description": "y" * 20}
    )
    assert refused.status_code == 403
    cap = client.post(
        "/api/v1/capabilities",
        headers=researcher,
        json={
            "title": "Robotic welding seam tracking with laser vision",
            "summary": "Laser vision sensors and deep learning track weld seams for robots.",
            "keywords": ["welding", "seam tracking", "laser vision"],
            "publications": [{"title": "Seam tracking for robotic welding", "year": 2025}],
        },
    )
    assert cap.status_code == 201
    ch = client.post(
        "/api/v1/challenges",
        headers=company,
        json={
            "title": "Weld seam tracking for our welding robots",
            "description": "Our welding robots drift off the seam; we need laser vision seam "
            "tracking that works on reflective steel.",
            "keywords": ["welding", "seam tracking"],
            "visibility": "restricted",
        },
    )
    assert ch.status_code == 201
    challenge_id = ch.get_json()["id"]

    def queue():
        page = client.get(
            f"/api/v1/matches?status=proposed&challenge_id={challenge_id}", headers=officer
        ).get_json()
        return page["items"]

    proposals = wait_for(queue, 60, what="the worker's proposal")
    match = proposals[0]
    assert match["capability"]["id"] == cap.get_json()["id"]
    assert {"welding", "seam"} & {t["term"] for t in match["explanation"]}
    mid = match["id"]

    # Before approval the parties see neither the match nor (researcher) the restricted post.
    assert client.get(f"/api/v1/matches/{mid}", headers=company).status_code == 404
    assert client.get(f"/api/v1/challenges/{challenge_id}", headers=researcher).status_code == 404
    early = client.post(
        f"/api/v1/matches/{mid}/response", headers=company, json={"response": "accept"}
    )
    assert early.status_code == 404
    assert (
        client.post(
            f"/api/v1/matches/{mid}/decision", headers=company, json={"decision": "approve"}
        ).status_code
        == 403
    )

    approved = client.post(
        f"/api/v1/matches/{mid}/decision",
        headers=officer,
        json={"decision": "approve", "note": "Meet on Tuesday"},
    )
    assert approved.status_code == 200 and approved.get_json()["status"] == "introduced"
    assert (
        client.post(
            f"/api/v1/matches/{mid}/decision",
            headers=officer,
            json={"decision": "reject", "reason": "changed my mind"},
        ).status_code
        == 409
    )
    assert client.get(f"/api/v1/challenges/{challenge_id}", headers=researcher).status_code == 200
    for headers in (company, researcher):
        unread = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
        assert [n["kind"] for n in unread["items"]] == ["introduced"]
    # The worker sends the introduction e-mails through SMTP.
    wait_for(lambda: len(inbox.messages) >= 2, 60, what="introduction e-mails")
    assert {m["To"] for m in inbox.messages} == {"wf-co@example.com", "wf-re@example.com"}

    ok = client.post(
        f"/api/v1/matches/{mid}/response",
        headers=company,
        json={"response": "accept", "note": "Happy to meet"},
    )
    assert ok.status_code == 200 and ok.get_json()["status"] == "introduced"
    assert (
        client.post(
            f"/api/v1/matches/{mid}/response", headers=company, json={"response": "accept"}
        ).status_code
        == 409
    )
    done = client.post(
        f"/api/v1/matches/{mid}/response", headers=researcher, json={"response": "accept"}
    )
    assert done.status_code == 200 and done.get_json()["status"] == "accepted"
    assert (
        client.get(f"/api/v1/challenges/{challenge_id}", headers=company).get_json()["status"]
        == "matched"
    )
    assert (
        client.post(
            f"/api/v1/matches/{mid}/response", headers=researcher, json={"response": "decline"}
        ).status_code
        == 409
    )
    trail = client.get(f"/api/v1/audit?object=matches&object_id={mid}", headers=officer)
    assert [e["action"] for e in trail.get_json()["items"]] == [
        "respond_accept",
        "respond_accept",
        "approve",
    ]

    def unsent() -> int:
        with app.app_context():
            count = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM email_outbox WHERE sent_at IS NULL AND \"to\" LIKE 'wf-%'"
                )
            )
            db.session.remove()
            return count

    # The responses notified the other side; the worker sends those e-mails too.
    wait_for(lambda: unsent() == 0, 60, what="every e-mail sent")
    wait_for(lambda: len(inbox.messages) == 4, 30, what="the response e-mails")
