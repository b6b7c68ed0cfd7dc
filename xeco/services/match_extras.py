"""What a match shows beyond its row: contacts, latest outcome, the provider's offer.

Set as plain attributes on the loaded matches for the schema to dump (never stored).
"""

from __future__ import annotations

import sqlalchemy as sa

from xeco.extensions import db
from xeco.models import Match, MatchOutcome, User
from xeco.models.match import INTRODUCED_ONWARD
from xeco.services import contacts, hands


def latest_outcomes(match_ids: list[int]) -> dict[int, MatchOutcome]:
    if not match_ids:
        return {}
    latest = (
        sa.select(sa.func.max(MatchOutcome.id))
        .where(MatchOutcome.match_id.in_(match_ids))
        .group_by(MatchOutcome.match_id)
    )
    rows = db.session.scalars(sa.select(MatchOutcome).where(MatchOutcome.id.in_(latest)))
    return {o.match_id: o for o in rows}


def attach(viewer: User, matches: list[Match]) -> list[Match]:
    # Outcomes are recorded from the introduction on: the review queue and most details have
    # none to ask for.
    outcomes = latest_outcomes([m.id for m in matches if m.status in INTRODUCED_ONWARD])
    # Matches read with their request (the services' LOADED and LISTED) need no query.
    unread = {m.id for m in matches if "provider_request" in sa.inspect(m).unloaded}
    requests = hands.requests_of(unread)
    for m in matches:
        m.outcome = outcomes.get(m.id)
        m.request = requests.get(m.id) if m.id in unread else m.provider_request
        shown = contacts.of(viewer, m)
        if shown is not None:
            m.contacts = shown
    return matches
