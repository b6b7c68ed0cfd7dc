from __future__ import annotations

from flask.views import MethodView

from xeco.api.blueprint import Blueprint
from xeco.api.caching import per_viewer
from xeco.api.security import me, signed_in
from xeco.models import STAFF_ROLES
from xeco.schemas.matches import MatchListArgs, MatchPageSchema, MatchSchema
from xeco.services import match_extras
from xeco.services import matches as service

PATH = "/matches"
blp = Blueprint("matches", __name__, description="Proposed matches and their review.")


@blp.route("")
class Matches(MethodView):
    @signed_in(*STAFF_ROLES)
    @per_viewer
    @blp.arguments(MatchListArgs, location="query")
    @blp.response(200, MatchPageSchema)
    def get(self, args):
        """The review queue: best first; filter by status, sector, score, organisation, age.

        A proposal the provider asked for (it offered help) carries `request`."""
        page = service.list_matches(me(), args, refs_only=True)
        match_extras.attach(me(), page.items)
        return page


@blp.route("/<id:match_id>")
class MatchById(MethodView):
    @signed_in()
    @blp.response(200, MatchSchema)
    def get(self, match_id):
        """One match: officers always; the two parties once it is approved.

        `contacts` (the other side's name, organisation, e-mail, and phone if shared) is
        present only once both sides accepted; `outcome` is the latest recorded one."""
        match = service.get(me(), match_id, refs_only=True)
        return match_extras.attach(me(), [match])[0]


challenge_blp = Blueprint("challenge_matches", __name__, description="Matches of one challenge.")


@challenge_blp.route("/<id:challenge_id>/matches")
class ChallengeMatches(MethodView):
    @signed_in()
    @challenge_blp.arguments(MatchListArgs, location="query")
    @challenge_blp.response(200, MatchPageSchema)
    def get(self, args, challenge_id):
        """Best first. Officers see all; the owner sees approved ones onward."""
        return service.for_challenge(me(), challenge_id, args, refs_only=True)
