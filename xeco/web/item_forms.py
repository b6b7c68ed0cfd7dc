"""The forms for challenges, capabilities and programmes.

Limits (lengths, ranges, choices) come from the API schemas, so a page and the API refuse
the same things; the schemas check the data again when the form is sent.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from xeco.models import CURRENCIES
from xeco.schemas.capabilities import CapabilitySchema
from xeco.schemas.challenges import ChallengeSchema
from xeco.schemas.common import SECTORS
from xeco.schemas.programmes import ProgrammeSchema
from xeco.web import publications as pubs
from xeco.web.formkit import ListField, choices, length_limits
from xeco.web.labels import SECTOR_LABELS

MAX_AMOUNT = 10**12


def text(schema, name, label, help_text, area=False, rows=6):
    """A text field whose length limits and help come from the schema."""
    low, high = length_limits(schema, name)
    required = schema._declared_fields[name].required
    checks = [InputRequired()] if required else [Optional()]
    checks.append(Length(min=low or 0, max=high or 10_000))
    limits = _l("Up to %(n)s characters.", n=f"{high:,}") if high else ""
    # Joined when rendered, so both halves are in the reader's language.
    description = LazyString(lambda: f"{help_text or ''} {limits}".strip())
    kw = {"maxlength": high}
    if required and low:
        kw["minlength"] = low
    if area:
        kw["rows"] = rows
        return TextAreaField(label, validators=checks, description=description, render_kw=kw)
    return StringField(label, validators=checks, description=description, render_kw=kw)


def keywords_field():
    return ListField(
        _l("Keywords"),
        description=_l("Up to 20, separated by commas; each up to 60 characters."),
        validators=[Optional()],
        max_chars=20 * 62,
    )


class PublicationsField(TextAreaField):
    """The publications as lines of "Title | year | DOI"; a form made from an item shows its own."""

    def process_data(self, value) -> None:
        self.data = value if isinstance(value, str) or value is None else pubs.as_lines(value)


def sector_choices(blank: bool):
    pairs = [(s, SECTOR_LABELS[s]) for s in SECTORS]
    return choices([("", _l("— Choose —")), *pairs] if blank else pairs)


class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def money(label):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(0, MAX_AMOUNT)],
        render_kw={"min": 0, "inputmode": "numeric"},
    )


class ChallengeForm(FlaskForm):
    title = text(ChallengeSchema, "title", _l("Title"), _l("One line that names the need."))
    description = text(
        ChallengeSchema,
        "description",
        _l("Description"),
        _l("What you need solved, constraints, what success looks like. Chinese or English."),
        area=True,
        rows=10,
    )
    keywords = keywords_field()
    sector = SelectField(_l("Sector"), choices=sector_choices(True), validators=[Optional()])
    region = text(ChallengeSchema, "region", _l("Region"), _l("Where the work happens."))
    trl = SelectField(
        _l("Technology readiness wanted"),
        description=_l("TRL 1 is basic research, 9 a proven system in operation."),
        choices=choices([("", _l("— Not sure —"))] + [(str(i), f"TRL {i}") for i in range(1, 10)]),
        validators=[Optional()],
    )
    budget_min = money(_l("Budget from"))
    budget_max = money(_l("Budget up to"))
    currency = SelectField(
        _l("Currency"), choices=choices((c, c) for c in CURRENCIES), default=CURRENCIES[0]
    )
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    visibility = RadioField(
        _l("Who may read it"),
        choices=choices(
            [
                ("public", _l("Public: every signed-in user")),
                ("restricted", _l("Restricted: officers only, until a match is approved")),
            ]
        ),
        default="public",
        validators=[InputRequired()],
    )


class CapabilityForm(FlaskForm):
    title = text(CapabilitySchema, "title", _l("Title"), _l("What you offer, in one line."))
    summary = text(
        CapabilitySchema,
        "summary",
        _l("Summary"),
        _l("Expertise, methods, results, typical projects. Chinese or English."),
        area=True,
        rows=10,
    )
    keywords = keywords_field()
    sectors = MultiCheckbox(_l("Sectors"), choices=sector_choices(False))
    equipment = text(
        CapabilitySchema,
        "equipment",
        _l("Equipment and platforms"),
        _l("Optional."),
        area=True,
        rows=3,
    )
    region = text(CapabilitySchema, "region", _l("Region"), "")
    capacity = IntegerField(
        _l("Capacity"),
        description=_l("How many active collaborations you can take (0 to 100)."),
        default=3,
        validators=[Optional(), NumberRange(0, 100)],
        render_kw={"min": 0, "max": 100},
    )
    publications = PublicationsField(
        _l("Publications"),
        description=_l(
            'One per line: "Title | year | DOI". Year and DOI may be left out. Up to 50.'
        ),
        validators=[Optional(), Length(max=60_000)],
        render_kw={"rows": 6, "maxlength": 60_000},
    )
    publications_file = FileField(
        _l("Or upload a BibTeX or CSV file"),
        description=_l(
            "Added to the list above. CSV columns: title, year, doi (abstract, venue, "
            "authors optional). Up to 512 KB."
        ),
        validators=[
            FileAllowed(["bib", "bibtex", "csv", "txt"], _l("Upload a .bib or .csv file.")),
            FileSize(512 * 1024, message=_l("The file is larger than 512 KB.")),
        ],
    )


class ProgrammeForm(FlaskForm):
    title = text(ProgrammeSchema, "title", _l("Title"), _l("The programme's name."))
    summary = text(
        ProgrammeSchema,
        "summary",
        _l("Summary"),
        _l("Who may apply, for what, on what terms."),
        area=True,
        rows=10,
    )
    keywords = keywords_field()
    sectors = MultiCheckbox(
        _l("Eligible sectors"),
        description=_l("None ticked means every sector."),
        choices=sector_choices(False),
    )
    regions = ListField(
        _l("Eligible regions"),
        description=_l("Separated by commas; empty means anywhere."),
        validators=[Optional()],
        max_chars=50 * 82,
    )
    amount_min = money(_l("Amount from"))
    amount_max = money(_l("Amount up to"))
    currency = SelectField(
        _l("Currency"), choices=choices((c, c) for c in CURRENCIES), default=CURRENCIES[0]
    )
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    url = StringField(
        _l("Web page"),
        description=_l("Optional: the official page, starting with https://."),
        validators=[Optional(), Length(max=300)],
        render_kw={"maxlength": 300, "inputmode": "url"},
    )
