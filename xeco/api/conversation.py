"""After the introduction over HTTP: the conversation, outcomes, offers of help, advice."""

from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.security import me, signed_in
from xeco.models import PROVIDER_ROLES, STAFF_ROLES, Role
from xeco.schemas.conversation import (
    AdviceSchema,
    MessageArgs,
    MessageInSchema,
    MessagePageSchema,
    MessageSchema,
    OfferInSchema,
    OutcomeInSchema,
    OutcomeSchema,
)
from xeco.schemas.matches import MatchSchema
from xeco.services import advice, conversation, hands, match_extras, outcomes

PATH = "/matches"
# Who takes part in a match: its two sides and the officers (agencies never do).
PARTICIPANTS = (Role.COMPANY, *PROVIDER_ROLES, *STAFF_ROLES)
blp = Blueprint(
    "conversation", __name__, description="The conversation and outcome of an introduction."
)


@blp.route("/<id:match_id>/messages")
class Messages(MethodView):
    @signed_in(*PARTICIPANTS)
    @blp.arguments(MessageArgs, location="query")
    @blp.response(200, MessagePageSchema)
    @blp.alt_response(409, description="The parties are not introduced yet.")
    def get(self, args, match_id):
        """The conversation, oldest first: the two parties and the officers, once introduced."""
        return conversation.messages(me(), match_id, args["page"], args["per_page"])

    @signed_in(*PARTICIPANTS)
    @blp.arguments(MessageInSchema)
    @blp.response(201, MessageSchema)
    @blp.alt_response(409, description="The parties are not introduced yet.")
    def post(self, data, match_id):
        """Write to the others (plain text). They are notified in-app, and by e-mail at most
        once an hour per conversation."""
        message = conversation.post(me(), match_id, data["body"])
        return message


@blp.route("/<id:match_id>/outcomes")
class Outcomes(MethodView):
    @signed_in(*PARTICIPANTS)
    @blp.response(200, OutcomeSchema(many=True))
    def get(self, match_id):
        """How it went, newest first (the first is the match's outcome)."""
        return outcomes.history(me(), match_id)

    @signed_in(*PARTICIPANTS)
    @blp.arguments(OutcomeInSchema)
    @blp.response(201, OutcomeSchema)
    @blp.alt_response(409, description="The parties are not introduced yet.")
    def post(self, data, match_id):
        """Record how it went: talking, agreement, started (project started) or no_deal."""
        row = outcomes.record(
            me(), match_id, data["outcome"].value, data.get("note"), data.get("happened_on")
        )
        return row


challenge_blp = Blueprint(
    "offers", __name__, description="Offers of help on public challenges, and advice."
)


@challenge_blp.route("/<id:challenge_id>/offers")
class Offers(MethodView):
    @signed_in(*PROVIDER_ROLES)
    @challenge_blp.arguments(OfferInSchema)
    @challenge_blp.response(201, MatchSchema)
    @challenge_blp.alt_response(409, description="Paired already, or no active capability.")
    def post(self, data, challenge_id):
        """ "We can help": a proposal in the officers' queue, marked as requested by you, with
        the engine's score and terms for the pair."""
        match = hands.offer(me(), challenge_id, data.get("note"), data.get("capability_id"))
        return match_extras.attach(me(), [match])[0]


@challenge_blp.route("/<id:challenge_id>/advice")
class Advice(MethodView):
    @signed_in(Role.COMPANY, *STAFF_ROLES)
    @challenge_blp.response(200, AdviceSchema)
    def get(self, challenge_id):
        """Where the challenge stands and what helps it find a match."""
        return advice.for_challenge(me(), challenge_id)
