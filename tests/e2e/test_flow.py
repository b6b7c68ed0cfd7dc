"""The whole path in a real browser: a company posts, the worker proposes, an officer
approves, the company sees the introduction and accepts. Once in English, once in Chinese."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.slow

EN_CHALLENGE = {
    "title": "Inline machine vision defect detection for die-cast housings",
    "description": (
        "We need a machine vision defect detection system for reflective die-cast aluminium "
        "housings: few-shot anomaly detection of scratches, dents and porosity on curved "
        "metal surfaces, polarised lighting, deployed on an edge device at line speed."
    ),
    "keywords": "machine vision, defect detection, few-shot learning, surface inspection",
}
ZH_CHALLENGE = {
    "title": "硫化物固态电解质与锂金属负极界面稳定性研究",
    "description": (
        "我公司正在开发全固态电池，需要合作研究硫化物固态电解质的合成与空气稳定性，"
        "以及锂金属负极界面工程：抑制锂枝晶、降低界面阻抗、提高循环寿命。"
        "希望与高校团队合作开展界面改性和表征。"
    ),
    "keywords": "硫化物固态电解质，锂金属负极，界面工程，锂枝晶",
}


def post_challenge(page, base: str, data: dict, submit: str) -> int:
    page.goto(f"{base}/challenges/new")
    title = f"{data['title']} {uuid.uuid4().hex[:6]}"
    page.fill("#title", title)
    page.fill("#description", data["description"])
    page.fill("#keywords", data["keywords"])
    page.get_by_role("button", name=submit).click()
    page.wait_for_url(re.compile(r"/challenges/\d+$"))
    assert page.locator("h1").inner_text() == title
    return int(page.url.rsplit("/", 1)[1])


def wait_for_proposal(page, base: str, challenge_id: int, timeout: float = 180) -> None:
    """The worker matches in the background; reload the filtered queue until it shows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(f"{base}/review?challenge_id={challenge_id}")
        if page.locator("article.proposal").count():
            return
        time.sleep(1.5)
    pytest.fail(f"no proposal for challenge {challenge_id} within {timeout} s")


def run_flow(browser, server, shoot, *, lang, company, officer, data, words):
    company_ctx = browser.new_context(locale=lang, viewport={"width": 1280, "height": 900})
    officer_ctx = browser.new_context(locale=lang, viewport={"width": 1280, "height": 900})
    try:
        page = company_ctx.new_page()
        sign_in(page, server, company)
        page.goto(f"{server}/challenges/new")
        shoot(page, f"{lang}-01-challenge-form")
        challenge_id = post_challenge(page, server, data, words["save"])
        shoot(page, f"{lang}-02-challenge-posted")

        review = officer_ctx.new_page()
        sign_in(review, server, officer)
        wait_for_proposal(review, server, challenge_id)
        card = review.locator("article.proposal").first
        assert card.locator("mark.hl").count() > 0, "the explaining terms are highlighted"
        shoot(review, f"{lang}-03-review-queue")
        card.get_by_role("button", name=words["approve"], exact=True).click()
        review.get_by_role("dialog").get_by_role("button", name=words["yes_approve"]).click()
        review.wait_for_load_state()
        assert words["approved_flash"] in review.locator(".flashes").inner_text()

        page.goto(f"{server}/challenges/{challenge_id}")
        match_card = page.locator(".match-card").first
        assert words["introduced"] in match_card.inner_text()
        shoot(page, f"{lang}-04-company-sees-match")
        match_card.locator("a").first.click()
        page.get_by_role("button", name=words["accept"]).click()
        page.get_by_role("dialog").get_by_role("button", name=words["yes_accept"]).click()
        page.wait_for_load_state()
        assert words["thanks"] in page.locator(".flashes").inner_text()
        shoot(page, f"{lang}-05-company-accepted")
        return review
    finally:
        company_ctx.close()


def test_company_posts_officer_approves_company_sees_it(browser, server, shoot):
    words = {
        "save": "Save",
        "approve": "Approve",
        "yes_approve": "Yes, approve and introduce",
        "yes_accept": "Yes, accept",
        "approved_flash": "Approved",
        "introduced": "Introduced",
        "accept": "Accept the introduction",
        "thanks": "your answer is recorded",
    }
    review = run_flow(
        browser,
        server,
        shoot,
        lang="en-GB",
        company="company@example.com",
        officer="officer@example.com",
        data=EN_CHALLENGE,
        words=words,
    )
    try:
        review.goto(f"{server}/dashboard")
        assert review.locator("svg.chart").count() >= 4
        shoot(review, "en-GB-06-dashboard")
        review.goto(f"{server}/runs/")
        review.get_by_role("button", name="Start a full run").click()
        review.wait_for_url(re.compile(r"/runs/\d+$"))
        # The bar is driven by polling the session-authenticated progress endpoint.
        # A selector, not wait_for_function: the page's CSP forbids evaluating strings.
        review.locator('[data-progress-url][data-state="succeeded"]').wait_for(timeout=180_000)
        assert review.locator("[data-field=percent]").inner_text() == "100%"
        shoot(review, "en-GB-07-run-finished")
    finally:
        review.context.close()


def test_the_same_in_chinese(browser, server, shoot):
    words = {
        "save": "保存",
        "approve": "批准",
        "yes_approve": "是，批准并引荐",
        "yes_accept": "是，接受",
        "approved_flash": "已批准",
        "introduced": "已引荐",
        "accept": "接受对接",
        "thanks": "您的答复已记录",
    }
    review = run_flow(
        browser,
        server,
        shoot,
        lang="zh-CN",
        company="li.wei@example.cn",
        officer="officer.zh@example.cn",
        data=ZH_CHALLENGE,
        words=words,
    )
    try:
        assert review.locator("html").get_attribute("lang") == "zh-Hans"
        review.goto(f"{server}/challenges/?q=锂金属负极")
        assert "硫化物固态电解质与锂金属负极界面稳定性研究" in review.locator("main").inner_text()
        shoot(review, "zh-CN-06-search")
        review.goto(f"{server}/dashboard")
        shoot(review, "zh-CN-07-dashboard")
    finally:
        review.context.close()


def test_landing_switches_language_and_lists_demo_users(browser, server, shoot):
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(server + "/")
        assert "demo-password-2026" in page.locator(".demo").inner_text()
        assert "officer.zh@example.cn" in page.locator(".demo").inner_text()
        shoot(page, "en-GB-00-landing")
        page.get_by_role("button", name="中文").click()
        page.wait_for_load_state()
        assert "如何运作" in page.locator("main").inner_text()
        shoot(page, "zh-CN-00-landing-switched")
    finally:
        ctx.close()


def test_a_phone_sized_screen_still_reads(browser, server, shoot):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        sign_in(page, server, "officer.zh@example.cn")
        page.goto(f"{server}/review")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"no sideways scrolling on a phone (page is {width}px wide)"
        shoot(page, "zh-CN-08-review-phone")
    finally:
        ctx.close()
