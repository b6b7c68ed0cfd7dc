"""Forms for signing in and up, the language switch and the small action buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

from xeco.schemas.users import OrganisationInSchema, RegisterSchema
from xeco.services.users import MIN_PASSWORD
from xeco.web.formkit import choices, length_limits


def _max(schema, name) -> int:
    return length_limits(schema, name)[1] or 200


def email_field(autocomplete: str) -> EmailField:
    return EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": autocomplete, "maxlength": 254},
    )


class SignInForm(FlaskForm):
    # "username": password managers fill the pair they saved for this site.
    email = email_field("username")
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


ROLE_CHOICES = [
    ("company", _l("Company: I post challenges")),
    ("researcher", _l("University researcher: I offer expertise")),
    ("institute", _l("Research institute: I offer platforms and expertise")),
    ("agency", _l("Government agency: I list funding programmes")),
]


class SignUpForm(FlaskForm):
    role = RadioField(
        _l("I am joining as"), choices=choices(ROLE_CHOICES), validators=[InputRequired()]
    )
    name = StringField(
        _l("Your name"),
        validators=[InputRequired(), Length(max=_max(RegisterSchema, "name"))],
        render_kw={"autocomplete": "name", "maxlength": _max(RegisterSchema, "name")},
    )
    email = email_field("email")
    password = PasswordField(
        _l("Password"),
        description=_l("At least %(n)d characters.", n=MIN_PASSWORD),
        validators=[InputRequired(), Length(min=MIN_PASSWORD, max=128)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    organisation = StringField(
        _l("Organisation name"),
        description=_l(
            "If your organisation is registered already, you join it once its "
            "administrators approve; otherwise it is created with your account."
        ),
        validators=[InputRequired(), Length(min=2, max=_max(OrganisationInSchema, "name"))],
        render_kw={"autocomplete": "organization", "maxlength": 200},
    )
    region = StringField(
        _l("Region"),
        description=_l("Optional, for example Suzhou."),
        validators=[Optional(), Length(max=_max(OrganisationInSchema, "region"))],
        render_kw={"maxlength": 80, "autocomplete": "address-level2"},
    )
    invite = HiddenField()
    submit = SubmitField(_l("Create my account"))


class LocaleForm(FlaskForm):
    locale = HiddenField()
    next = HiddenField()

    def validate_locale(self, field):
        from xeco.web.i18n import LOCALES

        if field.data not in LOCALES:
            raise ValidationError(_l("Unknown language."))


class ActionForm(FlaskForm):
    """A button that changes something: it carries only the CSRF token."""

    submit = SubmitField(_l("Go"))


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=choices([("approve", _l("Approve")), ("reject", _l("Reject"))]),
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Required to reject; the parties do not see it."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"maxlength": 2000, "rows": 2},
    )
    note = TextAreaField(
        _l("Note to both parties"),
        description=_l("Optional; sent with the introduction."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"maxlength": 2000, "rows": 2},
    )
    next = HiddenField()


class ResponseForm(FlaskForm):
    response = SelectField(
        _l("Your answer"),
        choices=choices([("accept", _l("Accept the introduction")), ("decline", _l("Decline"))]),
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Note"),
        description=_l("Optional; the other party and the officer see it."),
        validators=[Optional(), Length(max=2000)],
        render_kw={"maxlength": 2000, "rows": 3},
    )
