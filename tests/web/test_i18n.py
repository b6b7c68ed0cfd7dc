"""English and Chinese: the browser's choice, the switch, the user's stored locale."""

from __future__ import annotations

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.web.conftest import csrf_token, sign_in
from xeco.models import Role
from xeco.web import i18n


def test_the_browser_language_picks_chinese(client, db):
    html = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html and "如何运作" in html


def test_the_switch_is_kept_in_the_session_and_on_the_user(client, users, db):
    sign_in(client, users["company"])
    token = csrf_token(client, "/challenges/")
    client.post("/locale", data={"csrf_token": token, "locale": "zh", "next": "/challenges/"})
    assert "技术需求" in client.get("/challenges/").get_data(as_text=True)
    db.session.refresh(users["company"])
    assert users["company"].locale == "zh"


def test_a_signed_in_users_locale_applies_without_a_switch(client, db):
    from tests.factories import UserFactory

    user = UserFactory(role=Role.OFFICER, locale="zh")
    db.session.commit()
    sign_in(client, user)
    assert "审核队列" in client.get("/review").get_data(as_text=True)


def test_an_unknown_locale_is_ignored(client, db):
    token = csrf_token(client, "/")
    client.post("/locale", data={"csrf_token": token, "locale": "xx"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_the_tracked_mo_files_are_compiled_from_their_po():
    """A .po edited without ``make translations`` would leave the pages on old texts."""
    catalogues = list(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
    assert catalogues
    for po in catalogues:
        with po.open("rb") as src:
            source = read_po(src)
        with po.with_suffix(".mo").open("rb") as src:
            compiled = read_mo(src)
        # What gettext serves: fuzzy and untranslated messages are not compiled.
        wanted = _texts(m for m in source if m.string and not m.fuzzy)
        assert _texts(compiled) == wanted, po


def _texts(messages) -> dict:
    def plain(text):  # a plural message is a sequence: the .po's a tuple, the .mo's a list
        return tuple(text) if isinstance(text, list | tuple) else text

    return {plain(m.id): plain(m.string) for m in messages if m.id}


def test_the_api_neither_reads_nor_sends_the_page_session(client, users, auth, db):
    """A browser's page session passes the API untouched: its answers depend on the bearer
    token only, so they carry no cookie and no ``Vary: Cookie``, and the page session's
    locale does not leak into them."""
    sign_in(client, users["company"])
    token = csrf_token(client, "/challenges/")
    client.post("/locale", data={"csrf_token": token, "locale": "zh", "next": "/challenges/"})
    cookie = client.get_cookie("session").value

    answer = client.get("/api/v1/challenges", headers=auth(users["officer"]))
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert "Cookie" not in answer.headers.get("Vary", "")
    missing = client.get("/api/v1/challenges/999999", headers=auth(users["officer"]))
    assert missing.status_code == 404 and missing.get_json()["message"].startswith("No ")

    # The page session is as it was: still signed in, still in Chinese.
    assert client.get_cookie("session").value == cookie
    page = client.get("/challenges/")
    assert page.status_code == 200 and "技术需求" in page.get_data(as_text=True)


def test_pages_still_keep_their_session(client, users):
    sign_in(client, users["company"])
    page = client.get("/challenges/")
    assert page.status_code == 200 and "Cookie" in page.headers.get("Vary", "")
