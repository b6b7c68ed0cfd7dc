"""Every page each role can reach, checked with axe-core in a real browser: English at
desktop width, Chinese at 360 px (where nothing may overflow sideways either).

The pages are found by following the links of each role's pages, so a page added later is
checked without being listed here. One page of each shape (ids folded) is checked per role.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.slow

# WCAG 2.0-2.2, levels A and AA: what axe-core's default run reports, named so that a rule
# added to axe later in a best-practice set does not fail the suite unannounced.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
MAX_PAGES = 40  # per role and language: more than any role has today
SKIP = re.compile(
    r"^/(api/|static/|signout|verify/|password/reset/|lang/)|\.(csv|json|bib|png|svg)$"
)

ENGLISH = {
    "anonymous": None,
    "company": "company@example.com",
    "researcher": "researcher@example.com",
    "institute": "institute@example.com",
    "agency": "agency@example.com",
    "officer": "officer@example.com",
    "admin": "admin@example.com",
}
CHINESE = {
    "anonymous": None,
    "company": "li.wei@example.cn",
    "researcher": "liu.xiaoming@example.cn",
    "institute": "zhou.tao@example.cn",
    "agency": "qian.li@example.cn",
    "officer": "officer.zh@example.cn",
}


def shape(path: str) -> str:
    return re.sub(r"/\d+", "/N", path)


def crawl(page, server: str):
    """Yield each page of a distinct shape reachable from the start pages, once loaded."""
    host = urlsplit(server).netloc
    queue = deque(["/", "/home", "/signin", "/signup", "/password/forgot"])
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if shape(path) in seen:
            continue
        response = page.goto(server + path)
        if response is None or response.status >= 400 or urlsplit(page.url).netloc != host:
            continue
        landed = urlsplit(page.url).path
        if shape(landed) in seen or SKIP.search(landed):
            continue
        seen.add(shape(landed))
        yield landed
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            link = urlsplit(urljoin(page.url, href))
            if link.netloc == host and not SKIP.search(link.path) and shape(link.path) not in seen:
                queue.append(link.path)


def check_role(browser, server, email, locale, viewport) -> tuple[list[str], list[str]]:
    axe = Axe()
    ctx = browser.new_context(locale=locale, viewport=viewport)
    problems, pages = [], []
    try:
        page = ctx.new_page()
        if email:
            sign_in(page, server, email)
        for path in crawl(page, server):
            pages.append(path)
            result = axe.run(page, options=AXE_OPTIONS)
            for v in result.response["violations"]:
                targets = [", ".join(n["target"]) for n in v["nodes"][:3]]
                problems.append(f"{path}: {v['id']} ({v['impact']}) {v['help']} at {targets}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                problems.append(f"{path}: {width} px wide at {viewport['width']} px")
    finally:
        ctx.close()
    return pages, problems


@pytest.mark.parametrize("role", ENGLISH)
def test_english_pages_at_desktop_width_have_no_axe_violation(browser, server, role):
    viewport = {"width": 1280, "height": 900}
    pages, problems = check_role(browser, server, ENGLISH[role], "en-GB", viewport)
    assert len(pages) >= 3, pages
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", CHINESE)
def test_chinese_pages_at_phone_width_have_no_axe_violation_nor_overflow(browser, server, role):
    viewport = {"width": 360, "height": 740}
    pages, problems = check_role(browser, server, CHINESE[role], "zh-CN", viewport)
    assert len(pages) >= 3, pages
    assert not problems, "\n".join(problems)
