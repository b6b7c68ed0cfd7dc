"""Paging without needless work, and the text search's indexes on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import ChallengeFactory, MatchFactory
from xeco.models import Challenge, Match, search
from xeco.services import matches
from xeco.services.capabilities import capabilities
from xeco.services.challenges import challenges
from xeco.services.listing import DEFAULT_SORT, counted_pick, paginate, sort_clause, text_filter
from xeco.services.programmes import programmes


def _counts(seen: list[str]) -> int:
    return sum("count(*)" in s.lower() for s in seen)


def _separate_counts(seen: list[str]) -> int:
    return sum(s.lstrip().lower().startswith("select count(*)") for s in seen)


def test_a_page_that_is_not_full_needs_no_count(db, users, statements):
    MatchFactory.create_batch(5)
    db.session.flush()
    stmt = sa.select(Match).order_by(Match.id)
    statements.clear()
    last = paginate(stmt, 2, 3)
    assert (len(last.items), last.total, last.pages) == (2, 5, 2)
    assert _counts(statements) == 0
    full = paginate(stmt, 1, 3)
    assert (len(full.items), full.total) == (3, 5)
    beyond = paginate(stmt, 4, 3)
    assert (beyond.items, beyond.total) == ([], 5)
    empty = paginate(stmt.where(Match.id < 0), 1, 3)
    assert (empty.items, empty.total, empty.pages) == ([], 0, 1)
    assert _counts(statements) == 2  # the full page and the one beyond the end


def test_the_review_queue_picks_its_page_before_joining(db, users, statements):
    made = MatchFactory.create_batch(7)
    for i, m in enumerate(made):
        m.score = 0.5 if i % 3 else 0.9  # ties: the id decides among equal scores
    db.session.flush()
    expected = [m.id for m in sorted(made, key=lambda m: (-m.score, m.id))]
    officer = users["officer"]
    seen = []
    for page in (1, 2, 3):
        statements.clear()
        got = matches.list_matches(officer, {"page": page, "per_page": 3})
        assert got.total == 7
        seen += [m.id for m in got.items]
        loaded = [s for s in statements if "JOIN" in s and "LIMIT" in s]
        assert len(loaded) == 1 and "JOIN (SELECT matches.id" in loaded[0]
        # The linked rows came with the page: no lazy load when they are shown.
        statements.clear()
        assert all(m.challenge.organisation and m.capability.organisation for m in got.items)
        assert statements == []
    assert seen == expected


def test_a_list_that_scans_counts_in_the_same_query(db, users, statements):
    made = MatchFactory.create_batch(7)
    for i, m in enumerate(made):
        m.score = 0.5 if i % 3 else 0.9
    db.session.flush()
    expected = [m.id for m in sorted(made, key=lambda m: (-m.score, m.id))]
    stmt = sa.select(Match)
    order = (Match.score.desc(), Match.id)
    load = matches.LISTED
    seen = []
    statements.clear()
    for page in (1, 2, 3):
        got = paginate(stmt, page, 3, order=order, load=load, scans=True)
        assert (got.total, got.pages) == (7, 3)
        seen += [m.id for m in got.items]
    assert seen == expected
    assert _counts(statements) == 3 and _separate_counts(statements) == 0
    statements.clear()
    beyond = paginate(stmt, 5, 3, order=order, load=load, scans=True)
    assert (beyond.items, beyond.total) == ([], 7)  # no row carried the count: a COUNT tells
    assert _separate_counts(statements) == 1
    empty = paginate(stmt.where(Match.id < 0), 1, 3, order=order, load=load, scans=True)
    assert (empty.items, empty.total, empty.pages) == ([], 0, 1)
    assert _separate_counts(statements) == 1


def test_a_search_of_challenges_asks_no_separate_count(db, users, statements):
    made = MatchFactory.create_batch(4)  # each with its own challenge
    for m in made:
        m.challenge.title = "Battery recycling " + str(m.id)
    db.session.flush()
    statements.clear()
    got = challenges.list(users["officer"], {"q": "battery", "page": 1, "per_page": 2})
    assert got.total == 4 and len(got.items) == 2
    assert _counts(statements) == 1 and _separate_counts(statements) == 0


SEARCHED = (challenges, capabilities, programmes)


def test_text_search_can_use_the_trigram_index_of_the_search_text(dialect, plan_of):
    if dialect != "postgresql":
        pytest.skip("the search text and its trigram index are PostgreSQL's")
    # Whether the index matches the expression the query searches.
    for service in SEARCHED:
        table = service.model.__tablename__
        stmt = sa.select(service.model.id).where(
            text_filter("battery 电池材料", lowered=service.search_text())
        )
        plan = plan_of(stmt, "seqscan")
        assert search.index_name(table, search.SEARCH_TEXT) in plan, plan


def test_the_search_text_finds_what_the_columns_hold_in_any_case(db, users, dialect):
    """Every searched column, JSON lists included, in upper and lower case, Chinese too;
    a word does not match across two columns."""
    made = MatchFactory.create_batch(2)
    first, second = (m.challenge for m in made)
    first.title, first.description, first.keywords = "Solid-State BATTERY", "锂电池 回收", ["Grid"]
    second.title, second.description = "Battery", "storage"
    db.session.flush()
    officer = users["officer"]

    def found(q):
        got = challenges.list(officer, {"q": q, "page": 1, "per_page": 10})
        return {c.id for c in got.items}

    assert found("battery") == {first.id, second.id}
    assert found("STATE battery") == {first.id}
    assert found("电池 grid") == {first.id}
    assert found("battery storage") == {second.id}  # each word in a column of its own
    assert found("batterystorage") == set()


def test_the_default_order_is_read_from_an_index_on_both_databases(plan_of):
    """Newest first (created_at DESC, id DESC) comes from the (created_at, id) index read
    backwards: a page stops after its rows, with no sort of the whole table."""
    for service in SEARCHED:
        model = service.model
        stmt = sa.select(model.id).order_by(*sort_clause(model, DEFAULT_SORT)).limit(20).offset(40)
        # With sorting forbidden too, the plan keeps its Sort unless the index gives the order.
        plan = plan_of(stmt, "seqscan", "bitmapscan", "sort")
        assert f"ix_{model.__tablename__}_created_at_id" in plan, plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan


def test_a_list_in_the_default_order_counts_apart_and_in_another_order_in_the_pick(
    db, users, statements
):
    made = MatchFactory.create_batch(5)
    assert len({m.challenge_id for m in made}) == 5
    statements.clear()
    newest = challenges.list(users["officer"], {"page": 1, "per_page": 2})
    assert newest.total >= 5 and len(newest.items) == 2
    assert _separate_counts(statements) == 1
    assert [c.id for c in newest.items] == sorted((c.id for c in newest.items), reverse=True)
    statements.clear()
    by_title = challenges.list(users["officer"], {"page": 1, "per_page": 2, "sort": "title"})
    assert by_title.total == newest.total
    assert _separate_counts(statements) == 0


def test_a_counted_search_finds_its_rows_by_the_trigram_index_not_by_the_order(
    db, dialect, plan_of
):
    """Counting beside ORDER BY and LIMIT in one statement, PostgreSQL took the page for
    cheap: it read the (created_at, id) index backwards and tested every row of the table
    (4.5 ms at 4,000 challenges, against 1.7 by the trigram index, and growing with the
    table). With the count below, the rows are found by the trigram index; only they are
    sorted."""
    if dialect != "postgresql":
        pytest.skip("the search text and its trigram index are PostgreSQL's")
    one = ChallengeFactory()
    db.session.flush()
    rows = [
        {
            "organisation_id": one.organisation_id,
            "author_id": one.author_id,
            "title": f"{'Battery' if i % 12 == 0 else 'Sensor'} need {i}",
            "description": "A pilot line in Suzhou looks for expertise. " * 8,
        }
        for i in range(4000)
    ]
    db.session.execute(sa.insert(Challenge), rows)
    db.session.execute(sa.text("ANALYZE challenges"))
    stmt = sa.select(Challenge).where(text_filter("battery", lowered=challenges.search_text()))
    pick = counted_pick(stmt, Challenge, sort_clause(Challenge, DEFAULT_SORT)).limit(20)
    # Without sequential scans, as on a table too big to read whole for a page.
    plan = plan_of(pick, "seqscan")
    assert search.index_name("challenges", search.SEARCH_TEXT) in plan, plan
    assert "ix_challenges_created_at_id" not in plan, plan
