from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from xeco.models import CURRENCIES, ChallengeStatus, Visibility
from xeco.schemas.base import Schema
from xeco.schemas.common import (
    Date,
    ListArgs,
    OrganisationRefSchema,
    Sector,
    keywords,
    page_schema,
    text,
)
from xeco.services.listing import DEFAULT_SORT

SORTS = (
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "deadline",
    "-deadline",
)


def check_range(data: dict, low: str, high: str) -> None:
    lo, hi = data.get(low), data.get(high)
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(f"Must not be below {low}.", high)


class ChallengeSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = text(200, min_len=3, required=True)
    description = text(10_000, min_len=10, required=True, multiline=True)
    keywords = keywords()
    sector = Sector(allow_none=True)
    region = text(80, allow_none=True)
    language = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Detected from the text: en, zh or mixed."},
    )
    trl = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 9),
        metadata={"description": "Technology readiness level wanted, 1-9."},
    )
    budget_min = fields.Integer(allow_none=True, validate=validate.Range(0, 10**12))
    budget_max = fields.Integer(allow_none=True, validate=validate.Range(0, 10**12))
    currency = fields.String(validate=validate.OneOf(CURRENCIES))
    deadline = Date(allow_none=True)
    visibility = fields.Enum(Visibility, by_value=True)
    status = fields.Enum(ChallengeStatus, by_value=True, dump_only=True)
    organisation = fields.Nested(OrganisationRefSchema, dump_only=True)
    author_id = fields.Integer(dump_only=True)
    reviewer_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)

    @validates_schema(skip_on_field_errors=False)  # a range error shows with the others
    def _budget(self, data, **kwargs):
        check_range(data, "budget_min", "budget_max")


class ChallengeListArgs(ListArgs):
    status = fields.Enum(ChallengeStatus, by_value=True)
    visibility = fields.Enum(Visibility, by_value=True)
    sort = fields.String(load_default=DEFAULT_SORT, validate=validate.OneOf(SORTS))


ChallengePageSchema = page_schema(ChallengeSchema, "ChallengePage")
