"""Signed-in sessions for the pages (Flask-Login) and the role checks they share."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user

from xeco.api import caching, is_api_path
from xeco.extensions import SAFE_METHODS
from xeco.models import Role, User
from xeco.services.users import active_user

login_manager = LoginManager()
login_manager.login_view = "web.signin"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"


class SessionUser(UserMixin):
    """Flask-Login's view of a user, so the model itself stays free of session concerns.

    Attribute reads fall through to the ``User``; ``me()`` hands the services the real row.
    """

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        # With the session version: signing out raises it, and copies of the cookie die.
        return f"{self.user.id}:{self.user.session_version}"

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)

    def __getattr__(self, name: str):
        return getattr(self.user, name)


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, for the pages only.

    The API signs in by bearer token and never reads the cookie: opening it, and saving it
    with ``Vary: Cookie``, was a fortieth of the API's CPU under load (bench/bench_load.py).
    An API request gets an empty session that is never sent back, so a browser's page
    session passes through it untouched, and flask-login finds nobody signed in there.
    """

    def open_session(self, app, request):
        if is_api_path(request.path):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if is_api_path(request.path):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = PageSessions()
    login_manager.init_app(app)

    @app.after_request
    def _mark_writes(response):
        # The same person may read the API's lists (kept for a few seconds): a change made
        # on the pages shows there at once, as one made through the API does.
        if (
            request.method not in SAFE_METHODS
            and request.blueprint == "web"
            and current_user.is_authenticated
        ):
            caching.note_write(current_user.user)
        return response


@login_manager.user_loader
def _load(session_id: str) -> SessionUser | None:
    user_id, _, version = str(session_id).partition(":")
    user = active_user(user_id)
    if user is None or version != str(user.session_version):
        return None
    return SessionUser(user)


def me() -> User:
    """The signed-in user as the services expect it (the row, not the proxy)."""
    return current_user.user


def roles_required(*roles: Role):
    """Signed in, and with ``roles`` one of them: else the sign-in page or a 403."""

    def decorator(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return fn(*args, **kwargs)

        return wrapper

    return decorator
