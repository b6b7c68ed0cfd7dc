"""Forms of the match page's conversation and outcome, and of the offer of help."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from xeco.labels import OUTCOME_LABELS
from xeco.schemas.conversation import MESSAGE_MAX
from xeco.web.formkit import choices


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        description=_l("Plain text; the other side and the officers read it."),
        validators=[InputRequired(), Length(max=MESSAGE_MAX)],
        render_kw={"maxlength": MESSAGE_MAX, "rows": 4},
    )


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("How did it go?"),
        choices=choices(OUTCOME_LABELS.items()),
        validators=[InputRequired()],
    )
    happened_on = DateField(_l("When (optional)"), validators=[Optional()])
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"maxlength": 2000, "rows": 2},
    )


class OfferForm(FlaskForm):
    capability_id = SelectField(_l("With which capability"), coerce=int)
    note = TextAreaField(
        _l("Why you can help (optional)"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"maxlength": 1000, "rows": 3},
    )
