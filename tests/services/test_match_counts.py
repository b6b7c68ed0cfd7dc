"""The matches per status, kept by triggers on ``matches`` (migration 0016), on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import MatchFactory
from tests.services.test_listing import _counts
from xeco.models import Match, MatchStatus, MatchStatusCount
from xeco.services import matches
from xeco.tasks import matching as tasks


def kept(db) -> dict[str, int]:
    db.session.flush()
    return {s.value: matches.status_count(s) for s in MatchStatus}


def counted(db) -> dict[str, int]:
    rows = dict(
        db.session.execute(sa.select(Match.status, sa.func.count()).group_by(Match.status)).all()
    )
    return {s.value: rows.get(s, 0) for s in MatchStatus}


def test_every_status_has_its_count():
    columns = set(MatchStatusCount.__table__.c.keys()) - {"id"}
    assert columns == {s.value for s in MatchStatus}


def test_the_counts_follow_inserts_changes_and_deletes_of_rows_and_of_many_at_once(db):
    before = kept(db)
    assert before == counted(db)
    made = MatchFactory.create_batch(4)
    made[0].status = MatchStatus.APPROVED
    made[1].status = MatchStatus.REJECTED
    assert kept(db) == counted(db)
    assert kept(db)["proposed"] == before["proposed"] + 2
    # One statement for many rows: a full run's bulk insert, a withdrawal, a clean-up.
    template = made[2]
    db.session.execute(
        sa.insert(Match),
        [
            dict(challenge_id=template.challenge_id, capability_id=c.capability_id, score=0.5)
            for c in made[:2]
        ],
    )
    assert kept(db) == counted(db)
    db.session.execute(
        sa.update(Match)
        .where(Match.id.in_([m.id for m in made[2:]]))
        .values(status=MatchStatus.APPROVED)
    )
    assert kept(db) == counted(db)
    db.session.execute(sa.update(Match).where(Match.id == made[0].id).values(score=0.9))
    assert kept(db) == counted(db)
    db.session.execute(sa.delete(Match).where(Match.status == MatchStatus.APPROVED))
    assert kept(db) == counted(db)


def test_the_review_queue_reads_the_kept_total_instead_of_counting(db, users, statements):
    MatchFactory.create_batch(5)
    db.session.flush()
    proposed = counted(db)["proposed"]
    statements.clear()
    args = {"status": MatchStatus.PROPOSED, "page": 1, "per_page": 2}
    page = matches.list_matches(users["officer"], args, refs_only=True)
    assert page.total == proposed >= 5
    assert _counts(statements) == 0
    # With another filter the total is counted as before.
    statements.clear()
    page = matches.list_matches(users["officer"], {**args, "min_score": 0.0}, refs_only=True)
    assert page.total == proposed
    assert _counts(statements) == 1


def test_compaction_folds_the_rows_of_changes_into_one_and_keeps_the_counts(db, dialect):
    MatchFactory.create_batch(3)
    made = MatchFactory.create_batch(2)
    db.session.flush()
    db.session.execute(
        sa.update(Match).where(Match.id == made[0].id).values(status=MatchStatus.REJECTED)
    )
    before = kept(db)
    assert before == counted(db)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(MatchStatusCount))
    if dialect == "postgresql":
        assert rows > 1  # a row per statement that changed a status
        assert tasks.compact_match_counts() == rows
    else:
        assert rows == 1  # SQLite keeps one row
        assert tasks.compact_match_counts() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchStatusCount)) == 1
    assert kept(db) == before == counted(db)
    assert matches.status_count(MatchStatus.REJECTED) == before["rejected"]
