from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Conflict, Forbidden
from xeco.extensions import db
from xeco.models import Challenge, ChallengeStatus, User
from xeco.resources import CHALLENGES
from xeco.services import access, audit, matching
from xeco.services.organisations import check_may_post
from xeco.services.resources import ResourceService


class ChallengeService(ResourceService):
    def visibility(self, user: User) -> sa.ColumnElement[bool]:
        return access.challenge_visibility(user)

    def owner_fields(self, user: User) -> dict:
        return {"author_id": user.id}

    def apply(self, obj, data: dict) -> None:
        super().apply(obj, data)
        matching.mark_due(obj)

    def after_change(self, obj) -> None:
        # Marked due (apply, reopen): any queued due task will match it with the others.
        matching.ask_due(obj.id)

    def reopen(self, user: User, item_id: int) -> Challenge:
        """A company may change its mind about a closed challenge: open it and match again."""
        obj = self.get(user, item_id)
        if not access.can_change(user, obj):
            raise Forbidden("Only the owner or an officer may reopen this challenge.")
        check_may_post(user)
        if obj.status != ChallengeStatus.CLOSED:
            raise Conflict(f"A {obj.status.value} challenge cannot be reopened; only a closed one.")
        before = audit.snapshot(obj)
        obj.status, obj.closed_at = ChallengeStatus.OPEN, None
        matching.mark_due(obj)
        db.session.flush()
        audit.record(user, "reopen", obj, before=before)
        self.after_change(obj)
        return obj

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
