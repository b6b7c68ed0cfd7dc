from __future__ import annotations

from marshmallow import fields, validate, validates_schema

from xeco.models import CURRENCIES, ProgrammeStatus
from xeco.schemas.base import Schema
from xeco.schemas.challenges import check_range
from xeco.schemas.common import (
    SECTORS,
    BoundedList,
    Date,
    ListArgs,
    OrganisationRefSchema,
    keywords,
    page_schema,
    text,
)
from xeco.services.listing import DEFAULT_SORT

SORTS = ("created_at", "-created_at", "deadline", "-deadline", "title", "-title")


class ProgrammeSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = text(200, min_len=3, required=True)
    summary = text(10_000, min_len=10, required=True, multiline=True)
    keywords = keywords()
    sectors = BoundedList(
        fields.String(validate=validate.OneOf(SECTORS)),
        validate=validate.Length(max=len(SECTORS)),
        metadata={"description": "Eligible sectors; empty means any."},
    )
    regions = BoundedList(
        text(80),
        validate=validate.Length(max=50),
        metadata={"description": "Eligible regions; empty means any."},
    )
    amount_min = fields.Integer(allow_none=True, validate=validate.Range(0, 10**12))
    amount_max = fields.Integer(allow_none=True, validate=validate.Range(0, 10**12))
    currency = fields.String(validate=validate.OneOf(CURRENCIES))
    deadline = Date(allow_none=True)
    url = fields.URL(allow_none=True, validate=validate.Length(max=300))
    status = fields.Enum(ProgrammeStatus, by_value=True, dump_only=True)
    organisation = fields.Nested(OrganisationRefSchema, dump_only=True)
    owner_id = fields.Integer(dump_only=True)
    language = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Detected from the text: en, zh or mixed."},
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @validates_schema(skip_on_field_errors=False)  # a range error shows with the others
    def _amount(self, data, **kwargs):
        check_range(data, "amount_min", "amount_max")


class ProgrammeListArgs(ListArgs):
    status = fields.Enum(ProgrammeStatus, by_value=True)
    region = text(80)
    sort = fields.String(load_default=DEFAULT_SORT, validate=validate.OneOf(SORTS))


ProgrammePageSchema = page_schema(ProgrammeSchema, "ProgrammePage")
