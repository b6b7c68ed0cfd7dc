"""The officers' summary, counted in SQL, against the same figures counted row by row."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.factories import ChallengeFactory, MatchFactory
from xeco.models import MatchStatus
from xeco.services import reports


def test_the_grouped_summary_counts_what_the_rows_say(app, db):
    # Across a month boundary in UTC (23:30 on the 31st), two sectors and none.
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    made = []
    for i, (sector, status, created) in enumerate(
        [
            ("advanced-manufacturing", MatchStatus.PROPOSED, late),
            ("advanced-manufacturing", MatchStatus.APPROVED, late + timedelta(hours=1)),
            ("new-energy", MatchStatus.REJECTED, late + timedelta(days=40)),
            (None, MatchStatus.PROPOSED, late + timedelta(days=40)),
        ]
    ):
        decided = created + timedelta(hours=2 + i) if status != MatchStatus.PROPOSED else None
        challenge = ChallengeFactory(sector=sector)
        made.append(
            MatchFactory(challenge=challenge, status=status, created_at=created, decided_at=decided)
        )
    db.session.commit()

    summary = reports.summary()

    assert summary["total"] == 4
    assert summary["by_status"] == {s.value: sum(m.status == s for m in made) for s in MatchStatus}
    assert summary["by_sector"] == {
        "advanced-manufacturing": 2,
        "new-energy": 1,
        "unspecified": 1,
    }
    months = Counter(m.created_at.astimezone(UTC).strftime("%Y-%m") for m in made)
    assert [row["month"] for row in summary["by_month"]] == sorted(months)
    assert {
        row["month"]: sum(row[s.value] for s in MatchStatus) for row in summary["by_month"]
    } == (dict(months))
    assert summary["by_sector_month"] == [
        {"month": "2026-01", "sector": "advanced-manufacturing", "count": 1},
        {"month": "2026-02", "sector": "advanced-manufacturing", "count": 1},
        {"month": "2026-03", "sector": "new-energy", "count": 1},
        {"month": "2026-03", "sector": "unspecified", "count": 1},
    ]
    assert summary["time_to_decision_hours"] == {"median": 3.5, "mean": 3.5, "n": 2}
