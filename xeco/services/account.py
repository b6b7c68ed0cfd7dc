"""A user's own account: e-mail verification, password reset, settings, invitations.

Links in e-mails are signed and expire (``xeco.services.tokens``); each e-mail is written in
the recipient's language. Services flush; the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from xeco.errors import Conflict, Forbidden, Invalid
from xeco.extensions import db
from xeco.models import Membership, Organisation, User
from xeco.models.base import utcnow
from xeco.services import audit, tokens
from xeco.services.notifications import queue_email
from xeco.services.organisations import check_can_manage
from xeco.services.organisations import get as get_organisation
from xeco.services.users import (
    active_user,
    check_password_rule,
    end_sessions,
    normalise_email,
)


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _send_link(user: User, purpose: str, payload: dict, endpoint: str, subject, body) -> None:
    """E-mail ``user`` a signed link to the page ``endpoint``, in the user's language;
    ``subject`` and ``body`` are called inside that language with the link."""
    link = url_for(endpoint, token=tokens.make(purpose, payload), _external=True)
    with force_locale(user.locale):
        queue_email(user.email, subject(), body(link))


# --- e-mail verification -------------------------------------------------------------------
def send_verification(user: User) -> None:
    _send_link(
        user,
        tokens.VERIFY,
        {"u": user.id, "e": tokens.fingerprint(user.email)},
        "web.verify_email",
        lambda: _("xeco: confirm your e-mail address"),
        lambda link: _(
            "Follow this link within two days to confirm your address:\n%(link)s\n\n"
            "If you did not open an xeco account, you need do nothing.",
            link=link,
        ),
    )


def verify_email(token: str) -> User:
    payload = tokens.read(tokens.VERIFY, token)
    user = active_user(str(payload.get("u")))
    if user is None or payload.get("e") != tokens.fingerprint(user.email):
        raise tokens.LinkInvalid()
    if user.email_verified:
        raise tokens.LinkInvalid("This link has been used already: your address is confirmed.")
    user.email_verified_at = utcnow()
    db.session.flush()
    audit.record(user, "verify_email", user, after={"email": user.email})
    return user


# --- password reset ------------------------------------------------------------------------
def request_reset(email: str) -> None:
    """Send a reset link if the address has an active account; the caller answers the same
    either way, so the answer does not tell whether an address is registered."""
    user = _user_by_email(email)
    if user is None or not user.active:
        return
    _send_link(
        user,
        tokens.RESET,
        {"u": user.id, "p": tokens.fingerprint(user.password_hash)},
        "web.reset_password",
        lambda: _("xeco: reset your password"),
        lambda link: _(
            "Follow this link within an hour to choose a new password:\n%(link)s\n\n"
            "If you did not ask for this, you need do nothing; your password is unchanged.",
            link=link,
        ),
    )


def reset_password(token: str, password: str) -> User:
    payload = tokens.read(tokens.RESET, token)
    user = active_user(str(payload.get("u")))
    # A used link no longer matches the password hash it was made for.
    if user is None or payload.get("p") != tokens.fingerprint(user.password_hash):
        raise tokens.LinkInvalid()
    org = user.organisation.name if user.organisation else None
    check_password_rule(password, user.email, user.name, org)
    user.set_password(password)
    # Whoever knew the old password is signed out; the link proved control of the address.
    end_sessions(user)
    if not user.email_verified:
        user.email_verified_at = utcnow()
    audit.record(user, "reset_password", user, after={})
    return user


# --- settings ------------------------------------------------------------------------------
def update_me(user: User, data: dict) -> User:
    """Name, language, password (the current one required) and e-mail (verified again)."""
    before = audit.snapshot(user)
    sensitive = "password" in data or "email" in data
    if sensitive and not user.check_password(data.get("current_password") or ""):
        raise Invalid(errors={"json": {"current_password": ["Wrong password."]}})
    if data.get("name"):
        user.name = data["name"]
    if data.get("locale"):
        user.locale = data["locale"]
    if "phone" in data:
        user.phone = (data["phone"] or "").strip() or None
    if "share_phone" in data:
        user.share_phone = bool(data["share_phone"])
    if "password" in data:
        org = user.organisation.name if user.organisation else None
        check_password_rule(data["password"], user.email, user.name, org)
        user.set_password(data["password"])
        end_sessions(user)
    if "email" in data and normalise_email(data["email"]) != user.email:
        email = normalise_email(data["email"])
        if _user_by_email(email) is not None:
            raise Conflict("This e-mail address cannot be used.")
        old = user.email
        user.email, user.email_verified_at = email, None
        with force_locale(user.locale):
            queue_email(
                old,
                _("xeco: your e-mail address was changed"),
                _(
                    "Your xeco account now uses %(email)s. If this was not you, reply at once.",
                    email=email,
                ),
            )
        send_verification(user)
    db.session.flush()
    audit.record(user, "update", user, before=before)
    return user


# --- invitations ---------------------------------------------------------------------------
def invite(actor: User, org_id: int, email: str) -> str:
    org = get_organisation(org_id)
    check_can_manage(actor, org)
    email = normalise_email(email)
    token = tokens.make(tokens.INVITE, {"o": org.id, "e": email})
    link = url_for("web.signup", invite=token, _external=True)
    # The invitee has no account, so no language of their own yet: both, the inviter's first.
    subjects, parts = [], []
    for locale in dict.fromkeys((actor.locale or "en", "en", "zh")):
        with force_locale(locale):
            subjects.append(
                _("xeco: %(name)s invites you to join %(org)s", name=actor.name, org=org.name)
            )
            parts.append(
                _(
                    "%(name)s invites you to join %(org)s on xeco. Register within seven days "
                    "with this address through this link:\n%(link)s",
                    name=actor.name,
                    org=org.name,
                    link=link,
                )
            )
    queue_email(email, subjects[0], "\n\n----\n\n".join(parts))
    audit.record(actor, "invite", org, after={"email": email})
    return token


def read_invitation(token: str, email: str) -> Organisation:
    """The organisation an invitation admits ``email`` to; an invitation for another
    address, or one already used, is refused."""
    payload = tokens.read(tokens.INVITE, token)
    if payload.get("e") != normalise_email(email):
        raise Forbidden("This invitation is for another e-mail address.")
    org = db.session.get(Organisation, payload.get("o"))
    if org is None:
        raise tokens.LinkInvalid()
    return org


def member_state(org: Organisation, email: str, invited: bool) -> Membership:
    from xeco.services.organisations import domain_admits

    return Membership.ACTIVE if invited or domain_admits(org, email) else Membership.PENDING
