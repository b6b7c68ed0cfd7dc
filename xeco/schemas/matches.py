from __future__ import annotations

from flask import g, has_request_context
from marshmallow import fields, post_dump, validate

from xeco.matching.text import has_chinese
from xeco.models import MatchStatus, RunState
from xeco.schemas.base import Schema
from xeco.schemas.common import SECTORS, OrganisationRefSchema, PageArgs, page_schema
from xeco.schemas.conversation import ContactSchema, OutcomeSchema, RequestSchema
from xeco.services.fit import fit_label


class TermSchema(Schema):
    term = fields.String(required=True, metadata={"description": "In the challenge's words."})
    weight = fields.Float(required=True)
    counterpart = fields.String(
        required=True,
        metadata={
            "description": "The same concept in the capability's words: the term itself, "
            "or across languages its translation (锂电池 ↔ lithium battery)."
        },
    )
    cross_language = fields.Boolean(required=True)


class Explanation(fields.List):
    """Stored as [[term, weight(, counterpart)], ...]; shown as [{term, weight, ...}, ...]."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(TermSchema), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        # Built as TermSchema would dump them, without a nested dump per term: a review
        # queue page holds some two hundred terms and dumping them was most of its time.
        return [
            {
                "term": _text(t),
                "weight": None if w is None else float(w),
                "counterpart": _text(other),
                "cross_language": has_chinese(t) != has_chinese(other),
            }
            for t, w, other in ((e[0], e[1], e[2] if len(e) > 2 else e[0]) for e in value or [])
        ]


class FitLabel(fields.Field):
    """The fit word of a score. Not a ``fields.Function``: that inspects its function's
    signature on every value, twenty times per page of proposals."""

    def _serialize(self, value, attr, obj, **kwargs):
        return fit_label(value)


def _text(value) -> str | None:
    return None if value is None else str(value)


class ChallengeRefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    sector = fields.String(allow_none=True)
    visibility = fields.String()
    status = fields.String()
    organisation = fields.Nested(OrganisationRefSchema)
    created_at = fields.DateTime()


class CapabilityRefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    owner_id = fields.Integer()
    organisation = fields.Nested(OrganisationRefSchema)


class ProgrammeRefSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    organisation = fields.Nested(OrganisationRefSchema)
    amount_max = fields.Integer(allow_none=True)
    deadline = fields.Date(allow_none=True)


class MatchSchema(Schema):
    id = fields.Integer(dump_only=True)
    status = fields.Enum(MatchStatus, by_value=True, dump_only=True)
    score = fields.Float(dump_only=True)
    explanation = Explanation(
        dump_only=True,
        metadata={"description": "The shared terms that drove the score, with their weights."},
    )
    challenge = fields.Nested(ChallengeRefSchema, dump_only=True)
    capability = fields.Nested(CapabilityRefSchema, dump_only=True)
    institute = fields.Nested(CapabilityRefSchema, dump_only=True, allow_none=True)
    institute_score = fields.Float(dump_only=True, allow_none=True)
    programme = fields.Nested(ProgrammeRefSchema, dump_only=True, allow_none=True)
    programme_score = fields.Float(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    decision_reason = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Officers only."}
    )
    note_to_parties = fields.String(dump_only=True, allow_none=True)
    introduced_at = fields.DateTime(dump_only=True, allow_none=True)
    company_response = fields.String(dump_only=True, allow_none=True)
    company_note = fields.String(dump_only=True, allow_none=True)
    provider_response = fields.String(dump_only=True, allow_none=True)
    provider_note = fields.String(dump_only=True, allow_none=True)
    company_responded_at = fields.DateTime(dump_only=True, allow_none=True)
    provider_responded_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    fit = FitLabel(
        attribute="score",
        dump_only=True,
        metadata={"description": "strong, good or possible: what companies see, not the score."},
    )
    # Set on the match by the view (services/match_extras.py); absent when not set.
    contacts = fields.List(
        fields.Nested(ContactSchema),
        dump_only=True,
        metadata={"description": "Once both sides accepted: the other side (officers: both)."},
    )
    outcome = fields.Nested(
        OutcomeSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "The latest recorded outcome (one match)."},
    )
    request = fields.Nested(
        RequestSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "Set when the provider offered help (raised a hand)."},
    )

    @post_dump
    def _officers_only(self, data, **kwargs):
        # Decided here, not in each view, so no view can forget it; unknown viewers see less.
        if not viewer_is_staff():
            for name in OFFICERS_ONLY:
                data.pop(name, None)
        if viewer_role() == "company":
            for name in RAW_SCORES:
                data.pop(name, None)
        if data.get("contacts") is None:
            data.pop("contacts", None)  # absent, not empty, until both sides accepted
        return data


# What the officers write for each other; the parties never see it.
OFFICERS_ONLY = ("decision_reason",)
# Companies read how well it fits (``fit``), not the engine's numbers.
RAW_SCORES = ("score", "institute_score", "programme_score")


def viewer_role() -> str | None:
    return g.get("viewer_role") if has_request_context() else None


def viewer_is_staff() -> bool:
    """Whether this request was authenticated as an officer or admin (``signed_in`` says)."""
    return has_request_context() and bool(g.get("viewer_is_staff"))


class MatchListArgs(PageArgs):
    status = fields.Enum(MatchStatus, by_value=True)
    sector = fields.String(validate=validate.OneOf(SECTORS))
    min_score = fields.Float(validate=validate.Range(0, 1))
    max_score = fields.Float(validate=validate.Range(0, 1))
    organisation_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "Either side's organisation."},
    )
    older_than_days = fields.Integer(
        validate=validate.Range(0, 3650),
        metadata={"description": "Proposed at least this many days ago."},
    )
    challenge_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    reviewer_id = fields.Integer(
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "Challenges whose review is assigned to this officer."},
    )


MatchPageSchema = page_schema(MatchSchema, "MatchPage")


class RunSchema(Schema):
    id = fields.Integer()
    state = fields.Enum(RunState, by_value=True)
    trigger = fields.String()
    total = fields.Integer()
    done = fields.Integer()
    progress = fields.Method("_progress", metadata={"description": "done / total, 0 to 1."})
    proposals = fields.Integer()
    errors = fields.List(fields.String())
    requested_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)

    def _progress(self, run) -> float:
        if run.total:
            return round(run.done / run.total, 4)
        return 1.0 if run.finished_at else 0.0


RunPageSchema = page_schema(RunSchema, "RunPage")
