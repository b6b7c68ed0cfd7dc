"""Reporting for officers: counts, trends, and how long things take."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from xeco.extensions import db
from xeco.labels import OUTCOME_LABELS, SECTOR_LABELS, STATUS_LABELS, label
from xeco.models import (
    AGREEMENT_OUTCOMES,
    Capability,
    Challenge,
    Match,
    MatchOutcome,
    MatchStatus,
    Programme,
    Visibility,
)
from xeco.models.match import VISIBLE_TO_PARTIES
from xeco.services.match_extras import latest_outcomes


def _hours(deltas) -> dict:
    hours = [d.total_seconds() / 3600 for d in deltas if d is not None]
    if not hours:
        return {"median": None, "mean": None, "n": 0}
    return {
        "median": round(statistics.median(hours), 2),
        "mean": round(statistics.fmean(hours), 2),
        "n": len(hours),
    }


def _month(column) -> sa.ColumnElement[str]:
    """``YYYY-MM`` of a UTC timestamp, in SQL (the two databases spell it differently)."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m", column)
    return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")


def summary() -> dict:
    month = _month(Match.created_at).label("month")
    sector = sa.func.coalesce(sa.func.nullif(Challenge.sector, ""), "unspecified").label("sector")
    # One grouped query; the totals by status, sector and month are sums of its rows.
    groups = db.session.execute(
        sa.select(month, sector, Match.status, sa.func.count())
        .join(Challenge, Challenge.id == Match.challenge_id)
        .group_by(month, sector, Match.status)
    ).all()
    by_status: Counter = Counter()
    by_sector: Counter = Counter()
    months: dict[str, Counter] = defaultdict(Counter)
    sector_months: Counter = Counter()
    for row_month, row_sector, status, n in groups:
        by_status[status.value] += n
        by_sector[row_sector] += n
        months[row_month][status.value] += n
        sector_months[(row_month, row_sector)] += n
    decided = db.session.execute(
        sa.select(Match.created_at, Match.decided_at).where(Match.decided_at.is_not(None))
    ).all()
    first = db.session.execute(
        sa.select(Challenge.created_at, sa.func.min(Match.created_at))
        .join(Match, Match.challenge_id == Challenge.id)
        .group_by(Challenge.id, Challenge.created_at)
    ).all()
    return {
        "total": sum(by_status.values()),
        "by_status": {s.value: by_status.get(s.value, 0) for s in MatchStatus},
        "by_sector": dict(sorted(by_sector.items())),
        "by_month": [
            {"month": m, **{s.value: c.get(s.value, 0) for s in MatchStatus}}
            for m, c in sorted(months.items())
        ],
        "by_sector_month": [
            {"month": m, "sector": s, "count": n} for (m, s), n in sorted(sector_months.items())
        ],
        "time_to_first_proposal_hours": _hours(
            _aware(p) - _aware(c) for c, p in first if p is not None
        ),
        "time_to_decision_hours": _hours(r.decided_at - r.created_at for r in decided),
        "challenges": db.session.scalar(sa.select(sa.func.count()).select_from(Challenge)),
        "capabilities": db.session.scalar(sa.select(sa.func.count()).select_from(Capability)),
        "funnel": funnel(),
    }


FUNNEL_STAGES = ("proposed", "approved", "accepted", "agreement")


def funnel() -> list[dict]:
    """Matches by the month they were proposed and the challenge's sector, and how many of
    them got as far as approval, both sides' acceptance and an agreement (one GROUP BY)."""
    month = _month(Match.created_at).label("month")
    sector = sa.func.coalesce(sa.func.nullif(Challenge.sector, ""), "unspecified").label("sector")
    agreed = (
        sa.select(MatchOutcome.match_id)
        .where(MatchOutcome.outcome.in_(list(AGREEMENT_OUTCOMES)))
        .distinct()
        .subquery()
    )

    def count_if(condition) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    rows = db.session.execute(
        sa.select(
            month,
            sector,
            sa.func.count(),
            count_if(Match.status.in_(list(VISIBLE_TO_PARTIES))),
            count_if(Match.status == MatchStatus.ACCEPTED),
            sa.func.count(agreed.c.match_id),
        )
        .join(Challenge, Challenge.id == Match.challenge_id)
        .outerjoin(agreed, agreed.c.match_id == Match.id)
        .group_by(month, sector)
        .order_by(month, sector)
    ).all()
    return [
        {"month": m, "sector": s, **dict(zip(FUNNEL_STAGES, map(int, counts), strict=True))}
        for m, s, *counts in rows
    ]


def funnel_csv() -> str:
    """The funnel as CSV, sectors in the reader's language."""
    head = ["month", "sector", *FUNNEL_STAGES]
    rows = [
        [r["month"], label(SECTOR_LABELS, r["sector"]) if r["sector"] != "unspecified" else "—"]
        + [r[stage] for stage in FUNNEL_STAGES]
        for r in funnel()
    ]
    return "\ufeff" + csv_text([head, *rows])


def _aware(value):
    # Aggregates (min) bypass the column type on SQLite and come back naive.
    from datetime import UTC, datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


CSV_COLUMNS = [
    "match_id",
    "status",
    "score",
    "challenge_id",
    "challenge",
    "company",
    "sector",
    "capability_id",
    "capability",
    "provider",
    "institute",
    "programme",
    "proposed_at",
    "decided_at",
    "decision_reason",
    "company_response",
    "provider_response",
    "outcome",
]


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|..., @SUM(...)); a leading apostrophe makes it text. Tab and CR start formulas too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows) -> str:
    """Rows as CSV text with every cell made safe (see :data:`FORMULA_STARTS`): the one CSV
    writer of every export, which starts with a UTF-8 BOM so that Excel reads Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


# Matches per database round trip of the streamed export.
CSV_BATCH = 500


def export_csv(locale: str = "en") -> Iterator[str]:
    """Every match as CSV, streamed in batches of :data:`CSV_BATCH` rows.

    Each batch is read in an app context of its own that ends before the batch is sent, so no
    context is held open between chunks (a client that stops reading leaves nothing pushed),
    and memory stays one batch whatever the number of matches. Codes (statuses, sectors,
    answers, outcomes) are written as their labels in ``locale``, from the pages' table.
    """
    app = current_app._get_current_object()
    yield "\ufeff" + csv_text([CSV_COLUMNS])
    last = 0
    while True:
        with app.app_context(), force_locale(locale):
            batch = list(_match_rows(after=last, limit=CSV_BATCH))
            db.session.remove()
        if not batch:
            return
        last = batch[-1][0]
        yield csv_text(batch)


def _match_rows(after: int = 0, limit: int | None = None):
    stmt = (
        sa.select(Match)
        .options(
            joinedload(Match.challenge).joinedload(Challenge.organisation),
            joinedload(Match.capability).joinedload(Capability.organisation),
            joinedload(Match.institute),
            joinedload(Match.programme),
        )
        .where(Match.id > after)
        .order_by(Match.id)
        .limit(limit)
    )
    matches = db.session.scalars(stmt).all()
    outcomes = {k: o.outcome for k, o in latest_outcomes([m.id for m in matches]).items()}
    for m in matches:
        yield (
            [
                m.id,
                label(STATUS_LABELS, m.status),
                round(m.score, 4),
                m.challenge_id,
                m.challenge.title,
                m.challenge.organisation.name,
                label(SECTOR_LABELS, m.challenge.sector),
                m.capability_id,
                m.capability.title,
                m.capability.organisation.name,
                m.institute.title if m.institute else "",
                m.programme.title if m.programme else "",
                m.created_at.isoformat(),
                m.decided_at.isoformat() if m.decided_at else "",
                m.decision_reason or "",
                label(STATUS_LABELS, m.company_response),
                label(STATUS_LABELS, m.provider_response),
                label(OUTCOME_LABELS, outcomes.get(m.id)),
            ]
        )


def public_counts() -> dict[str, int]:
    """What the landing page tells anyone: public challenges, capabilities, programmes."""

    def count(model, *where) -> int:
        stmt = sa.select(sa.func.count()).select_from(model).where(*where)
        return db.session.scalar(stmt) or 0

    return {
        "challenges": count(Challenge, Challenge.visibility == Visibility.PUBLIC),
        "capabilities": count(Capability),
        "programmes": count(Programme),
    }
