"""The small frictions of a first walk-through (issue 16, item 8), each as a person meets it."""

from __future__ import annotations

import re

from tests.factories import (
    PASSWORD,
    CapabilityFactory,
    ChallengeFactory,
    MatchFactory,
    UserFactory,
)
from tests.web.conftest import post_form
from xeco.models import MatchStatus, Role
from xeco.schemas.common import SECTORS
from xeco.services import notifications
from xeco.services.notices import match_params
from xeco.web.views.dashboard import build


def test_sign_in_and_sign_up_fields_say_what_to_fill_in(client, db):
    signin = client.get("/signin").get_data(as_text=True)
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*id="email"', signin)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*id="password"', signin)
    signup = client.get("/signup").get_data(as_text=True)
    for token in ("name", "email", "new-password", "organization", "address-level2"):
        assert f'autocomplete="{token}"' in signup, token


def test_the_saved_language_taking_over_is_said_in_it(client, db):
    user = UserFactory(role=Role.RESEARCHER, locale="zh")
    db.session.commit()
    response = post_form(
        client,
        "/signin",
        {"email": user.email, "password": PASSWORD},
        headers={"Accept-Language": "en-GB"},
    )
    assert response.status_code == 302
    page = client.get("/home", follow_redirects=True, headers={"Accept-Language": "en-GB"})
    html = page.get_data(as_text=True)
    assert 'lang="zh-Hans"' in html and "您设置中保存的语言" in html


def test_every_sector_has_its_own_colour_on_the_dashboard(app):
    summary = {
        "by_status": {},
        "by_sector": {code: i + 1 for i, code in enumerate(SECTORS)},
        "by_month": [],
        "by_sector_month": [{"month": "2026-11", "sector": s, "count": 1} for s in SECTORS],
    }
    with app.test_request_context():
        charts = build(summary)["charts"]
    for chart in ("sector", "sector_month"):
        fills = re.findall(r'<rect[^>]*fill="(#[0-9A-Fa-f]{6})"', str(charts[chart]))
        assert len(set(fills)) == len(SECTORS), chart
    # The same sector has the same colour in both charts.
    bar = re.findall(r'fill="(#[0-9A-Fa-f]{6})"', str(charts["sector"]))
    assert bar[0] == "#444444", "the biggest sector here is 'other', grey in every chart"


def test_a_companys_match_filter_offers_only_what_it_can_see(signed_in, users, db):
    html = signed_in(users["company"]).get("/matches/").get_data(as_text=True)
    options = re.findall(
        r'<option value="(\w+)"', html.split('id="status"')[1].split("</select>")[0]
    )
    assert set(options) == {"approved", "introduced", "accepted", "declined"}


def test_opening_a_match_clears_its_unread_badge(signed_in, users, db):
    match = MatchFactory(
        challenge=ChallengeFactory(author=users["company"]),
        capability=CapabilityFactory(owner=users["researcher"]),
        status=MatchStatus.INTRODUCED,
    )
    other_match = MatchFactory(
        challenge=ChallengeFactory(author=users["company"]),
        capability=CapabilityFactory(owner=users["researcher"]),
        status=MatchStatus.INTRODUCED,
    )
    company = users["company"]
    about = match_params(match) | {"side": "company"}
    elsewhere = match_params(other_match) | {"side": "company"}
    other = notifications.notify(company, "introduced", elsewhere, other_match.id, email=False)
    notifications.notify(company, "introduced", about, match.id, email=False)
    db.session.commit()
    client = signed_in(users["company"])
    assert 'class="badge" aria-label="2 unread"' in client.get("/matches/").get_data(as_text=True)
    client.get(f"/matches/{match.id}")
    assert 'aria-label="1 unread"' in client.get("/matches/").get_data(as_text=True)
    db.session.refresh(other)
    assert other.read_at is None


def test_offered_by_names_the_person_and_the_organisation(signed_in, users, db):
    cap = CapabilityFactory(owner=users["researcher"])
    db.session.commit()
    html = signed_in(users["company"]).get(f"/capabilities/{cap.id}").get_data(as_text=True)
    offered = html.split("Offered by</dt><dd>")[1].split("</dd>")[0]
    assert users["researcher"].name in offered and users["researcher"].organisation.name in offered


def test_a_form_too_large_for_the_server_says_nothing_was_saved(signed_in, users, db):
    """The page checks sizes before sending; a post that still arrives too large gets a page
    that says what happened and how to get the text back, not a bare 413."""
    client = signed_in(users["company"])
    big = {"title": "Big", "description": "x" * (1024 * 1024 + 10)}
    response = post_form(client, "/challenges/new", big, form_url="/challenges/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Nothing was saved." in html and "your browser keeps what you typed" in html


def test_the_form_carries_its_size_limits_for_the_page_to_check(signed_in, users, db):
    html = signed_in(users["researcher"]).get("/capabilities/new").get_data(as_text=True)
    assert 'data-max-bytes="1048576"' in html and "data-size-alert" in html
    assert 'maxlength="60000"' in html  # the publications box has a limit too
