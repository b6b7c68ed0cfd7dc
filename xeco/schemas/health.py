from marshmallow import fields

from xeco.schemas.base import Schema


class DependencySchema(Schema):
    ok = fields.Boolean(required=True)
    kind = fields.String()
    detail = fields.String()
    latency_ms = fields.Float()


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "degraded"]})
    database = fields.Nested(DependencySchema, required=True)
    broker = fields.Nested(DependencySchema, required=True)
    worker = fields.Nested(DependencySchema)
    pending_jobs = fields.Integer(metadata={"description": "Outbox jobs not yet sent."})
    waiting_for_matching = fields.Integer(
        metadata={"description": "Challenges posted or changed and not yet matched as they are."}
    )
    indexes = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Bytes of the newest stored fit of each matcher index."},
    )
