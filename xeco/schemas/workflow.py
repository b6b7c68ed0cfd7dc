from __future__ import annotations

from marshmallow import fields, validate

from xeco.schemas.base import Schema
from xeco.schemas.common import BoundedList, PageArgs, page_schema, text


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = text(2000, multiline=True, metadata={"description": "Required to reject."})
    note = text(2000, multiline=True, metadata={"description": "An optional note to the parties."})


class BulkDecisionSchema(DecisionSchema):
    ids = BoundedList(
        fields.Integer(validate=validate.Range(1, 2**31 - 1)),
        required=True,
        validate=validate.Length(1, 200),
    )


class BulkResultSchema(Schema):
    id = fields.Integer(required=True)
    status = fields.String()
    error = fields.String()
    code = fields.Integer()


class BulkResultsSchema(Schema):
    results = fields.List(fields.Nested(BulkResultSchema), required=True)


class ResponseSchema(Schema):
    response = fields.String(required=True, validate=validate.OneOf(["accept", "decline"]))
    note = text(2000, multiline=True)


class NoteInSchema(Schema):
    body = text(5000, required=True, multiline=True)


class NoteSchema(Schema):
    id = fields.Integer()
    match_id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()


class ReviewerSchema(Schema):
    reviewer_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "What happened: introduced, message, ..."})
    title = fields.String(metadata={"description": "In the reader's language."})
    body = fields.String(allow_none=True)
    match_id = fields.Integer(allow_none=True)
    link = fields.String(allow_none=True, metadata={"description": "The page it is about."})
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class NotificationArgs(PageArgs):
    unread = fields.Boolean(metadata={"description": "true: only unread; false: only read."})


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPage")


class AuditSchema(Schema):
    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    created_at = fields.DateTime()


class AuditArgs(PageArgs):
    object = fields.String(
        validate=validate.OneOf(
            ["users", "challenges", "capabilities", "programmes", "matches", "matching_runs"]
        )
    )
    object_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    actor_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    action = fields.String(validate=validate.Length(max=40))


AuditPageSchema = page_schema(AuditSchema, "AuditPage")


class HoursSchema(Schema):
    median = fields.Float(allow_none=True)
    mean = fields.Float(allow_none=True)
    n = fields.Integer()


class FunnelRowSchema(Schema):
    month = fields.String()
    sector = fields.String()
    proposed = fields.Integer()
    approved = fields.Integer(metadata={"description": "Approved, or further."})
    accepted = fields.Integer(metadata={"description": "Both sides accepted."})
    agreement = fields.Integer(
        metadata={"description": "An agreement signed or a project started."}
    )


class SummarySchema(Schema):
    total = fields.Integer()
    challenges = fields.Integer()
    capabilities = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_sector = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_month = fields.List(fields.Dict())
    by_sector_month = fields.List(fields.Dict())
    time_to_first_proposal_hours = fields.Nested(HoursSchema)
    time_to_decision_hours = fields.Nested(HoursSchema)
    funnel = fields.List(fields.Nested(FunnelRowSchema))
