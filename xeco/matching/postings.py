"""Exact top-k of many queries against one-row profiles: a compiled walk over the postings.

Why not a library product: on real profile sets most (query, profile) pairs share a term (94 %
on the benchmark corpus), so a general sparse product pays for bookkeeping it cannot use:
scipy builds a nearly dense sparse result, and sparse-dot-topn, which keeps a list of touched
columns and a heap per row, took twice this module's time at 100,000 profiles. Here each query
row adds ``weight * posting`` straight into a dense float32 accumulator of one slot per profile
(400 KB at 100,000 profiles, so it stays in the core's cache), then one pass over it keeps the
best ``k`` and clears it for the next row (about 1.2 ns of CPU per posting walked). A score
across languages is multiplied by its pair's factor (:mod:`xeco.matching.calibration`) as it is
read, before the floor and the selection see it.

The sums run in the same order as ``q @ pt`` (the query's terms by column, postings by profile),
so scores equal SciPy's. Ties go to the lower profile index, as everywhere in the engine.
numba compiles the loop on the first call of a process (cached on disk after that); it is
imported only here, so processes that never rank many queries at once never load it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from xeco.matching.calibration import Reach
from xeco.matching.weighting import DTYPE

# Query rows per task: enough to amortise the accumulator, few enough to balance threads.
_ROWS_PER_TASK = 256

_kernel = None


def _compiled():
    global _kernel
    if _kernel is None:
        from numba import njit

        _kernel = njit(nogil=True, cache=True, boundscheck=False)(_rank_rows)
    return _kernel


def _rank_rows(
    q_indptr,
    q_indices,
    q_data,
    pt_indptr,
    pt_indices,
    pt_data,
    n,
    k,
    min_score,
    q_chinese,
    q_inverse,
    p_chinese,
    p_inverse,
    start,
    stop,
    out_idx,
    out_val,
):
    acc = np.zeros(n, np.float32)
    top_v = np.empty(k, np.float32)
    top_i = np.empty(k, np.int64)
    for r in range(start, stop):
        for a in range(q_indptr[r], q_indptr[r + 1]):
            t = q_indices[a]
            w = q_data[a]
            for b in range(pt_indptr[t], pt_indptr[t + 1]):
                acc[pt_indices[b]] += w * pt_data[b]
        count = 0
        floor = min_score
        chinese = q_chinese[r]
        inverse = q_inverse[r]
        for j in range(n):
            v = acc[j]
            if v != 0.0 and not (chinese and p_chinese[j]):
                v *= inverse * p_inverse[j]
            if v > floor:
                # Insert before the first strictly smaller value: an equal value found
                # earlier (a lower column) stays ahead, and a full list drops its last.
                p = count if count < k else k - 1
                while p > 0 and top_v[p - 1] < v:
                    if p < k:
                        top_v[p] = top_v[p - 1]
                        top_i[p] = top_i[p - 1]
                    p -= 1
                top_v[p] = v
                top_i[p] = j
                if count < k:
                    count += 1
                if count == k:
                    floor = max(min_score, top_v[k - 1])
            acc[j] = 0.0
        for p in range(count):
            out_idx[r, p] = top_i[p]
            out_val[r, p] = top_v[p]


def top_k(
    q: sp.csr_matrix,
    pt: sp.csr_matrix,
    k: int,
    min_score: float,
    n_threads: int,
    reach: tuple[Reach, Reach] | None = None,
):
    """``(idx, scores)`` ``(n_queries, k)`` of ``q @ pt``: best first, only scores
    ``> min_score``, ties to the lower column, ``-1`` / 0 padded.

    ``pt`` holds one row of postings per term (the transposed profile matrix, CSR).
    ``reach``: the queries' and the profiles' (:mod:`xeco.matching.calibration`); each score
    is multiplied by the pair's factor before it is compared.
    """
    n_q, n = q.shape[0], pt.shape[1]
    idx = np.full((n_q, k), -1, dtype=np.int64)
    val = np.zeros((n_q, k), dtype=DTYPE)
    if n_q == 0 or n == 0 or k <= 0:
        return idx, val
    q = sp.csr_matrix(q, dtype=DTYPE)
    pt = sp.csr_matrix(pt, dtype=DTYPE)
    kernel = _compiled()
    floor = DTYPE(min_score)
    if reach is None:
        reach = (Reach.neutral(n_q), Reach.neutral(n))
    qr, pr = reach

    def run(start: int) -> None:
        stop = min(start + _ROWS_PER_TASK, n_q)
        kernel(
            q.indptr,
            q.indices,
            q.data,
            pt.indptr,
            pt.indices,
            pt.data,
            n,
            k,
            floor,
            qr.chinese,
            qr.inverse,
            pr.chinese,
            pr.inverse,
            start,
            stop,
            idx,
            val,
        )

    starts = range(0, n_q, _ROWS_PER_TASK)
    if n_threads <= 1 or len(starts) == 1:
        for s in starts:
            run(s)
    else:
        # The kernel releases the GIL, so the tasks run on all threads at once.
        with ThreadPoolExecutor(n_threads) as ex:
            list(ex.map(run, starts))
    return idx, val
