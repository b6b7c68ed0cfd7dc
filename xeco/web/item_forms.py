"""The forms for challenges, capabilities and programmes.

Limits (lengths, ranges, choices) come from the API schemas, so a page and the API refuse
the same things. The fields give the values the schemas take (see ``xeco.web.fields``), so
what a page sends is ``form.payload``, and the schemas check it again.
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
    StringField,
    TextAreaField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from xeco.models import CURRENCIES
from xeco.schemas.capabilities import CapabilitySchema
from xeco.schemas.challenges import ChallengeSchema
from xeco.schemas.common import SECTORS
from xeco.schemas.programmes import ProgrammeSchema
from xeco.web.fields import (
    OPTIONAL_TEXT,
    ListField,
    MultiCheckbox,
    PublicationsField,
    fallback,
    int_or_none,
    none_if_blank,
)
from xeco.web.formkit import choices, length_limits
from xeco.web.labels import SECTOR_LABELS

MAX_AMOUNT = 10**12
CAPACITY = 3  # what a capability takes when its owner leaves the number blank


def text(schema, name, label, help_text, area=False, rows=6):
    """A text field whose length limits and help come from the schema; left blank, an
    optional one gives None (the schema's least length is one character)."""
    low, high = length_limits(schema, name)
    required = schema._declared_fields[name].required
    checks = [InputRequired()] if required else [Optional()]
    filters = () if required else OPTIONAL_TEXT
    checks.append(Length(min=low or 0, max=high or 10_000))
    limits = _l("Up to %(n)s characters.", n=f"{high:,}") if high else ""
    # Joined when rendered, so both halves are in the reader's language.
    description = LazyString(lambda: f"{help_text or ''} {limits}".strip())
    kw = {"maxlength": high}
    if required and low:
        kw["minlength"] = low
    if area:
        kw["rows"] = rows
    field = TextAreaField if area else StringField
    return field(label, validators=checks, filters=filters, description=description, render_kw=kw)


def keywords_field():
    return ListField(
        _l("Keywords"),
        description=_l("Up to 20, separated by commas; each up to 60 characters."),
        validators=[Optional()],
        max_chars=20 * 62,
    )


def sector_choices(blank: bool):
    pairs = [(s, SECTOR_LABELS[s]) for s in SECTORS]
    return choices([("", _l("— Choose —")), *pairs] if blank else pairs)


def money(label):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(0, MAX_AMOUNT)],
        render_kw={"min": 0, "inputmode": "numeric"},
    )


class ItemForm(FlaskForm):
    """The form that makes a new item, or edits the one given as ``obj``.

    A first look shows the item as stored. A post is read as it was sent: a field left out
    of it is empty, never the stored value; only the fields named in ``compared`` get the
    stored value under what was sent, to tell what changed.
    """

    compared: tuple[str, ...] = ()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        formdata = self.meta.wrap_formdata(self, formdata)
        if formdata is not None and obj is not None:
            data = {name: getattr(obj, name) for name in self.compared}
            obj = None
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    @property
    def payload(self) -> dict:
        """The data for the schema: without the token, the files, and what an edit left as
        stored (a field's ``unchanged``)."""
        return {
            field.short_name: field.data
            for field in self
            if not isinstance(field, CSRFTokenField | FileField)
            and not getattr(field, "unchanged", False)
        }


class ChallengeForm(ItemForm):
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
    sector = SelectField(
        _l("Sector"), choices=sector_choices(True), coerce=none_if_blank, validators=[Optional()]
    )
    region = text(ChallengeSchema, "region", _l("Region"), _l("Where the work happens."))
    trl = SelectField(
        _l("Technology readiness wanted"),
        description=_l("TRL 1 is basic research, 9 a proven system in operation."),
        choices=choices([("", _l("— Not sure —"))] + [(str(i), f"TRL {i}") for i in range(1, 10)]),
        coerce=int_or_none,
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


class CapabilityForm(ItemForm):
    compared = ("publications",)  # lines left as they were keep their abstracts

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
    sectors = MultiCheckbox(_l("Sectors"), choices=sector_choices(False), default=())
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
        default=CAPACITY,
        validators=[Optional(), NumberRange(0, 100)],
        filters=[fallback(CAPACITY)],
        render_kw={"min": 0, "max": 100},
    )
    publications = PublicationsField(
        _l("Publications"),
        description=_l(
            'One per line: "Title | year | DOI". Year and DOI may be left out. Up to 50.'
        ),
        max_chars=60_000,
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

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        if self.publications_file.data:
            self.publications.add(self.publications_file.data)


class ProgrammeForm(ItemForm):
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
        default=(),
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
        filters=OPTIONAL_TEXT,
        render_kw={"maxlength": 300, "inputmode": "url"},
    )
