"""The open challenges as query vectors of the capability index, kept in each worker process.

A new or edited capability is scored against every open challenge; vectorising them all for
each change would cost seconds at scale. The vectors are kept and only the challenges opened,
edited or closed since the last look are redone (one query of ids and ``updated_at``). A
refit brings a new vocabulary and so a full rebuild; folding keeps the vocabulary.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import sqlalchemy as sa

from xeco.extensions import db
from xeco.matching import Matcher
from xeco.models import Challenge, ChallengeStatus
from xeco.services.engine_inputs import challenge_query


@dataclass
class _Vectors:
    vocabulary: dict
    ids: np.ndarray
    stamps: dict[int, str]
    matrix: sp.csr_matrix


_cache: dict[str, _Vectors] = {}
_lock = threading.Lock()


def open_challenges(matcher: Matcher) -> tuple[np.ndarray, sp.csr_matrix]:
    """``(ids, vectors)`` of the open challenges, one row each, in ``matcher``'s term space."""
    with _lock:
        rows = db.session.execute(
            sa.select(Challenge.id, Challenge.updated_at)
            .where(Challenge.status == ChallengeStatus.OPEN)
            .order_by(Challenge.id)
        ).all()
        stamps = {i: ts.isoformat() for i, ts in rows}
        old = _cache.get("open")
        if old is None or old.vocabulary is not matcher.vocabulary_:
            old = _Vectors(matcher.vocabulary_, np.zeros(0, np.int64), {}, matcher.vectorize([]))
        if old.stamps == stamps:
            return old.ids, old.matrix
        keep = np.array([stamps.get(int(i)) == old.stamps[int(i)] for i in old.ids], dtype=bool)
        kept = set(old.ids[keep].tolist())
        todo = [i for i in stamps if i not in kept]
        found = db.session.scalars(sa.select(Challenge).where(Challenge.id.in_(todo))).all()
        new = {c.id: c for c in found}
        todo = [i for i in todo if i in new]
        fresh = matcher.vectorize([challenge_query(new[i]) for i in todo])
        ids = np.concatenate([old.ids[keep], np.asarray(todo, dtype=np.int64)])
        matrix = sp.vstack([old.matrix[np.flatnonzero(keep)], fresh], format="csr")
        vectors = _Vectors(matcher.vocabulary_, ids, {int(i): stamps[int(i)] for i in ids}, matrix)
        _cache["open"] = vectors
        return vectors.ids, vectors.matrix


def clear_cache() -> None:
    with _lock:
        _cache.clear()
