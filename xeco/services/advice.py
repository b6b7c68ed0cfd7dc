"""What a company is told while its challenge has no approved match: where it stands and
what helps the engine find one (more keywords, a longer description, the other language)."""

from __future__ import annotations

import sqlalchemy as sa

from xeco.errors import Forbidden
from xeco.extensions import db
from xeco.models import Challenge, Match, MatchStatus, User
from xeco.models.match import VISIBLE_TO_PARTIES
from xeco.services import access
from xeco.services.challenges import challenges

MIN_KEYWORDS = 3
# Shorter descriptions give the engine too few terms to find a lab by: characters, since a
# Chinese word is one or two of them and an English one five or six.
MIN_DESCRIPTION = {"zh": 120, "en": 400, "mixed": 300}


def tips(challenge: Challenge) -> list[str]:
    found = []
    if len(challenge.keywords or []) < MIN_KEYWORDS:
        found.append("keywords")
    language = challenge.language or "en"
    if len(challenge.description or "") < MIN_DESCRIPTION.get(language, 400):
        found.append("description")
    if language in ("en", "zh"):
        found.append("other_language")
    return found


def state(challenge: Challenge) -> str:
    """``matched`` (approved matches exist), ``in_review`` (proposals await the officers),
    ``matching`` (the engine has not scored it yet) or ``nothing_yet`` (it found nothing
    above the threshold so far)."""
    counts = dict(
        db.session.execute(
            sa.select(Match.status, sa.func.count())
            .where(Match.challenge_id == challenge.id)
            .group_by(Match.status)
        ).all()
    )
    if any(counts.get(s) for s in VISIBLE_TO_PARTIES):
        return "matched"
    if counts.get(MatchStatus.PROPOSED):
        return "in_review"
    # The engine stores the text's fingerprint when it scores the challenge.
    return "matching" if challenge.fingerprint is None else "nothing_yet"


def for_challenge(user: User, challenge_id: int) -> dict:
    challenge = challenges.get(user, challenge_id)
    if not user.is_staff and not access.owns(user, challenge):
        raise Forbidden("Only the challenge's company and the officers read this advice.")
    current = state(challenge)
    return {
        "state": current,
        "tips": tips(challenge) if current != "matched" else [],
        "language": challenge.language,
    }
