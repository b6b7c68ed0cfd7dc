from __future__ import annotations

from marshmallow import fields, validate

from xeco.models import SELF_REGISTER_ROLES, Role
from xeco.schemas.base import Schema
from xeco.schemas.common import OrganisationRefSchema, text


class OrganisationInSchema(Schema):
    name = text(200, min_len=2, required=True)
    region = text(80)
    website = fields.URL(validate=validate.Length(max=300))
    description = text(2000, multiline=True)


class RegisterSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))
    name = text(120, required=True)
    role = fields.String(
        required=True, validate=validate.OneOf([r.value for r in SELF_REGISTER_ROLES])
    )
    organisation = fields.Nested(OrganisationInSchema, required=True)
    locale = fields.String(load_default="en", validate=validate.OneOf(["en", "zh"]))
    invitation = fields.String(
        load_only=True,
        validate=validate.Length(max=1000),
        metadata={"description": "The token of an invitation link: joins its organisation."},
    )


class RegistrationSchema(Schema):
    """The same for every registration: it never says whether the address was new."""

    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    organisation = fields.Function(
        lambda r: {"name": r.organisation_name}, dump_only=True, metadata={"type": "object"}
    )
    membership = fields.Function(
        lambda r: r.membership.value,
        dump_only=True,
        metadata={
            "type": "string",
            "description": "pending when joining an organisation waits for its administrators.",
        },
    )
    message = fields.Function(
        lambda r: (
            "A link to confirm the address is on its way to it; follow it to sign in. If the "
            "address has an account already, its owner is told instead."
        ),
        dump_only=True,
        metadata={"type": "string"},
    )


class StaffCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))
    name = text(120, required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    organisation_id = fields.Integer(
        metadata={"description": "Existing organisation (required for non-staff roles)."}
    )
    locale = fields.String(load_default="en", validate=validate.OneOf(["en", "zh"]))


class UserUpdateSchema(Schema):
    name = text(120)
    active = fields.Boolean()
    locale = fields.String(validate=validate.OneOf(["en", "zh"]))


class TokenRequestSchema(Schema):
    email = text(254, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 128))


class RevokeArgs(Schema):
    everywhere = fields.Boolean(
        load_default=False,
        metadata={"description": "Also end every other token and signed-in page session."},
    )


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    locale = fields.String(dump_only=True)
    active = fields.Boolean(dump_only=True)
    membership = fields.String(
        dump_only=True,
        metadata={"description": "pending until the organisation approves; then active."},
    )
    org_admin = fields.Boolean(dump_only=True)
    email_verified = fields.Boolean(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    share_phone = fields.Boolean(dump_only=True)
    organisation = fields.Nested(OrganisationRefSchema, dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
