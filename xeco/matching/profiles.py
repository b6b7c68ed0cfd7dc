"""How a profile's documents become scoring rows, and row scores become profile scores.

``topm`` (the default) scores a profile as the mean cosine of the query with the profile's
``m`` most similar documents: a researcher with twenty papers is judged by the few that fit,
not diluted by the rest. Computing it per document for everyone would multiply the work by
the number of documents, but for a profile with at most ``m`` documents the mean of its top
``m`` is the mean of *all* its cosines, which is one dot product with the mean of its unit
vectors. So those profiles get one row, and only profiles with more than ``m`` documents keep
one row per document ("extra" rows after the first ``n_profiles``), reduced per block.

Layout of the scoring matrix: row ``j < n_profiles`` is profile ``j``'s single row (empty for
profiles with extra rows); rows from ``n_profiles`` on are documents of large profiles, grouped
by owner, with ``extra_owner[i]`` giving the profile of extra row ``n_profiles + i``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from xeco.matching import weighting


def topm_rows(
    units: sp.csr_matrix, owner: np.ndarray, n_profiles: int, m: int
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Scoring rows and ``extra_owner`` from per-document unit vectors (``owner`` sorted)."""
    count = np.bincount(owner, minlength=n_profiles)
    small_doc = count[owner] <= m
    scale = np.where(small_doc, 1.0 / np.maximum(count[owner], 1), 0.0).astype(np.float32)
    base = weighting.owner_sum(sp.diags(scale) @ units, owner, n_profiles)
    base.eliminate_zeros()
    large_docs = np.flatnonzero(~small_doc)
    extra = units[large_docs]
    return sp.vstack([base, extra], format="csr"), owner[large_docs].astype(np.int64)


# Scores above this are squeezed into (KNEE, 1) (see :func:`cap`).
KNEE = 0.9


def cap(scores: np.ndarray) -> np.ndarray:
    """Keep scores below 1 in place, order unchanged.

    A query's length leaves out its rarest terms (``Config.norm_min_df``), so a query made
    almost only of one profile's words can pass 1. Above ``KNEE`` a tanh squeezes the rest
    into (KNEE, 1): every score that was below stays as it was, and no two scores that
    differed become equal (as a plain ``minimum(s, 1)`` would make them).
    """
    high = scores > KNEE
    if high.any():
        scores[high] = KNEE + (1 - KNEE) * np.tanh((scores[high] - KNEE) / (1 - KNEE))
    return scores


class Reducer:
    """Turns scores over scoring rows into scores over profiles (mean of the top ``m``)."""

    def __init__(self, n_profiles: int, extra_owner: np.ndarray, m: int) -> None:
        self.n = n_profiles
        self.m = m
        self.extra_owner = extra_owner
        # Group large profiles by their number of documents so each size is one partition.
        self.groups: list[tuple[np.ndarray, np.ndarray]] = []
        if len(extra_owner):
            owners, starts, sizes = np.unique(extra_owner, return_index=True, return_counts=True)
            for s in np.unique(sizes):
                pick = sizes == s
                cols = starts[pick][:, None] + np.arange(s)[None, :] + n_profiles
                self.groups.append((owners[pick], cols))

    @property
    def trivial(self) -> bool:
        return not self.groups

    def _topm(self, docs: np.ndarray) -> np.ndarray:
        """Mean of the ``m`` largest along the last axis of ``(..., s)`` with ``s > m``."""
        s = docs.shape[-1]
        part = np.partition(docs, s - self.m, axis=-1)[..., s - self.m :]
        return part.mean(axis=-1)

    def reduce(self, block: np.ndarray) -> np.ndarray:
        """Profile scores ``(b, n_profiles)`` as a view of ``block`` ``(b, n_rows)``, not
        capped yet (calibration comes first, :mod:`xeco.matching.calibration`)."""
        out = block[:, : self.n]
        for owners, cols in self.groups:
            out[:, owners] = self._topm(block[:, cols])
        return out

    def reduce_sparse(self, s: sp.csr_matrix) -> sp.csr_matrix:
        """As :meth:`reduce` for a sparse ``(q, n_rows)`` score matrix, staying sparse."""
        base = s[:, : self.n].tocsr()
        if self.trivial:
            return base
        extra = s[:, self.n :].toarray()
        rows, cols, vals = [], [], []
        for owners, c in self.groups:
            v = self._topm(extra[:, c - self.n])
            r, k = np.nonzero(v)
            rows.append(r)
            cols.append(owners[k])
            vals.append(v[r, k])
        large = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=base.shape,
            dtype=base.dtype,
        )
        return (base + large).tocsr()

    def rows_of(self, j: int) -> np.ndarray:
        """Scoring rows of profile ``j``: its own, or its documents' when it has extra rows."""
        mine = np.flatnonzero(self.extra_owner == j)
        return mine + self.n if len(mine) else np.array([j])

    def combine(self, row_scores: np.ndarray) -> np.ndarray:
        """Profile scores from ``(q, rows)`` scores of one profile's :meth:`rows_of`."""
        s = row_scores[:, 0] if row_scores.shape[1] == 1 else self._topm(row_scores)
        return np.ascontiguousarray(s)

    def explain_rows(self, j: int, row_scores: np.ndarray) -> tuple[np.ndarray, float]:
        """Scoring rows behind profile ``j`` for one query, and the weight of each."""
        if j >= self.n or not len(self.extra_owner):
            return np.array([j]), 1.0
        mine = np.flatnonzero(self.extra_owner == j)
        if not len(mine):
            return np.array([j]), 1.0
        rows = mine + self.n
        return rows[np.argsort(-row_scores[rows], kind="stable")[: self.m]], 1.0 / self.m
