"""Accounts over HTTP: joining an organisation, approval, e-mail domains, invitations,
e-mail verification, password reset and one's own settings."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, UserFactory
from xeco.models import AuditEntry, EmailOutbox, Notification, Role, User
from xeco.services import tokens

CAPABILITY = {"title": "Vision lab", "summary": "Deep learning for inspection images."}
UNIVERSITY = {"name": "Soochow Institute of Technology", "region": "Suzhou"}


def register(client, email, org=UNIVERSITY, role="researcher", **over):
    body = {
        "email": email,
        "password": "a-long-password",
        "name": email.split("@")[0].title(),
        "role": role,
        "organisation": org,
    }
    return client.post("/api/v1/auth/register", json=body | over)


def token_for(client, email, password="a-long-password") -> dict:
    resp = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def last_mail(db, to: str, subject: str = "") -> EmailOutbox | None:
    """The newest e-mail to ``to`` whose subject, as it will be sent, contains ``subject``."""
    from xeco.services.mail_content import build

    rows = db.session.scalars(
        sa.select(EmailOutbox).where(EmailOutbox.to == to).order_by(EmailOutbox.id.desc())
    )
    return next((row for row in rows if subject in build(row)[0]), None)


def link_token(db, to: str, path: str) -> str:
    mail = db.session.scalars(
        sa.select(EmailOutbox)
        .where(EmailOutbox.to == to, EmailOutbox.body.contains(path))
        .order_by(EmailOutbox.id.desc())
    ).first()
    return re.search(rf"{path}([^\s?]+)", mail.body).group(1)


def user_of(db, email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def verify(client, db, email) -> None:
    resp = client.post("/api/v1/auth/verify", json={"token": link_token(db, email, "/verify/")})
    assert resp.status_code == 200, resp.get_json()


def test_a_second_researcher_joins_the_university_once_approved(client, db):
    first = register(client, "li@soochow.example.cn")
    assert first.status_code == 201
    assert first.get_json()["membership"] == "active"
    li = user_of(db, "li@soochow.example.cn")
    assert li.org_admin
    org_id, li_id = li.organisation_id, li.id
    verify(client, db, "li@soochow.example.cn")
    admin = token_for(client, "li@soochow.example.cn")

    second = register(client, "wang@soochow.example.cn")
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["membership"] == "pending"
    wang_id = user_of(db, "wang@soochow.example.cn").id
    assert user_of(db, "wang@soochow.example.cn").organisation_id == org_id
    verify(client, db, "wang@soochow.example.cn")

    # Signed in, but posting waits for the organisation, with a message that says so.
    wang = token_for(client, "wang@soochow.example.cn")
    assert client.get("/api/v1/me", headers=wang).get_json()["membership"] == "pending"
    refused = client.post("/api/v1/capabilities", headers=wang, json=CAPABILITY)
    assert refused.status_code == 403
    assert refused.get_json() == {
        "code": 403,
        "status": "Forbidden",
        "message": (
            "Your membership of this organisation is waiting for approval by its "
            "administrators; you can post once they approve it."
        ),
    }

    asked = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "join_request")
    ).one()
    assert asked.params["org"] == "Soochow Institute of Technology"
    shown = client.get("/api/v1/notifications", headers=admin).get_json()["items"][0]
    assert shown["title"] == "Wang asks to join Soochow Institute of Technology"
    pending = client.get(f"/api/v1/organisations/{org_id}/members?status=pending", headers=admin)
    assert [u["email"] for u in pending.get_json()["items"]] == ["wang@soochow.example.cn"]

    approved = client.post(
        f"/api/v1/organisations/{org_id}/members/{wang_id}/approve", headers=admin
    )
    assert approved.status_code == 200 and approved.get_json()["membership"] == "active"
    assert client.post("/api/v1/capabilities", headers=wang, json=CAPABILITY).status_code == 201
    again = client.post(f"/api/v1/organisations/{org_id}/members/{wang_id}/reject", headers=admin)
    assert again.status_code == 409

    # Both sides hear of it; the audit log says who decided.
    kinds = db.session.execute(
        sa.select(Notification.user_id, Notification.kind).where(
            Notification.kind.in_(["membership_approved", "membership_decided"])
        )
    ).all()
    assert {k[0] for k in kinds} == {wang_id, li_id}
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "approve_member")
    ).one()
    assert entry.object_id == wang_id and entry.actor_id == li_id
    assert entry.after == {"membership": "active"}
    assert last_mail(db, "wang@soochow.example.cn", "You are now a member") is not None


def test_a_rejected_member_cannot_post_and_others_cannot_decide(client, db, users, auth):
    org = users["researcher"].organisation
    users["researcher"].org_admin = True
    db.session.commit()
    resp = register(client, "mallory@example.com", org={"name": org.name.upper()})
    assert resp.get_json()["membership"] == "pending"
    mallory = user_of(db, "mallory@example.com").id
    url = f"/api/v1/organisations/{org.id}/members/{mallory}"

    # Another organisation's admin, and a plain member, may not decide.
    for who in ("institute", "company"):
        assert client.post(url + "/approve", headers=auth(users[who])).status_code == 403
    # A user of another organisation is no member here.
    elsewhere = f"/api/v1/organisations/{org.id}/members/{users['institute'].id}/approve"
    assert client.post(elsewhere, headers=auth(users["officer"])).status_code == 404

    rejected = client.post(url + "/reject", headers=auth(users["researcher"]))
    assert rejected.status_code == 200 and rejected.get_json()["membership"] == "rejected"
    verify(client, db, "mallory@example.com")
    posted = client.post(
        "/api/v1/capabilities", headers=token_for(client, "mallory@example.com"), json=CAPABILITY
    )
    assert posted.status_code == 403
    note = last_mail(db, "mallory@example.com", "declined")
    assert note is not None


def test_admins_share_the_administration_of_their_organisation(client, db, users, auth):
    org = users["researcher"].organisation
    users["researcher"].org_admin = True
    colleague = UserFactory(role=Role.RESEARCHER, organisation=org)
    db.session.commit()
    url = f"/api/v1/organisations/{org.id}/members/{colleague.id}/admin"
    assert client.put(url, headers=auth(colleague), json={"org_admin": True}).status_code == 403
    made = client.put(url, headers=auth(users["researcher"]), json={"org_admin": True})
    assert made.status_code == 200 and made.get_json()["org_admin"] is True
    # Now the colleague manages the members too, but not their own rights.
    members = client.get(f"/api/v1/organisations/{org.id}/members", headers=auth(colleague))
    assert members.status_code == 200 and members.get_json()["total"] == 2
    own = client.put(url, headers=auth(colleague), json={"org_admin": False})
    assert own.status_code == 409


def test_officers_verify_organisations_and_domains_let_people_in(client, db, users, auth):
    org = users["researcher"].organisation
    resp = client.patch(
        f"/api/v1/organisations/{org.id}",
        headers=auth(users["officer"]),
        json={"verified": True, "email_domains": ["@SUDA.edu.cn", "suda.edu.cn"]},
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["verified"] is True
    assert resp.get_json()["email_domains"] == ["suda.edu.cn"]
    bad = client.patch(
        f"/api/v1/organisations/{org.id}",
        headers=auth(users["officer"]),
        json={"email_domains": ["not a domain"]},
    )
    assert bad.status_code == 422

    on_domain = register(client, "zhang@ＳＵＤＡ.edu.cn", org={"name": org.name})
    assert on_domain.status_code == 201 and on_domain.get_json()["membership"] == "active"
    # Active at once, but the address needs confirming before signing in.
    assert (
        client.post(
            "/api/v1/auth/token", json={"email": "zhang@suda.edu.cn", "password": "a-long-password"}
        ).status_code
        == 401
    )
    verify(client, db, "zhang@suda.edu.cn")
    headers = token_for(client, "zhang@suda.edu.cn")
    assert client.post("/api/v1/capabilities", headers=headers, json=CAPABILITY).status_code == 201

    off_domain = register(client, "zhao@gmail.example.com", org={"name": org.name})
    assert off_domain.get_json()["membership"] == "pending"


def test_an_invitation_joins_at_once_and_only_for_its_address(client, db, users, auth):
    org = users["company"].organisation
    users["company"].org_admin = True
    db.session.commit()
    sent = client.post(
        f"/api/v1/organisations/{org.id}/invitations",
        headers=auth(users["company"]),
        json={"email": "Colleague@Example.com"},
    )
    assert sent.status_code == 202
    mail = last_mail(db, "colleague@example.com")
    # The invitee has no language of their own yet: the message says it in both.
    assert "invites you to join" in mail.body and "邀请您" in mail.body
    invite = link_token(db, "colleague@example.com", "invite=")

    wrong = register(
        client,
        "someone-else@example.com",
        role="company",
        invitation=invite,
        org={"name": "Anything"},
    )
    assert wrong.status_code == 403
    joined = register(
        client, "colleague@example.com", role="company", invitation=invite, org={"name": "Anything"}
    )
    assert joined.status_code == 201, joined.get_json()
    assert joined.get_json()["membership"] == "active"
    colleague = user_of(db, "colleague@example.com")
    assert colleague.email_verified and colleague.organisation_id == org.id
    headers = token_for(client, "colleague@example.com")
    challenge = {"title": "Vision inspection", "description": "Find defects on parts quickly."}
    assert client.post("/api/v1/challenges", headers=headers, json=challenge).status_code == 201
    reused = register(
        client, "colleague@example.com", role="company", invitation=invite, org={"name": "Anything"}
    )
    # Answered as any registration (the address's owner is told), and nothing made.
    assert reused.status_code == 201
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.email == "colleague@example.com")
        )
        == 1
    )


def test_verification_links_expire_are_single_use_and_cannot_be_forged(client, db, monkeypatch):
    register(client, "new@example.com", org={"name": "New Co"}, role="company")
    token = link_token(db, "new@example.com", "/verify/")
    forged = client.post("/api/v1/auth/verify", json={"token": token[:-2] + "xx"})
    assert forged.status_code == 400
    # A reset token is no verification token.
    client.post("/api/v1/auth/password-reset", json={"email": "new@example.com"})
    reset = link_token(db, "new@example.com", "/password/reset/")
    assert client.post("/api/v1/auth/verify", json={"token": reset}).status_code == 400

    monkeypatch.setitem(tokens.MAX_AGE, tokens.VERIFY, timedelta(seconds=0))
    time.sleep(1.1)
    expired = client.post("/api/v1/auth/verify", json={"token": token})
    assert expired.status_code == 400
    assert expired.get_json()["message"] == "This link has expired. Ask for a new one."
    monkeypatch.undo()

    assert client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200
    reused = client.post("/api/v1/auth/verify", json={"token": token})
    assert reused.status_code == 400 and "used already" in reused.get_json()["message"]


def test_password_reset_by_mail(client, db, users):
    user = users["company"]
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
    known = client.post("/api/v1/auth/password-reset", json={"email": user.email.upper()})
    # The same answer whether or not the address has an account; only the owner gets mail.
    assert unknown.status_code == known.status_code == 202
    assert unknown.get_json() == known.get_json()
    assert last_mail(db, "nobody@example.com") is None
    old = token_for(client, user.email, PASSWORD)
    token = link_token(db, user.email, "/password/reset/")

    weak = client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "12345678"}
    )
    assert weak.status_code == 422
    done = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "a-brand-new-passphrase"},
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=old).status_code == 401  # signed out everywhere
    token_for(client, user.email, "a-brand-new-passphrase")
    reused = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "another-new-passphrase"},
    )
    assert reused.status_code == 400


def test_expired_reset_links_are_refused(client, db, users, monkeypatch):
    client.post("/api/v1/auth/password-reset", json={"email": users["company"].email})
    token = link_token(db, users["company"].email, "/password/reset/")
    monkeypatch.setitem(tokens.MAX_AGE, tokens.RESET, timedelta(seconds=0))
    time.sleep(1.1)
    resp = client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "password": "a-brand-new-passphrase"},
    )
    assert resp.status_code == 400


def test_settings_name_language_password_and_address(client, db, users, auth):
    user = users["researcher"]
    old_address = user.email
    headers = auth(user)
    resp = client.patch("/api/v1/me", headers=headers, json={"name": "Dr Li", "locale": "zh"})
    assert resp.status_code == 200
    assert resp.get_json()["name"] == "Dr Li" and resp.get_json()["locale"] == "zh"
    # Every message is then in that language.
    client.post("/api/v1/auth/password-reset", json={"email": user.email})
    assert last_mail(db, user.email).subject == "xeco：重置您的密码"

    no_current = client.patch("/api/v1/me", headers=headers, json={"password": "x-new-passphrase"})
    assert no_current.status_code == 422
    assert no_current.get_json()["errors"] == {"json": {"current_password": ["Wrong password."]}}
    taken = client.patch(
        "/api/v1/me",
        headers=headers,
        json={"email": users["company"].email, "current_password": PASSWORD},
    )
    assert taken.status_code == 409

    moved = client.patch(
        "/api/v1/me",
        headers=headers,
        json={"email": "li.new@example.com", "current_password": PASSWORD},
    )
    assert moved.status_code == 200 and moved.get_json()["email_verified"] is False
    # The old address is told, in the user's language.
    assert last_mail(db, old_address).subject == "xeco：您的电子邮件地址已更改"
    refused = client.post("/api/v1/capabilities", headers=headers, json=CAPABILITY)
    assert refused.status_code == 403
    verify(client, db, "li.new@example.com")
    assert client.post("/api/v1/capabilities", headers=headers, json=CAPABILITY).status_code == 201

    changed = client.patch(
        "/api/v1/me",
        headers=headers,
        json={"password": "x-new-passphrase-2026", "current_password": PASSWORD},
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    token_for(client, "li.new@example.com", "x-new-passphrase-2026")


@pytest.mark.parametrize("locale", ["fr", ""])
def test_only_known_languages_are_accepted(client, users, auth, locale):
    resp = client.patch("/api/v1/me", headers=auth(users["company"]), json={"locale": locale})
    assert resp.status_code == 422


def test_staff_and_existing_accounts_are_verified_members(db, users):
    for user in db.session.scalars(sa.select(User)):
        assert user.email_verified and user.membership == "active"
    officer = UserFactory(role=Role.OFFICER)
    assert officer.organisation is None
