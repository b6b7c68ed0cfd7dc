from __future__ import annotations

from marshmallow import fields, validate

from xeco.models import Membership
from xeco.schemas.base import Schema
from xeco.schemas.common import BoundedList, PageArgs, text


class MemberArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([m.value for m in Membership]))


class OrganisationSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    region = fields.String(dump_only=True, allow_none=True)
    website = fields.String(dump_only=True, allow_none=True)
    verified = fields.Boolean(dump_only=True)
    email_domains = fields.List(fields.String(), dump_only=True)


class OrganisationUpdateSchema(Schema):
    verified = fields.Boolean()
    email_domains = BoundedList(
        text(253),
        validate=validate.Length(max=20),
        metadata={"description": "Registrants with a verified address here join at once."},
    )


class OrgAdminSchema(Schema):
    org_admin = fields.Boolean(required=True)


class InviteSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class InvitedSchema(Schema):
    email = fields.String(dump_only=True)
