"""Contacts, the conversation, outcomes, offers and advice: what follows an introduction."""

from __future__ import annotations

from marshmallow import fields, validate

from xeco.models import Outcome
from xeco.schemas.base import Schema
from xeco.schemas.common import PageArgs, page_schema, text

# The API's limit; MESSAGE_MAX_CHARS (the service's) is the same by default.
MESSAGE_MAX = 4000


class ContactSchema(Schema):
    side = fields.String(metadata={"description": "company or provider"})
    name = fields.String()
    organisation = fields.String()
    email = fields.String()
    phone = fields.String(metadata={"description": "Only when its owner chose to share it."})


class MessageInSchema(Schema):
    body = text(MESSAGE_MAX, required=True, multiline=True, metadata={"description": "Plain text."})


class AuthorSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()


class MessageSchema(Schema):
    id = fields.Integer()
    match_id = fields.Integer()
    author = fields.Nested(AuthorSchema, allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()


MessagePageSchema = page_schema(MessageSchema, "MessagePage")


class MessageArgs(PageArgs):
    pass


class OutcomeInSchema(Schema):
    outcome = fields.Enum(Outcome, by_value=True, required=True)
    note = text(2000, multiline=True, allow_none=True)
    happened_on = fields.Date(allow_none=True, metadata={"description": "When it happened."})


class OutcomeSchema(Schema):
    id = fields.Integer()
    match_id = fields.Integer()
    outcome = fields.Enum(Outcome, by_value=True)
    note = fields.String(allow_none=True)
    happened_on = fields.Date(allow_none=True)
    recorded_by = fields.Nested(AuthorSchema, allow_none=True)
    created_at = fields.DateTime()


class OfferInSchema(Schema):
    note = text(1000, multiline=True, allow_none=True, metadata={"description": "Why you fit."})
    capability_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "Which of your capabilities; by default the best-scoring."},
    )


class RequestSchema(Schema):
    requested_by_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class AdviceSchema(Schema):
    state = fields.String(
        metadata={
            "description": "matched, in_review (proposals with the officers), matching (not "
            "scored yet) or nothing_yet"
        }
    )
    tips = fields.List(
        fields.String(),
        metadata={"description": "What helps: keywords, description, other_language."},
    )
    language = fields.String(allow_none=True)
