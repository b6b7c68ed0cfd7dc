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
            form.form_errors.append(
                _(
                    "The e-mail address or the password is wrong, "
                    "or the address is not confirmed yet."
                )
            )
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
            done = _register(form, data)
            if done is not None:
                return _registered(done)
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


def _registered(done: users.Registration):
    """The same page whether or not the address was new; an invited user (whose link proved
    the address) is signed in at once."""
    if done.user is not None and done.user.email_verified:
        login_user(SessionUser(done.user))
        users.record_sign_in(done.user)
        flash(_("Your account is ready."), "success")
        return redirect(url_for("web.home"))
    if done.membership == Membership.PENDING:
        flash(
            _(
                "%(org)s is registered already: its administrators will be asked to approve "
                "you once your address is confirmed.",
                org=done.organisation_name,
            ),
            "info",
        )
    return render_template("auth/check_inbox.html", email=done.email)


def _register(form: SignUpForm, data: dict) -> users.Registration | None:
    try:
        return users.register(data)
    except DomainError as err:
        transaction.abandon(err)
        put_errors(form, (err.errors or {}).get("json") or {"_schema": [err.message]})
        return None


@bp.post("/signout")
def signout():
    form = ActionForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        user = current_user.user
        users.end_sessions(user)
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("web.landing"))
