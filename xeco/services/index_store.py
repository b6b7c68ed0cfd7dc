"""Fitted indexes stored once in the database, for every worker process on every host.

A fit (seconds at 100,000 profiles) is done by one process and saved here, keyed by index
name and the signature of its profiles; every other process, on any host, loads the newest
stored fit and folds in whatever changed since (services/matching_index.py), so a worker
host that joins a running full run takes chunks within seconds of starting, without fitting.

The model is the matcher's own ``.npz`` (read without pickle); only the last ``KEEP`` fits
of each index are kept.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa

from xeco.extensions import db
from xeco.matching import Matcher
from xeco.models import StoredIndex

log = logging.getLogger(__name__)
KEEP = 2


@dataclass
class Fit:
    """A fitted index as stored: the matcher (None when there were no profiles) and ids."""

    id: int
    name: str
    signature: str
    newest: datetime | None
    matcher: Matcher | None
    ids: np.ndarray
    meta: dict


def latest_id_query(name: str) -> sa.ScalarSelect:
    """The id of the latest stored fit of ``name``, as a subquery: a caller reads it in the
    statement it sends anyway."""
    return sa.select(sa.func.max(StoredIndex.id)).where(StoredIndex.name == name).scalar_subquery()


def latest_id(name: str) -> int | None:
    return db.session.scalar(sa.select(latest_id_query(name)))


def load(row_id: int) -> Fit | None:
    row = db.session.get(StoredIndex, row_id)
    if row is None:
        return None
    try:
        matcher = Matcher.load(io.BytesIO(row.model)) if row.model else None
    except ValueError as exc:  # another format version or method: refit instead
        log.warning("stored %s index #%s is not usable: %s", row.name, row.id, exc)
        return None
    ids = np.frombuffer(row.ids, dtype=np.int64).copy()
    return Fit(row.id, row.name, row.signature, row.newest, matcher, ids, dict(row.meta))


def save(
    name: str,
    signature: str,
    newest: datetime | None,
    matcher: Matcher | None,
    ids: np.ndarray,
    meta: dict,
) -> int | None:
    """Store a fit and drop the older ones beyond ``KEEP``; None if this signature is stored."""
    buf = io.BytesIO()
    if matcher is not None:
        matcher.save(buf)
    model = buf.getvalue()
    row = StoredIndex(
        name=name,
        signature=signature,
        newest=newest,
        meta=meta,
        ids=np.asarray(ids, dtype=np.int64).tobytes(),
        model=model,
        size=len(model),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except sa.exc.IntegrityError:  # another process stored the same fit first
        return None
    old = db.session.scalars(
        sa.select(StoredIndex.id)
        .where(StoredIndex.name == name)
        .order_by(StoredIndex.id.desc())
        .offset(KEEP)
    ).all()
    if old:
        db.session.execute(sa.delete(StoredIndex).where(StoredIndex.id.in_(old)))
    db.session.flush()
    return row.id


def sizes() -> dict[str, int]:
    """Bytes of the newest stored fit of each index (for health and operators)."""
    newest = (
        sa.select(StoredIndex.name, sa.func.max(StoredIndex.id).label("id"))
        .group_by(StoredIndex.name)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(StoredIndex.name, StoredIndex.size).join(newest, StoredIndex.id == newest.c.id)
    ).all()
    return dict(rows)
