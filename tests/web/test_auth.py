"""Signing in, up and out through the pages, with CSRF and the API's registration rules."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.web.conftest import csrf_token, post_form
from tests.web.test_account import mail_link
from xeco.models import EmailOutbox, Organisation, Role, User


def test_landing_explains_the_service(client, db):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "How it works" in html
    assert '<main id="main"' in html and 'lang="en"' in html
    assert "demo-password-2026" not in html  # no demo data, no demo hint


def test_landing_shows_the_demo_accounts_when_they_exist(client, db):
    UserFactory(email="company@example.com", role=Role.COMPANY)
    UserFactory(email="officer.zh@example.cn", role=Role.OFFICER)
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "demo-password-2026" in html
    assert "officer.zh@example.cn" in html and "company@example.com" in html
    assert "admin@example.com" not in html  # only accounts that are there


def test_sign_in_with_the_form_and_its_token(client, users):
    response = post_form(client, "/signin", {"email": users["company"].email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert "Sign out" in client.get("/challenges/").get_data(as_text=True)


def test_a_post_without_the_token_is_refused(client, users):
    response = client.post("/signin", data={"email": users["company"].email, "password": PASSWORD})
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert client.get("/challenges/").status_code == 302  # still signed out


def test_a_wrong_password_names_no_field(client, users):
    response = post_form(client, "/signin", {"email": users["company"].email, "password": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "The e-mail address or the password is wrong, or the address is not confirmed" in html
    assert 'aria-invalid="true"' not in html and "-errors" not in html


def test_next_only_goes_to_this_site(client, users):
    data = {"email": users["company"].email, "password": PASSWORD, "next": "https://evil.example"}
    response = post_form(client, "/signin", data)
    assert response.headers["Location"] == "/home"


def test_signing_up_creates_the_user_and_the_organisation(client, db):
    data = {
        "role": "researcher",
        "name": "王老师",
        "email": "Wang@Uni.example.cn",
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
        "organisation": "苏州理工大学",
    }
    response = post_form(client, "/signup", data)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Check your inbox" in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "wang@uni.example.cn"))
    assert user.role == Role.RESEARCHER and user.organisation.name == "苏州理工大学"
    # Not signed in, and the password alone does not sign in, until the link is followed.
    assert client.get("/capabilities/new").status_code == 302
    signin = {"email": "wang@uni.example.cn", "password": "long-enough-pw"}
    assert post_form(client, "/signin", signin).status_code == 401
    mail = db.session.scalars(sa.select(EmailOutbox).where(EmailOutbox.to == user.email)).one()
    link = re.search(r"http://localhost(/verify/\S+)", mail.body).group(1)
    assert client.get(link).headers["Location"] == "/home"  # the link signs in
    assert client.get("/capabilities/new").status_code == 200


def company_signup(password: str = "long-enough-pw", **over) -> dict:
    data = {
        "role": "company",
        "name": "Someone",
        "email": "someone@example.com",
        "password": password,
        "confirm": password,
        "organisation": "Gusu Precision",
    }
    return data | over


def test_signing_up_into_a_taken_organisation_name_asks_to_join(client, db):
    OrganisationFactory(name="Gusu Precision", kind="company")
    db.session.commit()
    response = post_form(client, "/signup", company_signup(organisation="gusu  precision"))
    assert response.status_code == 200
    assert "administrators will be asked to approve" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1
    user = db.session.scalar(sa.select(User).where(User.email == "someone@example.com"))
    assert user.membership == "pending" and user.organisation.name == "Gusu Precision"
    client.get(mail_link(db, user.email, "/verify/"))
    home = client.get("/home", follow_redirects=True).get_data(as_text=True)
    assert "waiting for approval" in home


def test_signup_errors_stand_next_to_their_fields(client, db):
    data = {"role": "company", "name": "", "email": "bad", "password": "short", "confirm": "x"}
    html = post_form(client, "/signup", data).get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert 'id="password-errors"' in html and 'id="confirm-errors"' in html
    # The schema's check of the address shows in the same round as the form's own checks.
    assert 'id="email-errors"' in html and 'id="name-errors"' in html


def test_signup_shows_every_error_at_once(client, db):
    """A bad address and a guessable password, with every other field right: both show."""
    response = post_form(
        client, "/signup", company_signup(email="not-an-address", password="12345678")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-errors"' in html and "Too easy to guess" in html


def test_sign_out_takes_a_post_with_a_token(client, users):
    post_form(client, "/signin", {"email": users["agency"].email, "password": PASSWORD})
    assert client.get("/signout").status_code == 405
    token = csrf_token(client, "/programmes/")
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    assert client.get("/programmes/").status_code == 302


def test_pages_and_api_keep_their_own_error_shapes(client, db):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and api.json["code"] == 404


def test_signing_out_ends_the_session_for_copies_of_the_cookie(app, users):
    browser, thief = app.test_client(), app.test_client()
    post_form(browser, "/signin", {"email": users["agency"].email, "password": PASSWORD})
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert thief.get("/programmes/").status_code == 200
    token = csrf_token(browser, "/programmes/")
    assert browser.post("/signout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/programmes/").status_code == 302  # to the sign-in page


def test_sign_up_refuses_a_guessable_password_next_to_the_field(client, db):
    response = post_form(client, "/signup", company_signup(password="12345678"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="password-errors"' in html
    assert "Too easy to guess" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_taken_address_gets_the_page_a_new_one_gets_in_either_language(client, db):
    UserFactory(email="someone@example.com", locale="zh")
    db.session.commit()
    pages = {}
    for email in ("someone@example.com", "fresh@example.com"):
        data = company_signup(email=email, organisation=f"Org of {email}")
        response = post_form(client, "/signup", data, headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 200
        pages[email] = response.get_data(as_text=True).replace(email, "EMAIL")
    assert "请查收邮件" in pages["fresh@example.com"]
    # Only the form's fresh CSRF token may differ.
    strip = re.compile(r'name="csrf_token"[^>]*')
    assert strip.sub("", pages["someone@example.com"]) == strip.sub("", pages["fresh@example.com"])
    # The owner is told, in the owner's language.
    notice = db.session.scalars(
        sa.select(EmailOutbox).where(EmailOutbox.to == "someone@example.com")
    ).one()
    assert "有人尝试" in notice.subject
