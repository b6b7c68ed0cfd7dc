"""Match rows written in bulk: a few statements per batch of challenges, none per pair.

Every write re-checks the status it expects in its WHERE clause, so a row an officer decided
after the batch read it is left as the officer left it; a pair proposed concurrently by
another worker is kept (``INSERT ... ON CONFLICT DO NOTHING`` on the unique pair).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from xeco.extensions import db
from xeco.models import Match, MatchRequest, MatchStatus
from xeco.models.base import UTCDateTime, utcnow
from xeco.services.sql import on_postgresql, one_of

MATCHES = Match.__table__
# Values a proposal sets; the refresh statements bind them under other names (a bound
# parameter may not share a column's name in an UPDATE ... WHERE id = :id executemany).
FIELDS = (
    "score",
    "institute_id",
    "programme_id",
    "institute_score",
    "programme_score",
    "explanation",
    "fingerprint",
)


@dataclass
class Outcome:
    proposed: int = 0  # new rows, or rejected rows whose texts changed
    refreshed: int = 0  # undecided rows re-scored
    withdrawn: int = 0  # undecided rows that no longer qualify
    decided_kept: int = 0  # rows an officer decided, left as they are
    challenges: int = 0
    already_matched: int = 0  # a due challenge's task found it matched, or held, by another

    def as_dict(self) -> dict:
        return asdict(self)

    def add(self, other: Outcome) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)


@dataclass(frozen=True)
class Existing:
    id: int
    status: MatchStatus
    fingerprint: str | None


def existing(challenge_ids: Iterable[int]) -> dict[int, dict[int, Existing]]:
    """challenge id -> capability id -> its stored row (id, status, pair fingerprint)."""
    out: dict[int, dict[int, Existing]] = {}
    rows = db.session.execute(
        sa.select(
            MATCHES.c.challenge_id,
            MATCHES.c.capability_id,
            MATCHES.c.id,
            MATCHES.c.status,
            MATCHES.c.fingerprint,
        ).where(one_of(MATCHES.c.challenge_id, challenge_ids))
    )
    for ch_id, cap_id, row_id, status, fp in rows:
        out.setdefault(ch_id, {})[cap_id] = Existing(row_id, MatchStatus(status), fp)
    return out


def _insert(table):
    return (postgresql if on_postgresql() else sqlite).insert(table)


def insert_new(rows: list[dict]) -> None:
    """Insert new proposals; a pair another worker inserted meanwhile keeps its row.

    No RETURNING: with it the driver sends one statement per row (four times slower), and a
    pair proposed concurrently by two tasks for the same challenge is rare enough to count
    for both. On PostgreSQL the rows travel as one array per column in one statement.
    """
    if not rows:
        return
    if on_postgresql():
        keys = ("challenge_id", "capability_id", *FIELDS)
        db.session.execute(
            sa.text(
                f"INSERT INTO matches ({', '.join(keys)}, status, created_at, updated_at) "
                f"SELECT {', '.join(keys)}, :status, :now, :now FROM {_unnest(keys)} "
                "ON CONFLICT (challenge_id, capability_id) DO NOTHING"
            ).bindparams(*_typed()),
            {**_columns(rows, keys), "status": MatchStatus.PROPOSED.value, "now": utcnow()},
        )
        return
    stmt = _insert(MATCHES).on_conflict_do_nothing(index_elements=["challenge_id", "capability_id"])
    db.session.execute(stmt, rows)


# PostgreSQL array type of each column a proposal writes, as unnest() reads them.
_ARRAYS = {
    "id": "bigint[]",
    "challenge_id": "bigint[]",
    "capability_id": "bigint[]",
    "score": "float8[]",
    "institute_id": "bigint[]",
    "programme_id": "bigint[]",
    "institute_score": "float8[]",
    "programme_score": "float8[]",
    "fingerprint": "text[]",
}


def _unnest(keys: tuple[str, ...]) -> str:
    """The rows as a table ``t`` with ``keys`` as its columns.

    The explanations come as one JSON array whose elements are joined back by position: a
    ``json[]`` parameter costs the driver a regular-expression escape of every string.
    """
    arrays = ", ".join(f"CAST(:{k} AS {_ARRAYS[k]})" for k in keys if k != "explanation")
    names = ", ".join(k for k in keys if k != "explanation")
    return (
        f"(SELECT u.*, e.value AS explanation FROM unnest({arrays}) WITH ORDINALITY "
        f"AS u({names}, n) JOIN json_array_elements(CAST(:explanation AS json)) "
        "WITH ORDINALITY AS e(value, n) USING (n)) AS t"
    )


def _typed() -> list:
    return [sa.bindparam("now", type_=UTCDateTime())]


def _columns(rows: list[dict], keys: tuple[str, ...]) -> dict[str, list]:
    out = {k: [r[k] for r in rows] for k in keys}
    # As the engine's JSON serialiser writes them (config/settings.py), in one document.
    out["explanation"] = json.dumps(out["explanation"], ensure_ascii=False)
    return out


def _rescore(rows: list[dict], expected: MatchStatus, **extra) -> None:
    if not rows:
        return
    if on_postgresql():
        keys = ("id", *FIELDS)
        sets = ", ".join([*(f"{f} = t.{f}" for f in FIELDS), *(f"{k} = :{k}" for k in extra)])
        db.session.execute(
            sa.text(
                f"UPDATE matches SET {sets}, updated_at = :now FROM {_unnest(keys)} "
                "WHERE matches.id = t.id AND matches.status = :expected"
            ).bindparams(*_typed()),
            {**_columns(rows, keys), **extra, "expected": expected.value, "now": utcnow()},
        )
        return
    stmt = (
        sa.update(MATCHES)
        .where(MATCHES.c.id == sa.bindparam("row_id"), MATCHES.c.status == expected.value)
        .values({**{f: sa.bindparam(f"new_{f}") for f in FIELDS}, **extra})
    )
    params = [{"row_id": r["id"], **{f"new_{f}": r[f] for f in FIELDS}} for r in rows]
    db.session.execute(stmt, params)


def refresh(rows: list[dict]) -> None:
    """Re-score undecided rows (``rows``: ``id`` and :data:`FIELDS`)."""
    _rescore(rows, MatchStatus.PROPOSED)


def repropose(rows: list[dict]) -> None:
    """Propose rejected pairs again (the caller checked that one of their texts changed)."""
    _rescore(rows, MatchStatus.REJECTED, status=MatchStatus.PROPOSED.value)


def withdraw(row_ids: list[int]) -> int:
    """Delete undecided rows that no longer qualify; how many went.

    A provider's own offer (a ``match_requests`` row) waits for an officer whatever the
    engine thinks of it.
    """
    if not row_ids:
        return 0
    offered = sa.select(MatchRequest.match_id).where(MatchRequest.match_id == MATCHES.c.id)
    deleted = db.session.scalars(
        sa.delete(MATCHES)
        .where(
            one_of(MATCHES.c.id, row_ids),
            MATCHES.c.status == MatchStatus.PROPOSED.value,
            ~offered.exists(),
        )
        .returning(MATCHES.c.id)
    ).all()
    for row_id in deleted:
        obj = db.session.identity_map.get(db.session.identity_key(Match, row_id))
        if obj is not None:
            db.session.expunge(obj)
    return len(deleted)


def expire_loaded() -> None:
    """Matches loaded in this session are stale after the bulk statements: reload them."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Match):
            db.session.expire(obj)


def store_fingerprints(model, fingerprints: dict[int, str]) -> None:
    """Cache text fingerprints without bumping updated_at (the index signature reads it)."""
    if not fingerprints:
        return
    table = model.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(fingerprint=sa.bindparam("new_fp"), updated_at=table.c.updated_at),
        [{"row_id": k, "new_fp": v} for k, v in fingerprints.items()],
    )
    for row_id, fp in fingerprints.items():
        obj = db.session.identity_map.get(db.session.identity_key(model, row_id))
        if obj is not None:
            sa.orm.attributes.set_committed_value(obj, "fingerprint", fp)
