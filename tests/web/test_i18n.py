"""English and Chinese: the browser's choice, the switch, the user's stored locale."""

from __future__ import annotations

import shutil

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


def test_catalogues_compile_when_the_mo_is_missing(tmp_path):
    target = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, target)
    for mo in target.glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    assert i18n.compile_missing(target) == 1
    assert (target / "zh" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
    assert i18n.compile_missing(target) == 0
