"""After the introduction in a real browser, in English and in Chinese: a researcher offers
help on a company's new challenge, an officer approves it from the queue, both accept, see
each other's contacts, talk, record the outcome; the e-mails reach a real SMTP server in
each reader's language with a link to the page."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.slow

WORDS = {
    "en": {
        "locale": "en-GB",
        "company": "company@example.com",
        "researcher": "researcher@example.com",
        "officer": "officer@example.com",
        "title": "Restoring lacquered wooden screens",
        "description": (
            "We restore antique lacquered wooden screens and need a partner who knows "
            "urushi lacquer chemistry, consolidation of flaking layers and safe cleaning."
        ),
        "save": "Save",
        "advice": "What helps the engine find one",
        "offer": "Offer to help",
        "offered": "your offer is with the officers",
        "requested": "Requested by the provider",
        "approve": "Approve",
        "yes_approve": "Yes, approve and introduce",
        "yes_accept": "Yes, accept",
        "accept": "Accept the introduction",
        "contacts": "Contacts",
        "send": "Send",
        "message": "Could we visit your workshop next Tuesday?",
        "record": "Record the outcome",
        "agreement": "Agreement signed",
        "mail_subject": "New message from",
        "funnel": "From proposal to agreement",
        "fit": "Possible fit",
    },
    "zh": {
        "locale": "zh-CN",
        "company": "li.wei@example.cn",
        "researcher": "liu.xiaoming@example.cn",
        "officer": "officer.zh@example.cn",
        "title": "古代漆木屏风修复",
        "description": "我们修复古代漆木屏风，需要熟悉大漆化学、起翘漆层加固和安全清洗的合作伙伴。",
        "save": "保存",
        "advice": "以下做法有助于引擎找到匹配",
        "offer": "申请参与",
        "offered": "您的申请已提交给专员审核",
        "requested": "由提供方申请",
        "approve": "批准",
        "yes_approve": "是，批准并引荐",
        "yes_accept": "是，接受",
        "accept": "接受对接",
        "contacts": "联系方式",
        "send": "发送",
        "message": "下周二可以去贵工作室参观吗？",
        "record": "记录进展",
        "agreement": "已签协议",
        "mail_subject": "发来新消息",
        "funnel": "从建议到协议",
        "fit": "可能匹配",
    },
}


def _narrow_enough(page, width: int = 360) -> None:
    used = page.evaluate("document.documentElement.scrollWidth")
    assert used <= width, f"{page.url} is {used}px wide on a {width} px screen"


def _wait_for_mail(inbox, to: str, subject: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for msg in list(inbox.messages):
            if msg["To"] == to and subject in msg["Subject"]:
                return msg
        time.sleep(0.5)
    pytest.fail(f"no e-mail to {to} with {subject!r} within {timeout} s")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_offer_introduction_contacts_conversation_outcome(browser, server, mail_inbox, shoot, lang):
    w = WORDS[lang]
    contexts = {
        who: browser.new_context(locale=w["locale"], viewport={"width": 1280, "height": 900})
        for who in ("company", "researcher", "officer")
    }
    try:
        company = contexts["company"].new_page()
        sign_in(company, server, w["company"])
        company.goto(f"{server}/challenges/new")
        title = f"{w['title']} {uuid.uuid4().hex[:6]}"
        company.fill("#title", title)
        company.fill("#description", w["description"])
        company.get_by_role("button", name=w["save"]).click()
        company.wait_for_url(re.compile(r"/challenges/\d+$"))
        challenge_url = company.url
        assert w["advice"] in company.locator("#matches-title + *, .matches").first.inner_text()
        shoot(company, f"{lang}-after-01-advice")

        researcher = contexts["researcher"].new_page()
        sign_in(researcher, server, w["researcher"])
        researcher.goto(challenge_url)
        researcher.locator("#offer").get_by_role("button", name=w["offer"]).wait_for()
        researcher.fill("#offer-note", "urushi")
        shoot(researcher, f"{lang}-after-02-offer")
        researcher.locator("#offer").get_by_role("button", name=w["offer"]).click()
        researcher.wait_for_load_state()
        assert w["offered"] in researcher.locator(".flashes").inner_text()

        officer = contexts["officer"].new_page()
        sign_in(officer, server, w["officer"])
        challenge_id = challenge_url.rsplit("/", 1)[1]
        officer.goto(f"{server}/review?challenge_id={challenge_id}")
        card = officer.locator("article.proposal", has_text=w["requested"]).first
        assert "urushi" in card.inner_text()
        match_path = card.locator("h2 a").get_attribute("href")
        shoot(officer, f"{lang}-after-03-queue")
        card.get_by_role("button", name=w["approve"], exact=True).click()
        with officer.expect_navigation():  # the dialog's button posts the form
            officer.get_by_role("dialog").get_by_role("button", name=w["yes_approve"]).click()

        for page in (company, researcher):
            page.goto(server + match_path)
            assert w["contacts"] not in page.locator("main").inner_text()
            page.get_by_role("button", name=w["accept"]).click()
            with page.expect_navigation():
                page.get_by_role("dialog").get_by_role("button", name=w["yes_accept"]).click()
        company.goto(server + match_path)
        # The company reads how well it fits (a lacquer challenge and a lab of another
        # field: the lowest label), never the engine's score.
        status_line = company.locator("article p.meta").first.inner_text()
        assert w["fit"] in status_line and "0." not in status_line
        contacts = company.locator("#contacts").inner_text()
        assert w["researcher"] in contacts
        shoot(company, f"{lang}-after-04-contacts")

        company.fill("#conversation textarea", w["message"] + " <b>x</b>")
        company.locator("#conversation").get_by_role("button", name=w["send"]).click()
        company.wait_for_load_state()
        researcher.goto(server + match_path)
        thread = researcher.locator("#conversation .thread").inner_text()
        assert w["message"] + " <b>x</b>" in thread  # shown as typed, never as markup
        researcher.select_option("#outcome-outcome", "agreement")
        researcher.locator("#how-it-went").get_by_role("button", name=w["record"]).click()
        researcher.wait_for_load_state()
        assert w["agreement"] in researcher.locator("#how-it-went").inner_text()
        shoot(researcher, f"{lang}-after-05-conversation")

        mail = _wait_for_mail(mail_inbox, w["researcher"], w["mail_subject"])
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        link = f"{server}{match_path}#conversation"
        assert w["message"] in text and link in text and f'href="{link}"' in html

        officer.goto(f"{server}/dashboard")
        assert w["funnel"] in officer.locator("main").inner_text()
        shoot(officer, f"{lang}-after-06-funnel")

        phone = browser.new_context(locale=w["locale"], viewport={"width": 360, "height": 740})
        try:
            small = phone.new_page()
            sign_in(small, server, w["company"])
            for path in (match_path, challenge_url.replace(server, "")):
                small.goto(server + path)
                _narrow_enough(small)
            small.goto(server + match_path)
            shoot(small, f"{lang}-after-07-phone")
            narrow_officer = phone.new_page()
            sign_in(narrow_officer, server, w["officer"])
            narrow_officer.goto(f"{server}/dashboard")
            _narrow_enough(narrow_officer)
        finally:
            phone.close()
    finally:
        for ctx in contexts.values():
            ctx.close()
