"""Sign in, sign up, sign out: the API's rules, with a session cookie instead of a token."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from xeco import transaction
from xeco.errors import DomainError
from xeco.extensions import limiter
from xeco.models import Membership
from xeco.schemas.users import RegisterSchema
from xeco.services import users
from xeco.web.blueprint import bp
from xeco.web.formkit import load, put_errors, submitted
from xeco.web.forms import ActionForm, SignInForm, SignUpForm
from xeco.web.i18n import LOCALE_NAMES
from xeco.web.session import SessionUser
from xeco.web.views.helpers import safe_next


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def signin():
    form = SignInForm(next=request.args.get("next"), email=request.args.get("email"))
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is None:
            # Not tied to a field: either may be the wrong one, and saying which would tell
            # an attacker whether the address has an account.
            form.form_errors.append(_("The e-mail address or the password is wrong."))
        else:
            shown = str(get_locale() or "en")
            login_user(SessionUser(user))
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            _say_saved_language(user, shown)
            return redirect(safe_next(form.next.data, url_for("web.home")))
    status = 401 if form.form_errors else 200
    return render_template("auth/signin.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def signup():
    form = SignUpForm(invite=request.args.get("invite"))
    valid = submitted(form)
    if valid is not None:
        payload = {
            "email": form.email.data,
            "password": form.password.data,
            "name": form.name.data,
            "role": form.role.data,
            "organisation": {"name": form.organisation.data},
            "locale": str(get_locale() or "en"),
        }
        if form.region.data:
            payload["organisation"]["region"] = form.region.data
        if form.invite.data:
            payload["invitation"] = form.invite.data
        data = load(form, RegisterSchema(), payload)
        if not form.password.errors:
            _check_password(form)
        if valid and data is not None and not form.errors:
            user = _register(form, data)
            if user is not None:
                return _welcome(user)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


def _say_saved_language(user, shown: str) -> None:
    """The saved language takes over from the browser's at sign-in: say so, in it."""
    if session.get("locale") or user.locale not in LOCALE_NAMES or user.locale == shown:
        return
    with force_locale(user.locale):
        flash(
            _(
                "The site is now in %(language)s, the language saved in your settings. "
                "The switch at the top changes it.",
                language=LOCALE_NAMES[user.locale],
            ),
            "info",
        )


def _check_password(form: SignUpForm) -> None:
    """The password rule, checked with the other fields rather than after them."""
    try:
        users.check_password_rule(
            form.password.data or "", form.email.data, form.name.data, form.organisation.data
        )
    except DomainError as err:
        put_errors(form, err.errors["json"])


def _welcome(user):
    login_user(SessionUser(user))
    flash(_("Your account is ready."), "success")
    if user.membership == Membership.PENDING:
        flash(
            _(
                "%(org)s is registered already: its administrators have been asked to approve you.",
                org=user.organisation.name,
            ),
            "info",
        )
    if not user.email_verified:
        flash(_("Confirm your e-mail address with the link we sent you."), "info")
    return redirect(url_for("web.home"))


def _register(form: SignUpForm, data: dict):
    try:
        user = users.register(data)
    except users.RegistrationRefused as err:
        transaction.abandon(err)
        message = _(
            "These details cannot be registered: the e-mail address is registered already. "
            "Sign in, or reset your password."
        )
        put_errors(form, {"_schema": [message]})
        return None
    except DomainError as err:
        transaction.abandon(err)
        put_errors(form, (err.errors or {}).get("json") or {"_schema": [err.message]})
        return None
    return user


@bp.post("/signout")
def signout():
    form = ActionForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        user = current_user.user
        users.end_sessions(user)
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("web.landing"))
