from __future__ import annotations

from marshmallow import Schema, fields, validate

from xeco.schemas.common import text


class LinkTokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 1000))


class ResetRequestSchema(Schema):
    email = text(254, required=True)


class ResetSchema(LinkTokenSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))


class MeUpdateSchema(Schema):
    name = text(120)
    locale = fields.String(validate=validate.OneOf(["en", "zh"]))
    email = fields.Email(validate=validate.Length(max=254))
    password = fields.String(load_only=True, validate=validate.Length(8, 128))
    current_password = fields.String(
        load_only=True,
        validate=validate.Length(1, 128),
        metadata={"description": "Required to change the password or the e-mail address."},
    )


class AcceptedSchema(Schema):
    message = fields.String(dump_only=True)
