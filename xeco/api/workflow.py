"""The officers' workflow over HTTP: decisions, responses, notes, reviewers."""

from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.models import PROVIDER_ROLES, STAFF_ROLES, Role
from xeco.schemas.challenges import ChallengeSchema
from xeco.schemas.matches import MatchSchema
from xeco.schemas.workflow import (
    BulkDecisionSchema,
    BulkResultsSchema,
    DecisionSchema,
    NoteInSchema,
    NoteSchema,
    ResponseSchema,
    ReviewerSchema,
)
from xeco.services import workflow

PATH = "/matches"
blp = Blueprint("workflow", __name__, description="Review decisions and the parties' responses.")


@blp.route("/<id:match_id>/decision")
class Decision(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.arguments(DecisionSchema)
    @blp.response(200, MatchSchema)
    @blp.alt_response(409, description="The match is not awaiting a decision.")
    def post(self, data, match_id):
        """Approve (introduces the parties) or reject (a reason is required)."""
        match = workflow.decide(me(), match_id, **data)
        return match


@blp.route("/decisions")
class BulkDecision(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.arguments(BulkDecisionSchema)
    @blp.response(200, BulkResultsSchema)
    def post(self, data):
        """Decide several matches at once; each succeeds or fails on its own."""
        ids = data.pop("ids")
        results = workflow.decide_many(me(), ids, **data)
        return {"results": results}


@blp.route("/<id:match_id>/response")
class MatchResponse(MethodView):
    @signed_in(Role.COMPANY, *PROVIDER_ROLES)
    @blp.arguments(ResponseSchema)
    @blp.response(200, MatchSchema)
    @blp.alt_response(409, description="Not introduced, or you responded already.")
    def post(self, data, match_id):
        """Accept or decline an introduction; both accepting marks the challenge matched."""
        match = workflow.respond(me(), match_id, **data)
        return match


@blp.route("/<id:match_id>/notes")
class Notes(MethodView):
    @signed_in(*STAFF_ROLES)
    @blp.response(200, NoteSchema(many=True))
    def get(self, match_id):
        """Officers' notes on a match, oldest first."""
        return workflow.notes(me(), match_id)

    @signed_in(*STAFF_ROLES)
    @blp.arguments(NoteInSchema)
    @blp.response(201, NoteSchema)
    def post(self, data, match_id):
        """Add a note."""
        note = workflow.add_note(me(), match_id, data["body"])
        return note


reviewer_blp = Blueprint("reviewer", __name__, description="Who reviews a challenge.")


@reviewer_blp.route("/<id:challenge_id>/reviewer")
class Reviewer(MethodView):
    @signed_in(*STAFF_ROLES)
    @reviewer_blp.arguments(ReviewerSchema)
    @reviewer_blp.response(200, ChallengeSchema)
    def put(self, data, challenge_id):
        """Assign (or reassign) the review of a challenge's proposals to an officer."""
        challenge = workflow.assign_reviewer(me(), challenge_id, data["reviewer_id"])
        return challenge
