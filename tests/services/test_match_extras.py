"""What a match shows beyond its row, and the queries it takes to show it."""

from __future__ import annotations

from tests.factories import MatchFactory
from xeco.models import MatchOutcome, MatchStatus, Outcome
from xeco.services import match_extras


def _outcome_queries(statements: list[str]) -> int:
    return sum("match_outcomes" in s for s in statements)


def test_matches_before_their_introduction_do_not_ask_for_outcomes(db, users, statements):
    proposed = MatchFactory.create_batch(2)
    approved = MatchFactory(status=MatchStatus.APPROVED)
    db.session.flush()
    statements.clear()
    shown = match_extras.attach(users["officer"], [*proposed, approved])
    assert _outcome_queries(statements) == 0
    assert [m.outcome for m in shown] == [None, None, None]


def test_introduced_matches_show_their_latest_outcome(db, users, statements):
    introduced = MatchFactory(status=MatchStatus.INTRODUCED)
    declined = MatchFactory(status=MatchStatus.DECLINED)
    proposed = MatchFactory()
    db.session.add_all(
        [
            MatchOutcome(match_id=introduced.id, outcome=Outcome.TALKING),
            MatchOutcome(match_id=introduced.id, outcome=Outcome.AGREEMENT),
            MatchOutcome(match_id=declined.id, outcome=Outcome.NO_DEAL),
        ]
    )
    db.session.flush()
    statements.clear()
    shown = match_extras.attach(users["officer"], [introduced, declined, proposed])
    assert _outcome_queries(statements) == 1
    assert [m.outcome and m.outcome.outcome for m in shown] == [
        Outcome.AGREEMENT,
        Outcome.NO_DEAL,
        None,
    ]
