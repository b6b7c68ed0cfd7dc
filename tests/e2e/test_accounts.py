"""Accounts in a real browser: a second researcher joins a university, confirms the address
from the admin's outbox, waits for approval, posts; a forgotten password; phone widths."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.slow
UNIVERSITY = "Sino-Global Research University"


def outbox_link(browser, server, to: str, path: str) -> str:
    """The newest link to ``path`` sent to ``to``, read as the admin on the outbox page."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        sign_in(page, server, "admin@example.com")
        page.goto(f"{server}/admin/outbox?to={to}")
        href = page.locator(f"main a[href*='{path}']").first.get_attribute("href")
        return re.sub(r"^https?://[^/]+", server, href)
    finally:
        ctx.close()


def test_a_second_researcher_joins_confirms_waits_and_posts(browser, server, shoot):
    email = f"new-{uuid.uuid4().hex[:6]}@example.org"
    ctx = browser.new_context(locale="en-GB")
    try:
        page = ctx.new_page()
        page.goto(f"{server}/signup")
        page.check("input[name=role][value=researcher]")
        page.fill("#name", "Dr Second")
        page.fill("#email", email)
        page.fill("#password", "a-long-new-passphrase")
        page.fill("#confirm", "a-long-new-passphrase")
        page.fill("#organisation", "sino-global  research university")
        page.locator("main form button[type=submit]").click()
        assert page.locator("h1").inner_text() == "Check your inbox"
        assert "administrators will be asked" in page.locator(".flashes").inner_text()
        shoot(page, "en-GB-19-check-inbox")
        # Not signed in until the link is followed.
        sign_in_page = page.goto(f"{server}/capabilities/new")
        assert "/signin" in sign_in_page.url

        page.goto(outbox_link(browser, server, email, "/verify/"))
        assert "confirmed" in page.locator(".flashes").inner_text()
        response = page.goto(f"{server}/capabilities/new")
        assert response.status == 403
        assert "waiting for approval" in page.locator("main").inner_text()
        shoot(page, "en-GB-20-pending-member")

        # The university's administrator approves on the members page.
        admin_ctx = browser.new_context(locale="en-GB")
        try:
            admin = admin_ctx.new_page()
            sign_in(admin, server, "researcher@example.com")
            admin.goto(f"{server}/account")
            admin.get_by_role("link", name=f"Members of {UNIVERSITY}").click()
            admin.get_by_role("link", name="Join requests").click()
            shoot(admin, "en-GB-21-join-requests")
            admin.get_by_role("button", name="Approve Dr Second").click()
            assert "Approved." in admin.locator(".flashes").inner_text()
        finally:
            admin_ctx.close()

        assert page.goto(f"{server}/capabilities/new").status == 200
        page.goto(f"{server}/account")
        assert "member" in page.locator("main").inner_text()
    finally:
        ctx.close()


def test_a_forgotten_password_and_a_used_link(browser, server, shoot):
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(f"{server}/signin")
        page.get_by_role("link", name="忘记密码？").click()
        page.fill("#email", "zhao.xue@example.cn")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/signin" in url)
        link = outbox_link(browser, server, "zhao.xue@example.cn", "/password/reset/")
        page.goto(link)
        page.fill("#password", "a-long-new-passphrase")
        page.fill("#confirm", "a-long-new-passphrase")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/password/reset/" not in url)
        assert "新密码已保存" in page.locator(".flashes").inner_text()

        page.goto(link)
        page.fill("#password", "another-new-passphrase")
        page.fill("#confirm", "another-new-passphrase")
        page.locator("main form button[type=submit]").click()
        assert page.locator("h1").inner_text() == "此链接无效"
        shoot(page, "zh-CN-22-used-link")
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("email", "path"),
    [
        ("admin@example.com", "/account"),
        ("admin@example.com", "/admin/users"),
        ("admin@example.com", "/admin/outbox"),
        ("admin@example.com", "/admin/audit"),
        ("officer.zh@example.cn", "/admin/organisations"),
        ("researcher@example.com", "/organisations/9/members"),
        ("company@example.com", "/people/12"),
        ("company@example.com", "/organisations/9"),
    ],
)
def test_new_pages_fit_a_360_px_screen(browser, server, email, path):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        page = ctx.new_page()
        sign_in(page, server, email)
        response = page.goto(f"{server}{path}")
        assert response.status in (200, 403)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360 px screen"
    finally:
        ctx.close()
