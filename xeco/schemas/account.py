from __future__ import annotations

from marshmallow import fields, validate

from xeco.schemas.base import Schema
from xeco.schemas.common import text


class LinkTokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 1000))


class ResetRequestSchema(Schema):
    email = text(254, required=True)


class ResetSchema(LinkTokenSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))


# Digits with the usual separators and an optional leading +: what people type.
PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()./-]{3,38}$", error="Not a valid phone number.")


class MeUpdateSchema(Schema):
    name = text(120)
    phone = text(
        40,
        allow_none=True,
        validate_also=PHONE,
        metadata={
            "description": "Shown to the other side of an accepted introduction only "
            "with share_phone."
        },
    )
    share_phone = fields.Boolean()
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
