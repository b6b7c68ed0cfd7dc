from __future__ import annotations

from marshmallow import fields, validate

from xeco.models import CapabilityKind, CapabilityStatus
from xeco.schemas.base import Schema
from xeco.schemas.common import (
    SECTORS,
    BoundedList,
    ListArgs,
    OrganisationRefSchema,
    keywords,
    page_schema,
    text,
)
from xeco.services.listing import DEFAULT_SORT

SORTS = ("created_at", "-created_at", "updated_at", "-updated_at", "title", "-title")


class PublicationSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = text(500, required=True)
    abstract = text(5000, allow_none=True, multiline=True)
    year = fields.Integer(allow_none=True, validate=validate.Range(1900, 2100))
    doi = text(
        200,
        allow_none=True,
        validate_also=validate.Regexp(r"^10\.\d{4,9}/\S+$", error="Not a DOI (10.xxxx/...)."),
    )
    venue = text(300, allow_none=True)
    authors = text(1000, allow_none=True)


class CapabilitySchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.Enum(CapabilityKind, by_value=True, dump_only=True)
    title = text(200, min_len=3, required=True)
    summary = text(10_000, min_len=10, required=True, multiline=True)
    keywords = keywords()
    sectors = BoundedList(
        fields.String(validate=validate.OneOf(SECTORS)), validate=validate.Length(max=len(SECTORS))
    )
    equipment = text(2000, allow_none=True, multiline=True)
    region = text(80, allow_none=True)
    capacity = fields.Integer(
        validate=validate.Range(0, 100),
        metadata={"description": "Active collaborations this capability can take."},
    )
    publications = BoundedList(fields.Nested(PublicationSchema), validate=validate.Length(max=50))
    status = fields.Enum(CapabilityStatus, by_value=True, dump_only=True)
    organisation = fields.Nested(OrganisationRefSchema, dump_only=True)
    owner_id = fields.Integer(dump_only=True)
    language = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Detected from the text: en, zh or mixed."},
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CapabilityListArgs(ListArgs):
    status = fields.Enum(CapabilityStatus, by_value=True)
    kind = fields.Enum(CapabilityKind, by_value=True)
    sort = fields.String(load_default=DEFAULT_SORT, validate=validate.OneOf(SORTS))


CapabilityPageSchema = page_schema(CapabilitySchema, "CapabilityPage")
