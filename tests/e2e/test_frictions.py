"""Issue 16 in a real browser: what a first walk-through tripped on, each where a person meets
it, in English and Chinese, at desktop and phone width, with axe-core on the changed pages."""

from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import PASSWORD, sign_in
from tests.web.test_items import PASTED_BIBTEX as BIBTEX

pytestmark = pytest.mark.slow

LANGS = ("en-GB", "zh-CN")
# One user per role and language: a saved language wins over the browser's.
USERS = {
    "en-GB": {
        "company": "company@example.com",
        "researcher": "researcher@example.com",
        "institute": "institute@example.com",
        "agency": "agency@example.com",
        "officer": "officer@example.com",
        "admin": "admin@example.com",
    },
    "zh-CN": {
        "company": "li.wei@example.cn",
        "researcher": "zhang.min@example.cn",
        "institute": "zhou.tao@example.cn",
        "agency": "qian.li@example.cn",
        "officer": "officer.zh@example.cn",
        "admin": "admin@example.com",
    },
}
COMMON = ["/home", "/matches/", "/challenges/", "/capabilities/", "/programmes/"]
COMMON += ["/notifications/", "/account"]
PAGES = {
    None: ["/", "/signin", "/signup", "/password/forgot"],
    "company": ["/challenges/new", "/challenges/?mine=1"],
    "researcher": ["/capabilities/new", "/capabilities/?mine=1"],
    "institute": ["/capabilities/new"],
    "agency": ["/programmes/new"],
    "officer": ["/review", "/runs/", "/dashboard", "/admin/organisations"],
    "admin": ["/admin/users", "/admin/audit", "/admin/outbox", "/admin/organisations"],
}
# Details reached from the lists: the first link of each.
DETAILS = {
    "/challenges/": "main a[href^='/challenges/']:not([href$='/new'])",
    "/capabilities/": "main a[href^='/capabilities/']:not([href$='/new'])",
    "/programmes/": "main a[href^='/programmes/']:not([href$='/new'])",
    "/matches/": "main a[href^='/matches/']",
    "/review": "main article a[href^='/matches/']",
}
LONG_TITLE = "Polytetrafluoroethylenecoatedmicrochannelheatexchangerqualification" + "X" * 30


def axe_clean(page, what: str) -> None:
    """axe-core finds nothing on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    summary = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found]
    assert not found, f"axe on {what}: {summary}"


@contextmanager
def browsing(browser, server, lang, width=1280, height=900, email=None, **kw):
    """A page in a context of its own (closed afterwards), signed in as ``email`` if given."""
    ctx = browser.new_context(locale=lang, viewport={"width": width, "height": height}, **kw)
    try:
        page = ctx.new_page()
        if email:
            sign_in(page, server, email)
        yield page
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def long_challenge(browser, server) -> int:
    """A challenge whose title is one unbroken word, posted through the page."""
    with browsing(browser, server, "en-GB", email="company@example.com") as page:
        page.goto(f"{server}/challenges/new")
        page.fill("#title", f"{LONG_TITLE}{uuid.uuid4().hex[:6]}")
        page.fill("#description", "Qualify coated heat exchangers. " * 60)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r"/challenges/\d+$"))
        return int(page.url.rsplit("/", 1)[1])


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_overflows_a_360_px_screen(browser, server, shoot, long_challenge, lang):
    """Every page of every role, the long unbroken title included: no sideways scrolling."""
    wide = []

    def visit(page, path, name=None):
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
        if name:
            shoot(page, f"{lang}-16-360-{name}")

    with browsing(browser, server, lang, 360, 740) as page:
        for path in PAGES[None]:
            visit(page, path, "landing" if path == "/" else None)
    for role, email in USERS[lang].items():
        with browsing(browser, server, lang, 360, 740, email=email) as page:
            for path in COMMON + PAGES[role]:
                visit(page, path, f"{role}-matches" if path == "/matches/" else None)
                link = DETAILS.get(path)
                if link and page.locator(link).count():
                    visit(page, page.locator(link).first.get_attribute("href"))
            if role == "company":
                visit(page, f"/challenges/{long_challenge}", "long-title")
            if role == "officer":
                visit(page, "/review", "review")
    assert not wide, f"pages wider than 360 px: {wide}"


@pytest.mark.parametrize("lang", LANGS)
def test_bibtex_pasted_into_publications_is_imported(browser, server, shoot, lang):
    with browsing(browser, server, lang, email=USERS[lang]["researcher"]) as page:
        page.goto(f"{server}/capabilities/new")
        page.fill("#title", f"Surface inspection lab {uuid.uuid4().hex[:6]}")
        page.fill("#summary", "Machine vision inspection of reflective metal surfaces.")
        page.fill("#publications", BIBTEX)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/capabilities/\d+$"))
        flashes = page.locator(".flashes").inner_text()
        assert (
            "3 publications were imported." if lang == "en-GB" else "已导入 3 篇论文"
        ) in flashes
        titles = page.locator("ol.publications cite")
        assert titles.count() == 3
        chinese = page.locator("ol.publications cite", has_text="基于深度学习")
        style = chinese.evaluate("el => getComputedStyle(el).fontStyle")
        assert style == "normal", "Chinese titles are never italic"
        assert titles.first.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
        offered = page.locator("dl.facts dd").first.inner_text()
        assert ("(" in offered and "," in offered) or "，" in offered, offered
        shoot(page, f"{lang}-16-bibtex-imported")
        axe_clean(page, "capability with imported publications")


@pytest.mark.parametrize("lang", LANGS)
def test_every_error_shows_at_once(browser, server, shoot, lang):
    with browsing(browser, server, lang) as page:
        page.goto(f"{server}/signup")
        page.check("input[name=role][value=company]")
        page.fill("#name", "Walk Through")
        page.fill("#email", "not-an-address")
        page.fill("#password", "12345678")
        page.fill("#confirm", "12345678")
        page.fill("#organisation", f"Walkthrough Works {uuid.uuid4().hex[:6]}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("#email-errors").is_visible()
        assert page.locator("#password-errors").is_visible()
        assert page.locator("#name").input_value() == "Walk Through", "nothing typed is lost"
        shoot(page, f"{lang}-16-signup-errors")
        axe_clean(page, "sign-up with errors")

        page.goto(f"{server}/signin")
        page.fill("#email", "company@example.com")
        page.fill("#password", "not-the-password")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        wrong = (
            "The e-mail address or the password is wrong"
            if lang == "en-GB"
            else "电子邮件地址或密码错误"
        )
        assert wrong in page.locator(".flash-error").inner_text()
        assert page.locator("[aria-invalid=true]").count() == 0, "no field is blamed"
        assert page.locator("#email").get_attribute("autocomplete") == "username"
        assert page.locator("#password").get_attribute("autocomplete") == "current-password"
        shoot(page, f"{lang}-16-signin-wrong")
        axe_clean(page, "sign-in refused")


def _wait_for_queue(page, server, at_least: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto(f"{server}/review")
        if page.locator("article.proposal").count() >= at_least:
            return
        time.sleep(2)
    pytest.fail(f"fewer than {at_least} proposals in the queue within {timeout} s")


def test_the_review_queue_confirms_keeps_the_place_and_decides_in_bulk(browser, server, shoot):
    with browsing(browser, server, "en-GB", email="officer@example.com") as page:
        _wait_for_queue(page, server, 4)
        cards = page.locator("article.proposal")
        ids = [c.get_attribute("id") for c in cards.all()]

        # A reject without a reason: no dialog, the field is marked, the place kept.
        cards.nth(1).get_by_role("button", name="Reject", exact=True).click()
        page.wait_for_url(re.compile(rf"#{ids[1]}$"))
        field = page.locator(f"#{ids[1]} input[name=reason]")
        assert field.get_attribute("aria-invalid") == "true"
        assert "Give a reason to reject." in page.locator(f"#{ids[1]}").inner_text()
        shoot(page, "en-GB-16-reject-needs-a-reason")
        axe_clean(page, "queue with a marked reason")

        # Approve asks first, in a dialog; Cancel changes nothing.
        page.locator(f"#{ids[1]}").get_by_role("button", name="Approve", exact=True).click()
        dialog = page.get_by_role("dialog")
        assert "Approve this match" in dialog.inner_text()
        shoot(page, "en-GB-16-confirm-dialog")
        axe_clean(page, "the confirmation dialog")
        dialog.get_by_role("button", name="Cancel").click()
        assert page.locator(f"#{ids[1]}").count() == 1
        page.locator(f"#{ids[1]}").get_by_role("button", name="Approve", exact=True).click()
        page.get_by_role("dialog").get_by_role("button", name="Yes, approve and introduce").click()
        page.wait_for_url(re.compile(rf"/review#{ids[2]}$"))
        assert "Approved" in page.locator(".flashes").inner_text()
        box = page.locator(f"#{ids[2]}").bounding_box()
        assert -2 <= box["y"] < 900, "the officer is where they were, not at the top"

        # Two at once.
        page.goto(f"{server}/review")
        cards = page.locator("article.proposal")
        chosen = [cards.nth(0), cards.nth(1)]
        for card in chosen:
            card.locator("input[name=ids]").check()
        page.fill("#bulk-reason", "Outside the programme's scope")
        page.get_by_role("button", name="Reject selected").click()
        page.get_by_role("dialog").get_by_role("button", name="Yes, reject").click()
        page.wait_for_load_state()
        assert "2 matches rejected." in page.locator(".flashes").inner_text()
        shoot(page, "en-GB-16-bulk-rejected")


@pytest.mark.parametrize("lang", LANGS)
def test_without_script_a_page_asks_before_a_decision(browser, server, shoot, lang):
    with browsing(
        browser, server, lang, java_script_enabled=False, email=USERS[lang]["officer"]
    ) as page:
        _wait_for_queue(page, server, 1)
        card = page.locator("article.proposal").first
        words = (
            ("Approve", "Yes, approve and introduce")
            if lang == "en-GB"
            else ("批准", "是，批准并引荐")
        )
        card.get_by_role("button", name=words[0], exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() in ("Please confirm", "请确认")
        shoot(page, f"{lang}-16-confirm-page")
        page.get_by_role("button", name=words[1]).click()
        page.wait_for_load_state()
        assert page.locator(".flash-success").count() == 1
    # axe needs script, so it reads the same page with the script's dialog switched off.
    with browsing(browser, server, lang, email=USERS[lang]["officer"]) as page:
        _wait_for_queue(page, server, 1)
        page.evaluate(
            "document.querySelectorAll('[data-confirm]')"
            ".forEach(b => b.removeAttribute('data-confirm'))"
        )
        page.locator("article.proposal").first.locator("button[value=approve]").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() in ("Please confirm", "请确认")
        axe_clean(page, "the confirmation page")


def test_a_company_closes_and_reopens_its_challenge(browser, server, shoot, long_challenge):
    with browsing(browser, server, "en-GB", email="company@example.com") as page:
        page.goto(f"{server}/challenges/{long_challenge}")
        # The facts beside a long description keep their own height.
        facts = page.locator(".columns-2 dl.facts").bounding_box()
        text = page.locator(".columns-2 .body-text").bounding_box()
        assert facts["height"] < text["height"] / 2
        page.get_by_role("button", name="Close", exact=True).click()
        page.get_by_role("dialog").get_by_role("button", name="Yes, close it").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Reopen").click()
        page.wait_for_load_state()
        assert "Reopened" in page.locator(".flashes").inner_text()
        assert page.get_by_role("link", name="Edit").count() == 1
        shoot(page, "en-GB-16-reopened")
        axe_clean(page, "a reopened challenge")


@pytest.mark.parametrize("lang", LANGS)
def test_oversized_input_is_stopped_in_the_page_and_nothing_is_lost(browser, server, shoot, lang):
    with browsing(browser, server, lang, email=USERS[lang]["researcher"]) as page:
        page.goto(f"{server}/capabilities/new")
        page.fill("#title", "Oversized")
        long = "Surface inspection. " * 600  # 12,000 characters, the limit is 10,000
        page.fill("#summary", long)
        assert page.locator("#summary").input_value() == long, "nothing is cut"
        assert page.locator("#summary-too-long").is_visible()
        page.set_input_files(
            "#publications_file",
            files=[{"name": "huge.bib", "mimeType": "text/plain", "buffer": b"%" * (2 << 20)}],
        )
        started = time.monotonic()
        page.locator("main form button[type=submit]").click()
        alert = page.locator("[data-size-alert]")
        alert.wait_for(state="visible")
        assert time.monotonic() - started < 2, "refused in the page, not after an upload"
        assert page.url.endswith("/capabilities/new")
        assert page.locator("#summary").input_value() == long
        shoot(page, f"{lang}-16-too-large")
        axe_clean(page, "a form refused for its size")


@pytest.mark.parametrize("lang", LANGS)
def test_header_one_row_and_footer_at_the_bottom(browser, server, shoot, lang):
    with browsing(browser, server, lang, email="admin@example.com") as page:
        page.goto(f"{server}/account")
        profile = page.locator("form:has(input[name=which][value=profile])")
        profile.locator("input[type=text]").first.fill(
            "Administrator Maximilian Alexander Featherstonehaugh-Ramsbottom"
        )
        profile.locator("button[type=submit]").click()
        page.wait_for_load_state()
        tops = {round(b.bounding_box()["y"]) for b in page.locator(".main-nav li").all()}
        assert len(tops) == 1, f"the links wrap at 1280 px: {tops}"
        tools = page.locator(".header-tools").bounding_box()
        assert tools["height"] < 45, f"the tools wrap at 1280 px ({tools['height']} px)"
        page.goto(f"{server}/notifications/")
        footer = page.locator(".site-footer").bounding_box()
        assert abs(footer["y"] + footer["height"] - 900) < 2, "the footer sits at the bottom"
        shoot(page, f"{lang}-16-header-footer")


def test_a_second_run_counts_what_it_refreshed(browser, server, shoot):
    with browsing(browser, server, "en-GB", email="officer@example.com") as page:
        _wait_for_queue(page, server, 1)
        page.goto(f"{server}/runs/")
        page.get_by_role("button", name="Start a full run").click()
        page.wait_for_url(re.compile(r"/runs/\d+$"))
        page.locator('[data-progress-url][data-state="succeeded"]').wait_for(timeout=240_000)
        assert int(page.locator("[data-field=proposals]").inner_text()) > 0
        assert "proposals made or refreshed" in page.locator("#progress-label").inner_text()
        shoot(page, "en-GB-16-run-counts")


def test_the_saved_language_is_announced_at_sign_in(browser, server, shoot):
    with browsing(browser, server, "en-GB") as page:
        page.goto(f"{server}/signin")
        page.fill("#email", "li.wei@example.cn")
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/signin" not in url)
        assert "您设置中保存的语言" in page.locator(".flashes").inner_text()
        shoot(page, "zh-CN-16-saved-language")
