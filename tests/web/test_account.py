"""Account pages: confirming, resetting, settings, members, administration, profiles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from tests.factories import (
    PASSWORD,
    CapabilityFactory,
    ChallengeFactory,
    OrganisationFactory,
    PublicationFactory,
    UserFactory,
)
from tests.web.conftest import csrf_token, post_form
from xeco.models import Capability, EmailOutbox, Membership, Organisation, Role, User


class Page(HTMLParser):
    """What the accessibility checks need: lang, headings, form controls and their labels."""

    def __init__(self, html: str):
        super().__init__()
        self.lang, self.h1, self.labels, self.controls = None, 0, set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)


def accessible(html: str) -> None:
    page = Page(html)
    assert page.lang in ("en", "zh-Hans") and page.h1 == 1
    for control in page.controls:
        # A control is labelled by a <label for> or, inside a <label>, by its text.
        if control.get("type") in ("radio", "checkbox"):
            continue
        assert control.get("id") in page.labels, f"no label for {control}"


def mail_link(db, to: str, path: str) -> str:
    body = db.session.scalars(
        sa.select(EmailOutbox.body).where(EmailOutbox.to == to).order_by(EmailOutbox.id.desc())
    ).first()
    return re.search(rf"http://localhost({path}\S+)", body).group(1)


def post_settings(client, which: str, **fields):
    """The settings page holds three forms, each with its field names prefixed."""
    data = {f"{which}-{k}": v for k, v in fields.items()}
    data[f"{which}-csrf_token"] = csrf_token(client)
    return client.post("/account", data={"which": which, **data})


def test_settings_change_name_language_and_password(client, db, users, signed_in):
    user = users["company"]
    signed_in(user)
    page = client.get("/account")
    assert page.status_code == 200
    accessible(page.get_data(as_text=True))
    saved = post_settings(client, "profile", name="Ms Chen", locale="zh")
    assert saved.status_code == 302
    html = client.get("/account").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html and "姓名和语言" in html
    new = {"password": "a-new-passphrase-2026", "confirm": "a-new-passphrase-2026"}
    wrong = post_settings(client, "password", current_password="not-it", **new)
    # The service's message reaches the Chinese page in Chinese.
    assert wrong.status_code == 422 and "密码错误。" in wrong.get_data(as_text=True)
    changed = post_settings(client, "password", current_password=PASSWORD, **new)
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a-new-passphrase-2026")


def test_forgotten_password_by_link_and_a_used_link(client, db, users):
    user = users["researcher"]
    page = client.get("/password/forgot")
    accessible(page.get_data(as_text=True))
    sent = post_form(client, "/password/forgot", {"email": user.email})
    assert sent.status_code == 302
    link = mail_link(db, user.email, "/password/reset/")
    form = client.get(link)
    assert form.status_code == 200
    accessible(form.get_data(as_text=True))
    new = {"password": "a-new-passphrase-2026", "confirm": "a-new-passphrase-2026"}
    done = post_form(client, link, new)
    assert done.status_code == 302 and done.headers["Location"] == "/home"
    again = post_form(client, link, new)
    assert again.status_code == 400
    assert "This link does not work" in again.get_data(as_text=True)


def test_confirming_the_address_by_link(client, db):
    data = {
        "role": "institute",
        "name": "Zhou",
        "email": "zhou@inst.example.cn",
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
        "organisation": "Suzhou Photonics Institute",
    }
    assert post_form(client, "/signup", data).status_code == 200
    link = mail_link(db, "zhou@inst.example.cn", "/verify/")
    assert client.get(link).headers["Location"] == "/home"
    assert "Confirm your e-mail address to post" not in client.get("/account").get_data(
        as_text=True
    )
    used = client.get(link)
    assert used.status_code == 400 and "used already" in used.get_data(as_text=True)


def test_a_pending_member_sees_why_and_the_admin_approves_on_the_page(client, db, signed_in):
    admin = UserFactory(role=Role.RESEARCHER, org_admin=True)
    pending = UserFactory(
        role=Role.RESEARCHER, organisation=admin.organisation, membership=Membership.PENDING
    )
    db.session.commit()
    signed_in(pending)
    refused = client.get("/capabilities/new")
    assert refused.status_code == 403
    assert "waiting for approval" in refused.get_data(as_text=True)
    client.post("/signout", data={})  # the next sign-in replaces the session anyway

    signed_in(admin)
    url = f"/organisations/{admin.organisation_id}/members"
    page = client.get(url + "?status=pending")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and pending.name in html
    accessible(html)
    done = post_form(client, f"{url}/{pending.id}/approve", {}, form_url=url)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, pending.id).membership == Membership.ACTIVE


def test_an_invitation_link_signs_up_into_the_organisation(client, db, users, signed_in):
    users["company"].org_admin = True
    db.session.commit()
    signed_in(users["company"])
    org_id = users["company"].organisation_id
    url = f"/organisations/{org_id}/members"
    sent = post_form(
        client, f"/organisations/{org_id}/invitations", {"email": "new@gusu.example"}, form_url=url
    )
    assert sent.status_code == 302
    link = mail_link(db, "new@gusu.example", "/signup")
    post_form(client, "/signout", {}, form_url="/account")
    page = client.get(link)
    assert page.status_code == 200
    token = re.search(r'name="invite" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    data = {
        "role": "company",
        "name": "New Colleague",
        "email": "new@gusu.example",
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
        "organisation": "whatever it is called",
        "invite": token.group(1),
    }
    done = post_form(client, "/signup", data, form_url=link)
    assert done.status_code == 302, done.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "new@gusu.example"))
    assert user.organisation_id == org_id and user.membership == Membership.ACTIVE
    assert user.email_verified
    assert client.get("/challenges/new").status_code == 200


def test_members_pages_are_for_the_organisations_admins_and_staff(client, db, users, signed_in):
    org_id = users["researcher"].organisation_id
    signed_in(users["institute"])
    assert client.get(f"/organisations/{org_id}/members").status_code == 403
    signed_in(users["officer"])
    assert client.get(f"/organisations/{org_id}/members").status_code == 200


def test_admin_finds_deactivates_and_reactivates_users(client, db, users, signed_in):
    signed_in(users["admin"])
    page = client.get("/admin/users?q=COMPANY@test")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and users["company"].email in html
    assert users["researcher"].email not in html
    accessible(html)
    target = users["company"]
    off = post_form(client, f"/admin/users/{target.id}/deactivate", {}, form_url="/admin/users")
    assert off.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False
    post_form(client, f"/admin/users/{target.id}/reactivate", {}, form_url="/admin/users")
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True

    officer = users["officer"]
    post_form(client, f"/admin/users/{officer.id}/role", {"role": "admin"}, form_url="/admin/users")
    db.session.expire_all()
    assert db.session.get(User, officer.id).role == Role.ADMIN
    # A member's role follows the kind of their organisation: it is not changed here.
    post_form(client, f"/admin/users/{target.id}/role", {"role": "admin"}, form_url="/admin/users")
    db.session.expire_all()
    assert db.session.get(User, target.id).role == Role.COMPANY


def test_officers_verify_organisations_but_do_not_administer_users(client, db, users, signed_in):
    org = users["company"].organisation
    signed_in(users["officer"])
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/outbox").status_code == 403
    page = client.get(f"/admin/organisations/{org.id}")
    accessible(page.get_data(as_text=True))
    saved = post_form(
        client,
        f"/admin/organisations/{org.id}",
        {"verified": "yes", "email_domains": "gusu.example.com, ＧＵＳＵ.example.cn"},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.verified and org.email_domains == ["gusu.example.com", "gusu.example.cn"]


def test_admin_merges_a_duplicate_with_its_items(client, db, users, signed_in):
    real = users["researcher"].organisation
    duplicate = OrganisationFactory(name="Real Uni (copy)", kind=real.kind)
    squatter = UserFactory(role=Role.RESEARCHER, organisation=duplicate)
    cap = CapabilityFactory(owner=squatter, organisation=duplicate)
    other_kind = OrganisationFactory(kind="company")
    db.session.commit()
    signed_in(users["admin"])
    url = f"/admin/organisations/{duplicate.id}"
    refused = post_form(client, url + "/merge", {"into": str(other_kind.id)}, form_url=url)
    assert refused.status_code == 302
    assert db.session.get(Organisation, duplicate.id) is not None
    merged = post_form(client, url + "/merge", {"into": str(real.id)}, form_url=url)
    assert merged.headers["Location"] == f"/admin/organisations/{real.id}"
    db.session.expire_all()
    assert db.session.get(Organisation, duplicate.id) is None
    assert db.session.get(User, squatter.id).organisation_id == real.id
    assert db.session.get(Capability, cap.id).organisation_id == real.id
    audit = client.get(f"/admin/audit?action=merge&object_id={real.id}")
    html = audit.get_data(as_text=True)
    assert audit.status_code == 200 and "merge organisations" in html
    accessible(html)


def test_the_outbox_shows_what_would_have_been_sent(client, db, users, signed_in):
    post_form(client, "/password/forgot", {"email": users["company"].email})
    signed_in(users["admin"])
    page = client.get("/admin/outbox?to=" + users["company"].email)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "reset your password" in html
    assert re.search(r'<a href="http://localhost/password/reset/[^"]+"', html)
    accessible(html)


def test_profiles_show_what_people_offer_and_their_public_challenges(client, db, users, signed_in):
    researcher = users["researcher"]
    cap = CapabilityFactory(owner=researcher, organisation=researcher.organisation)
    PublicationFactory(capability=cap, title="Seam tracking with laser vision")
    public = ChallengeFactory(author=users["company"])
    hidden = ChallengeFactory(author=users["company"], visibility="restricted")
    db.session.commit()
    signed_in(users["agency"])
    person = client.get(f"/people/{researcher.id}").get_data(as_text=True)
    assert cap.title in person and "Seam tracking with laser vision" in person
    assert f'href="/organisations/{researcher.organisation_id}"' in person
    accessible(person)
    org = client.get(f"/organisations/{users['company'].organisation_id}").get_data(as_text=True)
    assert public.title in org and hidden.title not in org
    accessible(org)
    assert client.get(f"/people/{users['officer'].id}").status_code == 404
    # The pages that name an organisation or a person link to their profiles.
    detail = client.get(f"/challenges/{public.id}").get_data(as_text=True)
    assert f'href="/organisations/{users["company"].organisation_id}"' in detail
    assert f'href="/people/{users["company"].id}"' in detail
    listing = client.get("/capabilities/").get_data(as_text=True)
    assert f'href="/organisations/{researcher.organisation_id}"' in listing


@pytest.mark.parametrize("path", ["/account", "/password/forgot", "/admin/users"])
def test_new_pages_read_in_chinese(client, db, users, signed_in, path):
    users["admin"].locale = "zh"
    db.session.commit()
    signed_in(users["admin"])
    html = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    accessible(html)
