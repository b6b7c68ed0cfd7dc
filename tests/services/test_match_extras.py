"""What a match shows beyond its row, and the queries it takes to show it."""

from __future__ import annotations

from tests.factories import MatchFactory
from xeco.models import Match, MatchOutcome, MatchRequest, MatchStatus, Outcome, User
from xeco.services import match_extras, matches


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


def _request_queries(statements: list[str]) -> int:
    return sum(s.lstrip().startswith("SELECT") and "FROM match_requests" in s for s in statements)


def test_a_match_read_with_its_request_needs_no_query_for_it(db, users, statements):
    offered, plain = MatchFactory(), MatchFactory()
    db.session.add(MatchRequest(match_id=offered.id, note="We can help"))
    db.session.flush()
    ids, officer_id = (offered.id, plain.id), users["officer"].id
    db.session.expunge_all()
    officer = db.session.get(User, officer_id)
    read = [matches.get(officer, i) for i in ids]
    statements.clear()
    shown = match_extras.attach(officer, read)
    assert _request_queries(statements) == 0
    assert [m.request and m.request.note for m in shown] == ["We can help", None]
    # A match read without it (any other query) has it asked for, once for all.
    db.session.expunge_all()
    officer = db.session.get(User, officer_id)
    bare = [db.session.get(Match, i) for i in ids]
    statements.clear()
    shown = match_extras.attach(officer, bare)
    assert _request_queries(statements) == 1
    assert [m.request and m.request.note for m in shown] == ["We can help", None]
