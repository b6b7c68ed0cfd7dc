"""English and Chinese: the switch, the browser's preference, the user's stored locale."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, refresh
from flask_login import current_user

log = logging.getLogger(__name__)
LOCALES = ("en", "zh")
# What <html lang> says: search engines and screen readers want the script too.
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
LOCALE_NAMES = {"en": "English", "zh": "中文"}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def select_locale() -> str:
    """An explicit switch wins, then the signed-in user's choice, then the browser."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return request.accept_languages.best_match(LOCALES) or "en"


def compile_missing(directory: Path = TRANSLATIONS) -> int:
    """Compile catalogues whose .mo is missing or older than the .po (a fresh checkout)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    done = 0
    for po in directory.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)
            done += 1
        except OSError as err:  # a read-only install ships its .mo files instead
            log.warning("could not compile %s: %s", po, err)
    return done


def init_app(app: Flask) -> None:
    compile_missing()
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel caches the locale on the app context, which outlives a request when one
    # was pushed already (the CLI, tests); each request chooses afresh.
    app.before_request(refresh)

    @app.context_processor
    def _locale_context():
        from flask_babel import get_locale

        code = str(get_locale() or "en")
        return {
            "current_locale": code,
            "html_lang": HTML_LANG.get(code, code),
            "locale_names": LOCALE_NAMES,
        }
