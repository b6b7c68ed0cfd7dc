"""In the browser: a Chinese challenge gets the English zebrafish lab of the demo, and the
officer sees which Chinese words met which English ones, highlighted in both texts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.test_flow import post_challenge, wait_for_proposal

pytestmark = pytest.mark.slow

ZEBRAFISH = {
    "title": "斑马鱼心脏毒性筛选",
    "description": (
        "我们正在开发小分子候选药物，需要利用斑马鱼模型评价其心脏毒性和发育毒性，"
        "包括心率、心律失常和心脏形态成像，寻求具备斑马鱼平台的实验室合作。"
    ),
    "keywords": "斑马鱼，心脏毒性，药物筛选",
}


def test_chinese_challenge_shows_english_lab_with_both_highlights(browser, server, shoot):
    company_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    officer_ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        page = company_ctx.new_page()
        sign_in(page, server, "li.wei@example.cn")
        challenge_id = post_challenge(page, server, ZEBRAFISH, "保存")
        assert "中文" in page.locator(".lang-tag").inner_text()

        review = officer_ctx.new_page()
        sign_in(review, server, "officer@example.com")
        wait_for_proposal(review, server, challenge_id)
        card = review.locator("article.proposal", has_text="Zebrafish models").first
        assert card.count(), "the English zebrafish lab is proposed for the Chinese challenge"
        pair = card.locator(".term-list li", has_text="斑马鱼").first
        assert "zebrafish" in pair.inner_text().lower()
        challenge_box = card.locator(".text-box").nth(0)
        capability_box = card.locator(".text-box").nth(1)
        assert challenge_box.locator("mark.hl", has_text="斑马鱼").count() > 0
        assert capability_box.locator("mark.hl", has_text="zebrafish").count() > 0
        assert "Chinese" in challenge_box.locator(".lang-tag").inner_text()
        assert "English" in capability_box.locator(".lang-tag").inner_text()
        card.scroll_into_view_if_needed()
        shoot(review, "en-GB-09-review-across-languages")
    finally:
        company_ctx.close()
        officer_ctx.close()
