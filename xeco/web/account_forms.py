"""Forms of the account pages: settings, password reset, members, administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional

from xeco.services.users import MIN_PASSWORD
from xeco.web.formkit import choices


def _new_password(label):
    return PasswordField(
        label,
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD),
        validators=[InputRequired(), Length(min=MIN_PASSWORD, max=128)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD},
    )


def _confirm():
    return PasswordField(
        _l("Password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def _current():
    return PasswordField(
        _l("Current password"),
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


class ResetForm(FlaskForm):
    password = _new_password(_l("New password"))
    confirm = _confirm()
    submit = SubmitField(_l("Save the new password"))


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=120)],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    locale = SelectField(
        _l("Language"),
        choices=choices([("en", "English"), ("zh", "中文")]),
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Save"))


class ContactForm(FlaskForm):
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "tel", "maxlength": 40, "inputmode": "tel"},
    )
    share_phone = BooleanField(
        _l("Share my phone with the other side once both accepted an introduction")
    )


class PasswordForm(FlaskForm):
    current_password = _current()
    password = _new_password(_l("New password"))
    confirm = _confirm()
    submit = SubmitField(_l("Change the password"))


class EmailForm(FlaskForm):
    email = EmailField(
        _l("New e-mail address"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    current_password = _current()
    submit = SubmitField(_l("Change the address"))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address to invite"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"maxlength": 254},
    )
    submit = SubmitField(_l("Send the invitation"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class DomainsForm(FlaskForm):
    email_domains = StringField(
        _l("Verified e-mail domains"),
        description=_l("Separated by commas, for example suda.edu.cn."),
        validators=[Optional(), Length(max=2000)],
    )
    verified = SelectField(
        _l("Verified organisation"),
        choices=choices([("no", _l("No")), ("yes", _l("Yes"))]),
    )
    submit = SubmitField(_l("Save"))


class MergeForm(FlaskForm):
    into = StringField(
        _l("Id of the organisation to merge this one into"),
        validators=[InputRequired(), Length(max=10)],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Merge"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))
    next = HiddenField()
    submit = SubmitField(_l("Change the role"))
