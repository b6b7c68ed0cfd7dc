"""Exact top-k over sparse score products, in row blocks, never densifying all pairs.

The cost of ``Q @ P.T`` is dominated by frequent terms: a term in a share ``p`` of queries and
``q`` of profiles costs ``p * q`` multiply-adds per (query, profile) pair, and a general sparse
product pays several nanoseconds for each. :class:`BlockRanker` therefore splits the
vocabulary: the few terms frequent enough (``q >= dense_df``) go through one dense BLAS
product per block (a contiguous ``(terms, profiles)`` float32 matrix built once, capped by
``dense_budget`` bytes), the long tail through SciPy's sparse product, and both land in one
reusable ``(block, profiles)`` float32 buffer. Blocks run on a thread pool: SciPy's sparse
product and BLAS release the GIL.

Per-row selection avoids ``argpartition`` over every column (tens of nanoseconds per entry):
the k-th largest value of a strided column sample is a lower bound of the row's k-th largest,
so comparing against it keeps a few hundred candidates per row, which are then sorted.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits  # installed with (and used by) scikit-learn

from xeco.matching import postings
from xeco.matching.calibration import calibrate_dense
from xeco.matching.profiles import Reducer, cap
from xeco.matching.weighting import DTYPE

_SELECT_ROWS = 128
_SAMPLE = 2048


def select_top_k(block: np.ndarray, k: int, min_score: float = 0.0):
    """Best ``k`` columns per row of a dense block, best first; ``-1`` / 0 pad.

    Only entries ``> min_score`` are returned (a zero score means no shared term).
    """
    rows = block.shape[0]
    idx = np.full((rows, k), -1, dtype=np.int64)
    val = np.zeros((rows, k), dtype=DTYPE)
    # Sub-blocks keep the comparison mask in cache while it is scanned.
    for start in range(0, rows, _SELECT_ROWS):
        stop = min(start + _SELECT_ROWS, rows)
        i, v = _select(block[start:stop], k, min_score)
        idx[start:stop], val[start:stop] = i, v
    return idx, val


def _select(block: np.ndarray, k: int, min_score: float):
    rows, n = block.shape
    k_eff = min(k, n)
    idx = np.full((rows, k), -1, dtype=np.int64)
    val = np.zeros((rows, k), dtype=DTYPE)
    if rows == 0 or k_eff == 0:
        return idx, val
    # A floor of at least the next float above min_score keeps zero-heavy rows from
    # turning every column into a candidate.
    low = np.nextafter(DTYPE(min_score), DTYPE(np.inf))
    stride = max(1, n // max(_SAMPLE, 64 * k_eff))
    if stride > 1:
        sample = block[:, ::stride]
        kk = min(k_eff, sample.shape[1])
        floor = np.partition(sample, sample.shape[1] - kk, axis=1)[:, -kk]
        floor = np.maximum(floor, low)
    else:
        floor = np.full(rows, low, dtype=DTYPE)
    r, c = np.nonzero(block >= floor[:, None])
    v = block[r, c]
    return order_top_k(r, c, v, rows, k)


class BlockRanker:
    """Top-k of ``Q @ P.T`` for a fixed profile matrix ``P`` (rows L2-normalised, CSR)."""

    def __init__(
        self,
        profiles: sp.csr_matrix,
        dense_df: float = 0.04,
        dense_budget: int = 512 * 2**20,
    ) -> None:
        n, v = profiles.shape
        self.n = n
        df = np.bincount(profiles.indices, minlength=v) / max(n, 1)
        max_terms = dense_budget // max(4 * n, 1)
        freq = np.flatnonzero(df >= dense_df)
        if len(freq) > max_terms:
            freq = freq[np.argsort(-df[freq], kind="stable")[:max_terms]]
        freq.sort()
        mask = np.zeros(v, dtype=bool)
        mask[freq] = True
        self.dense_terms = freq
        self.sparse_mask = ~mask
        csc = profiles.tocsc()
        self.dense = np.ascontiguousarray(csc[:, freq].T.toarray(), dtype=DTYPE)
        # Rows of PT are postings: a query row only touches the profiles holding its terms.
        rest = csc.copy()
        rest.data = rest.data * np.repeat(self.sparse_mask, np.diff(csc.indptr)).astype(DTYPE)
        rest.eliminate_zeros()
        self.sparse_t = rest.T.tocsr()

    def scores_into(self, q: sp.csr_matrix, out: np.ndarray) -> np.ndarray:
        """Dense scores of query rows ``q`` against every profile, written into ``out``."""
        out = out[: q.shape[0]]
        if len(self.dense_terms):
            np.matmul(q[:, self.dense_terms].toarray(), self.dense, out=out)
        else:
            out.fill(0)
        s = (q @ self.sparse_t).tocsr()
        flat = np.repeat(np.arange(s.shape[0], dtype=np.int64) * self.n, np.diff(s.indptr))
        flat += s.indices
        np.add.at(out.reshape(-1), flat, s.data)
        return out

    def top_k(
        self,
        q: sp.csr_matrix,
        k: int,
        block_rows: int | None = None,
        n_threads: int | None = None,
        min_score: float = 0.0,
        finish: Callable[[np.ndarray, int], np.ndarray] | None = None,
    ):
        """``(idx, scores)``, each ``(n_queries, k)``, best first, ``-1`` padded.

        ``finish(block, start)`` maps a block of row scores of the queries from ``start`` on
        to final profile scores (several rows per profile reduced, calibrated); by default
        rows are profiles and scores are final.
        """
        n_q = q.shape[0]
        if block_rows is None:
            # About 64 MB of float32 scores per block and thread, whatever the sizes.
            block_rows = int(max(16, min(2048, 2**24 // max(self.n, 1))))
        n_threads = n_threads or min(4, os.cpu_count() or 1)
        starts = list(range(0, n_q, block_rows))
        idx = np.full((n_q, k), -1, dtype=np.int64)
        val = np.zeros((n_q, k), dtype=DTYPE)

        def run(start: int, buf: np.ndarray) -> None:
            stop = min(start + block_rows, n_q)
            block = self.scores_into(q[start:stop], buf)
            if finish is not None:
                block = finish(block, start)
            idx[start:stop], val[start:stop] = select_top_k(block, k, min_score)

        if n_threads == 1 or len(starts) == 1:
            buf = np.empty((block_rows, self.n), dtype=DTYPE)
            for s in starts:
                run(s, buf)
            return idx, val
        local = threading.local()

        def job(start: int) -> None:
            if not hasattr(local, "buf"):
                local.buf = np.empty((block_rows, self.n), dtype=DTYPE)
            run(start, local.buf)

        # Our threads already fill the cores; BLAS threads on top of them only contend.
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(n_threads) as ex:
            list(ex.map(job, starts))
        return idx, val


def order_top_k(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n_rows: int, k: int):
    """``(idx, scores)`` ``(n_rows, k)`` from candidate triples: best first, ties to the lower
    column, ``-1`` / 0 padded."""
    idx = np.full((n_rows, k), -1, dtype=np.int64)
    val = np.zeros((n_rows, k), dtype=DTYPE)
    order = np.lexsort((cols, -vals.astype(np.float64), rows))
    r, c, v = rows[order], cols[order], vals[order]
    starts = np.searchsorted(r, np.arange(n_rows))
    rank = np.arange(len(r)) - starts[r]
    take = rank < k
    idx[r[take], rank[take]] = c[take]
    val[r[take], rank[take]] = v[take]
    return idx, val


def merge_top_k(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], k: int):
    """The best ``k`` per row of two top-k results over disjoint columns."""
    idx = np.concatenate([a[0], b[0]], axis=1)
    val = np.concatenate([a[1], b[1]], axis=1)
    rows, slot = np.nonzero(idx >= 0)
    return order_top_k(rows, idx[rows, slot], val[rows, slot], idx.shape[0], k)


class ProfileRanker:
    """Exact top-k profiles for many queries (see :mod:`xeco.matching.profiles` for rows).

    Profiles scored by one row go through :func:`xeco.matching.postings.top_k`; the few that
    keep one row per document (scored by the mean of their best ``m``) through
    :class:`BlockRanker` with that reduction; the two results are merged per query.
    """

    def __init__(
        self,
        rows: sp.csr_matrix,
        rows_t: sp.csr_matrix,
        n_profiles: int,
        extra_owner: np.ndarray,
        m: int,
    ):
        # The postings already held by the matcher, when no extra rows follow (no copy).
        same = rows.shape[0] == n_profiles
        self.base_t = rows_t if same else rows_t[:, :n_profiles].tocsr()
        self.large: tuple[np.ndarray, BlockRanker, Reducer] | None = None
        if len(extra_owner):
            owners, local = np.unique(extra_owner, return_inverse=True)
            empty = sp.csr_matrix((len(owners), rows.shape[1]), dtype=DTYPE)
            stacked = sp.vstack([empty, rows[n_profiles:]], format="csr")
            self.large = (owners, BlockRanker(stacked), Reducer(len(owners), local, m))

    def top_k(self, q, k, min_score=0.0, n_threads=None, block_rows=None, reach=None):
        """``reach``: ``(queries, profiles)`` (:mod:`xeco.matching.calibration`) or None."""
        n_threads = n_threads or min(4, os.cpu_count() or 1)
        idx, val = postings.top_k(q, self.base_t, k, min_score, n_threads, reach)
        cap(val)
        if self.large is None:
            return idx, val
        owners, ranker, reducer = self.large
        queries, profiles = reach if reach is not None else (None, None)
        mine = profiles.take(owners) if profiles is not None else None

        def finish(block: np.ndarray, start: int) -> np.ndarray:
            out = reducer.reduce(block)
            part = queries.take(slice(start, start + len(out))) if queries is not None else None
            return calibrate_dense(out, part, mine)

        lidx, lval = ranker.top_k(q, k, block_rows, n_threads, min_score, finish=finish)
        lidx = np.where(lidx >= 0, owners[np.maximum(lidx, 0)], -1)
        return merge_top_k((idx, val), (lidx, lval), k)
