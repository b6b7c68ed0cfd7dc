"""The landing page, the language switch and each role's home."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_login import current_user

from xeco.models import Role
from xeco.services import demo, reports
from xeco.web.blueprint import bp
from xeco.web.forms import LocaleForm
from xeco.web.session import me
from xeco.web.views.helpers import safe_next


@bp.get("/")
def landing():
    accounts = demo.accounts_present()
    stats = reports.public_counts()
    password = demo.password() if accounts else None
    return render_template("landing.html", accounts=accounts, password=password, stats=stats)


@bp.post("/locale")
def set_locale():
    form = LocaleForm()
    if form.validate_on_submit():
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
