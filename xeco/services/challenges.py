from __future__ import annotations

import sqlalchemy as sa

from xeco.models import Challenge, ChallengeStatus, User
from xeco.resources import CHALLENGES
from xeco.services import access
from xeco.services.resources import ResourceService


class ChallengeService(ResourceService):
    def visibility(self, user: User) -> sa.ColumnElement[bool]:
        return access.challenge_visibility(user)

    def owner_fields(self, user: User) -> dict:
        return {"author_id": user.id}

    def extra_filters(self, stmt, args):
        if args.get("sector"):
            stmt = stmt.where(Challenge.sector == args["sector"])
        return stmt


challenges = ChallengeService(
    resource=CHALLENGES,
    search_columns=("title", "description", "keywords"),
    closed_status=ChallengeStatus.CLOSED,
    ranges=(("budget_min", "budget_max"),),
)
