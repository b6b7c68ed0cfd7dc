"""English and Chinese: the switch, the browser's preference, the user's stored locale."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, refresh
from flask_login import current_user

LOCALES = ("en", "zh")
# What <html lang> says: search engines and screen readers want the script too.
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
LOCALE_NAMES = {"en": "English", "zh": "中文"}
# The compiled .mo files are tracked beside their .po (``make translations`` rebuilds them),
# so any install, a wheel or a container, has them without a build step.
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


def init_app(app: Flask) -> None:
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
