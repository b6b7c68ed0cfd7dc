"""Shared schema pieces: paging, limits, vocabularies."""

from __future__ import annotations

import datetime as dt
import re

from marshmallow import ValidationError, fields, validate

from xeco.schemas.base import Schema

MAX_PER_PAGE = 100
SECTORS = (
    "advanced-manufacturing",
    "new-energy",
    "biomedicine",
    "ai-digital",
    "new-materials",
    "environment",
    "semiconductors",
    "agri-food",
    "other",
)
Sector = lambda **kw: fields.String(validate=validate.OneOf(SECTORS), **kw)  # noqa: E731


def text(
    max_len: int, min_len: int = 1, validate_also=None, multiline: bool = False, **kw
) -> fields.String:
    """A trimmed text field with a maximum length (every text field has one).

    One line unless ``multiline``: titles and names end up in e-mail headers, CSV cells and
    page headings, where a line break is at best a mess and at worst a header injection.
    """
    checks = [validate.Length(min=min_len, max=max_len)]
    if validate_also is not None:
        checks.append(validate_also)
    return Trimmed(validate=checks, multiline=multiline, **kw)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Besides the controls, whatever str.splitlines() breaks at, and tabs.
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


class Trimmed(fields.String):
    """Text without surrounding blanks or control characters (PostgreSQL refuses NUL)."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if (_CONTROL if self.multiline else _LINE_CONTROL).search(value):
            what = "control characters" if self.multiline else "line breaks or control characters"
            raise ValidationError(f"Must not contain {what}.")
        return value.strip()


class Date(fields.Date):
    """An ISO date, or a date already read: a page's date field gives one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class BoundedList(fields.List):
    """A list whose length limit is checked before its items are read.

    marshmallow reads every item and checks the length afterwards: a 1 MB body holds some
    70,000 publications, each read through its schema before "at most 50" refused them.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        limits = [v.max for v in self.validators if isinstance(v, validate.Length) and v.max]
        if limits and isinstance(value, list | tuple) and len(value) > min(limits):
            raise ValidationError(f"Longer than maximum length {min(limits)}.")
        return super()._deserialize(value, attr, data, **kwargs)


def keywords(max_items: int = 20) -> fields.List:
    return BoundedList(
        text(60),
        validate=validate.Length(max=max_items),
        metadata={"description": f"Up to {max_items} keywords, each up to 60 characters."},
    )


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ListArgs(PageArgs):
    q = text(200, metadata={"description": "Text search in title, body and keywords."})
    sector = Sector()
    mine = fields.Boolean(
        load_default=False, metadata={"description": "Only my organisation's items."}
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
            "pages": fields.Integer(required=True),
        },
        name=name,
    )


class OrganisationRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    region = fields.String(dump_only=True, allow_none=True)
