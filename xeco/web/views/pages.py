"""The landing page, the language switch and each role's home."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, session, url_for
from flask_login import current_user

from xeco.extensions import db
from xeco.models import Capability, Challenge, Programme, Role, User, Visibility
from xeco.services import demo
from xeco.web.blueprint import bp
from xeco.web.formkit import submitted
from xeco.web.forms import LocaleForm
from xeco.web.session import me
from xeco.web.views.helpers import safe_next

# The demo accounts shown on the landing page, when the demo data set is loaded.
DEMO_ACCOUNTS = [
    ("company@example.com", Role.COMPANY),
    ("researcher@example.com", Role.RESEARCHER),
    ("institute@example.com", Role.INSTITUTE),
    ("agency@example.com", Role.AGENCY),
    ("officer@example.com", Role.OFFICER),
    ("officer.zh@example.cn", Role.OFFICER),
    ("admin@example.com", Role.ADMIN),
]


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def demo_accounts() -> list[tuple[str, Role]]:
    emails = [e for e, _ in DEMO_ACCOUNTS]
    present = set(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    return [(e, r) for e, r in DEMO_ACCOUNTS if e in present]


@bp.get("/")
def landing():
    accounts = demo_accounts()
    stats = {
        "challenges": _count(Challenge, Challenge.visibility == Visibility.PUBLIC),
        "capabilities": _count(Capability),
        "programmes": _count(Programme),
    }
    password = demo.password() if accounts else None
    return render_template("landing.html", accounts=accounts, password=password, stats=stats)


@bp.post("/locale")
def set_locale():
    form = LocaleForm()
    if submitted(form):
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            me().locale = form.locale.data
    return redirect(safe_next(form.next.data, url_for("web.landing")))


HOMES = {
    Role.COMPANY: ("web.challenges_list", {"mine": 1}),
    Role.RESEARCHER: ("web.capabilities_list", {"mine": 1}),
    Role.INSTITUTE: ("web.capabilities_list", {"mine": 1}),
    Role.AGENCY: ("web.programmes_list", {"mine": 1}),
    Role.OFFICER: ("web.review", {}),
    Role.ADMIN: ("web.dashboard", {}),
}


@bp.get("/home")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("web.landing"))
    endpoint, values = HOMES[current_user.role]
    return redirect(url_for(endpoint, **values))
