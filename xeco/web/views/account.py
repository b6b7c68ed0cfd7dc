"""The user's own account: confirming the address, resetting the password, settings."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from xeco import transaction
from xeco.errors import DomainError
from xeco.extensions import limiter
from xeco.schemas.account import MeUpdateSchema
from xeco.services import account, users
from xeco.services.tokens import LinkInvalid
from xeco.web.account_forms import (
    ContactForm,
    EmailForm,
    ForgotForm,
    PasswordForm,
    ProfileForm,
    ResetForm,
)
from xeco.web.blueprint import bp
from xeco.web.formkit import load, put_errors
from xeco.web.forms import ActionForm
from xeco.web.session import SessionUser, me, roles_required


def _auth_limit() -> str:
    return current_app.config["RATELIMIT_AUTH"]


@bp.get("/verify/<token>")
@transaction.writes
def verify_email(token: str):
    try:
        user = account.verify_email(token)
    except LinkInvalid as err:
        transaction.abandon(err)
        return render_template("account/link_invalid.html", message=err.message), 400
    flash(_("Thank you: your e-mail address is confirmed."), "success")
    # The link proves the address as a password would; whoever is signed in stays so.
    if not current_user.is_authenticated:
        login_user(SessionUser(user))
        users.record_sign_in(user)
    return redirect(url_for("web.home"))


@bp.post("/account/verify/resend")
@roles_required()
def resend_verification():
    if ActionForm().validate_on_submit() and not me().email_verified:
        account.send_verification(me())
        flash(_("A new confirmation link is on its way."), "info")
    return redirect(url_for("web.settings"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        account.request_reset(form.email.data)
        # The same answer for every address: it must not tell which ones have accounts.
        flash(
            _("If the address has an account, a link to reset its password is on its way."), "info"
        )
        return redirect(url_for("web.signin"))
    return render_template("account/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset_password(token: str):
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = account.reset_password(token, form.password.data)
        except LinkInvalid as err:
            transaction.abandon(err)
            return render_template("account/link_invalid.html", message=err.message), 400
        except DomainError as err:
            transaction.abandon(err)
            put_errors(form, (err.errors or {}).get("json") or {"_schema": [err.message]})
        else:
            login_user(SessionUser(user))
            users.record_sign_in(user)
            flash(_("Your new password is saved."), "success")
            return redirect(url_for("web.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("account/reset.html", form=form, token=token), status


def _save_settings(user, which: str, form, data: dict):
    """Save one form of the settings page: a redirect, or None with the errors on ``form``."""
    try:
        updated = account.update_me(user, data)
    except DomainError as err:
        transaction.abandon(err)
        put_errors(form, (err.errors or {}).get("json") or {"_schema": [err.message]})
        return None
    if which == "password":
        # Changing the password ended every session, this one too: start a new one.
        login_user(SessionUser(updated))
    if which == "profile":
        session.pop("locale", None)  # the stored choice is the language from now on
    flash(_("Saved."), "success")
    return redirect(url_for("web.settings"))


@bp.route("/account", methods=["GET", "POST"])
@roles_required()
def settings():
    user = me()
    forms = {
        "profile": ProfileForm(prefix="profile", data={"name": user.name, "locale": user.locale}),
        "contact": ContactForm(
            prefix="contact", data={"phone": user.phone, "share_phone": user.share_phone}
        ),
        "password": PasswordForm(prefix="password"),
        "email": EmailForm(prefix="email"),
    }
    which = request.form.get("which")
    status = 200
    if which in forms and forms[which].validate_on_submit():
        form = forms[which]
        data = {k: v for k, v in form.data.items() if k not in ("submit", "confirm", "csrf_token")}
        if which == "contact":
            # The API's rule for a phone number, its message put next to the field.
            data = load(form, MeUpdateSchema(), {**data, "phone": data["phone"] or None})
        response = _save_settings(user, which, form, data) if data is not None else None
        if response is not None:
            return response
        status = 422
    elif which in forms and request.method == "POST":
        status = 422
    return render_template(
        "account/settings.html", forms=forms, user=user, resend=ActionForm()
    ), status
