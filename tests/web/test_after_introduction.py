"""Issue 14 on the pages, in English and Chinese: contacts, the conversation, outcomes, the
offer of help, the advice, labels instead of codes and service messages in the page's
language."""

from __future__ import annotations

import csv
import io
import re

from flask import g
from flask.testing import FlaskClient

from tests.factories import CapabilityFactory, ChallengeFactory, MatchFactory
from tests.web.conftest import csrf_token, post_form, sign_in
from tests.web.test_account import accessible, post_settings
from xeco.models import MatchStatus, Response

ZH_TITLE = "焊缝缺陷检测"


class OwnClient(FlaskClient):
    """A client of its own user. The tests' app context outlives requests, and Flask-Login
    and Flask-WTF keep the signed-in user and the CSRF token in ``g``: with several clients
    in one test, each request must start without the previous client's."""

    def open(self, *args, **kwargs):
        for key in ("_login_user", "csrf_token"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


def _client(app, user, locale: str = "en"):
    user.locale = locale
    client = OwnClient(app, app.response_class, use_cookies=True)
    sign_in(client, user)
    return client


def _introduced(db, users, **kw):
    match = MatchFactory(
        challenge=ChallengeFactory(author=users["company"], title=ZH_TITLE),
        capability=CapabilityFactory(owner=users["researcher"], title="Weld inspection lab"),
        status=MatchStatus.INTRODUCED,
        decided_by_id=users["officer"].id,
        score=0.27,
        **kw,
    )
    db.session.commit()
    return match


def test_contacts_show_only_after_both_accepted_in_chinese(app, db, users):
    researcher = users["researcher"]
    researcher.phone, researcher.share_phone = "+86 512 1234 5678", True
    match = _introduced(db, users)
    company = _client(app, users["company"], "zh")
    before = company.get(f"/matches/{match.id}").get_data(as_text=True)
    assert researcher.email not in before and "联系方式" not in before
    assert "较好匹配" in before and "0.27" not in before  # a label, not the score
    listed = company.get("/matches/").get_data(as_text=True)
    assert "匹配度" in listed and "较好匹配" in listed and "0.27" not in listed
    match.company_response = match.provider_response = Response.ACCEPT
    match.status = MatchStatus.ACCEPTED
    db.session.commit()
    html = company.get(f"/matches/{match.id}").get_data(as_text=True)
    accessible(html)
    assert "联系方式" in html and f'href="mailto:{researcher.email}"' in html
    assert "+86 512 1234 5678" in html and researcher.organisation.name in html


def test_the_conversation_on_the_page_is_plain_text(app, db, users):
    match = _introduced(db, users)
    company = _client(app, users["company"], "zh")
    page = company.get(f"/matches/{match.id}").get_data(as_text=True)
    accessible(page)
    # The answer, the outcome and the message forms share the page: no id twice.
    ids = [i for i in re.findall(r'\sid="([^"]+)"', page) if i != "csrf_token"]
    assert "对话" in page and len(ids) == len(set(ids))
    sent = post_form(
        company,
        f"/matches/{match.id}/messages",
        {"message-body": "<script>alert(1)</script> 下周二来苏州？"},
        form_url=f"/matches/{match.id}",
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#conversation")
    researcher = _client(app, users["researcher"])
    html = researcher.get(f"/matches/{match.id}").get_data(as_text=True)
    accessible(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 下周二来苏州？" in html
    assert "<script>alert(1)</script>" not in html
    # The researcher is told, in English, with the pair.
    notes = researcher.get("/notifications/").get_data(as_text=True)
    assert f"New message from {users['company'].name}" in notes
    assert f"“{ZH_TITLE}” ↔ “Weld inspection lab”" in notes
    # An empty message is the form's error, in the page's language.
    empty = post_form(
        company,
        f"/matches/{match.id}/messages",
        {"message-body": ""},
        form_url=f"/matches/{match.id}",
    )
    flashed = company.get(empty.headers["Location"]).get_data(as_text=True)
    assert "此字段为必填项" in flashed or "必填" in flashed


def test_recording_an_outcome_shows_its_label_in_both_languages(app, db, users):
    match = _introduced(db, users)
    officer = _client(app, users["officer"])
    done = post_form(
        officer,
        f"/matches/{match.id}/outcomes",
        {
            "outcome-outcome": "agreement",
            "outcome-happened_on": "2026-11-20",
            "outcome-note": "Signed in Suzhou",
        },
        form_url=f"/matches/{match.id}",
    )
    assert done.status_code == 302
    assert "Agreement signed" in officer.get(f"/matches/{match.id}").get_data(as_text=True)
    company = _client(app, users["company"], "zh")
    html = company.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "已签协议" in html and "Signed in Suzhou" in html and ">agreement<" not in html


def test_a_researcher_offers_help_from_the_challenge_page(app, db, users):
    challenge = ChallengeFactory(author=users["company"], title="Weld seam inspection")
    CapabilityFactory(owner=users["researcher"], title="Machine vision for welds")
    db.session.commit()
    researcher = _client(app, users["researcher"], "zh")
    page = researcher.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    accessible(page)
    assert "我们能帮忙" in page
    sent = post_form(
        researcher,
        f"/challenges/{challenge.id}/offer",
        {"offer-note": "We did this before.", "offer-capability_id": str(_cap_id(db))},
        form_url=f"/challenges/{challenge.id}",
    )
    after = researcher.get(sent.headers["Location"]).get_data(as_text=True)
    assert "您的申请已提交给专员审核" in after
    assert "您的能力已被建议用于此挑战" in after  # no second form
    officer = _client(app, users["officer"])
    queue = officer.get(f"/review?challenge_id={challenge.id}").get_data(as_text=True)
    assert "Machine vision for welds" in queue
    assert "Requested by the provider" in queue and "We did this before." in queue


def _cap_id(db) -> int:
    import sqlalchemy as sa

    from xeco.models import Capability

    return db.session.scalar(sa.select(Capability.id).order_by(Capability.id.desc()))


def test_a_company_is_told_what_helps_in_its_language(app, db, users):
    challenge = ChallengeFactory(
        author=users["company"],
        title="焊接机器人视觉",
        description="需要焊缝视觉检测。",
        keywords=["机器视觉"],
        fingerprint="scored",  # the engine has looked at it, and found nothing
    )
    db.session.commit()
    company = _client(app, users["company"], "zh")
    html = company.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "此挑战暂无匹配" in html and "No approved matches yet" not in html
    assert "更多关键词" in html and "更详细的描述" in html and "英文版本" in html
    english = _client(app, users["company"])
    assert "More keywords" in english.get(f"/challenges/{challenge.id}").get_data(as_text=True)


def test_service_messages_reach_a_chinese_page_in_chinese(app, db, users):
    match = MatchFactory(challenge=ChallengeFactory(author=users["company"]))
    db.session.commit()
    officer = _client(app, users["officer"], "zh")
    token = csrf_token(officer, "/review")
    officer.post(f"/matches/{match.id}/decide", data={"csrf_token": token, "decision": "reject"})
    html = officer.get("/review").get_data(as_text=True)
    # The page asks before the service would refuse (issue 16), in the page's language.
    assert "拒绝时请填写理由。" in html and "Give a reason" not in html
    # A cross-field rule names the field by its label, in Chinese.
    company = _client(app, users["company"], "zh")
    bad = post_form(
        company,
        "/challenges/new",
        {
            "title": "机器视觉检测",
            "description": "检测铝壳表面缺陷，在线速度运行。",
            "visibility": "public",
            "currency": "CNY",
            "budget_min": "900",
            "budget_max": "100",
        },
    ).get_data(as_text=True)
    assert "不得低于“" in bad and "budget_min" not in bad.split('id="budget_max-errors"')[1][:300]


def test_the_phone_is_checked_and_saved_from_the_settings(app, db, users):
    client = _client(app, users["researcher"], "zh")
    bad = post_settings(client, "contact", phone="call me")
    assert bad.status_code == 422 and "不是有效的电话号码。" in bad.get_data(as_text=True)
    ok = post_settings(client, "contact", phone="+86 138 0000 0000", share_phone="y")
    assert ok.status_code == 302
    db.session.refresh(users["researcher"])
    assert users["researcher"].phone == "+86 138 0000 0000" and users["researcher"].share_phone


def test_the_dashboard_and_exports_use_labels_in_the_readers_language(app, db, users):
    match = _introduced(db, users, introduced_at=None)
    match.status = MatchStatus.ACCEPTED
    db.session.commit()
    officer = _client(app, users["officer"], "zh")
    html = officer.get("/dashboard").get_data(as_text=True)
    assert "从建议到协议" in html and "先进制造" in html
    export = officer.get("/dashboard/matches.csv").get_data(as_text=True).lstrip("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(export)) if r["match_id"] == str(match.id))
    assert row["status"] == "已接受" and row["sector"] == "先进制造"
    funnel = officer.get("/dashboard/funnel.csv").get_data(as_text=True).lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(funnel)))[1][1:] == ["先进制造", "1", "1", "1", "0"]
    runs = officer.get("/runs/").get_data(as_text=True)
    assert "manual" not in runs.split("<tbody>")[-1] if "<tbody>" in runs else True


def test_the_outbox_page_shows_a_notice_as_its_recipient_will_read_it(app, db, users):
    from xeco.services import notifications

    users["company"].locale = "zh"
    notifications.notify(
        users["company"],
        "stalled",
        {"match_id": 7, "challenge": ZH_TITLE, "capability": "Weld lab"},
        email=True,
    )
    db.session.commit()
    admin = _client(app, users["admin"])
    html = admin.get("/admin/outbox?to=" + users["company"].email).get_data(as_text=True)
    assert f"进展如何？“{ZH_TITLE}” ↔ “Weld lab”" in html
    assert "/matches/7" in html
