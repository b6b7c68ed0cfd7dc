"""Folding new and edited profiles into a fitted matcher, without a refit.

A refit re-reads every profile (seconds at 100,000). A changed profile only needs its own
rows, weighed with the fitted idf and normalised exactly as :meth:`Matcher.fit` does, and put
in place of its old rows. Vocabulary, idf and every other profile's rows stay as fitted.

Unknown terms (words no fitted profile has) get **no column but count in the length**, with
the idf of a term of document frequency 1 (the largest there is). No challenge vector has such
a column either (queries are vectorised in the fitted vocabulary), so a column would never
score; but a refit would give the term document frequency 1, that is this idf, and that weight
would shorten every other term's share of the unit row. Skipping them instead would make a
profile full of new words score higher against the old ones than it will after the refit.

Drift: ``folded_`` counts the profiles folded since the fit and ``unknown_mass_`` /
``folded_mass_`` the share of their term counts that were unknown. :func:`drift` turns these
into the two numbers the refit policy watches (see :data:`FOLDED_SHARE`, :data:`UNKNOWN_SHARE`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from xeco.matching import weighting
from xeco.matching.inputs import profile_documents

if TYPE_CHECKING:
    from xeco.matching.matcher import Matcher

# Adding a share f of new documents moves any idf ln(N/df) + 1 by at most ln(1 + f), under
# 0.05 at 5 %: well inside the noise of term weights. Past it, a refit is due.
FOLDED_SHARE = 0.05
# New subject matter: a tenth of the folded profiles' term mass has no column to match on.
UNKNOWN_SHARE = 0.10


def drift(m: Matcher) -> dict[str, float]:
    """``{"folded_share", "unknown_share", "folded"}`` of a fitted (maybe folded) matcher."""
    return {
        "folded": int(m.folded_),
        "folded_share": m.folded_ / max(m.n_profiles_, 1),
        "unknown_share": m.unknown_mass_ / m.folded_mass_ if m.folded_mass_ else 0.0,
    }


def needs_refit(m: Matcher) -> bool:
    d = drift(m)
    return d["folded_share"] > FOLDED_SHARE or d["unknown_share"] > UNKNOWN_SHARE


def _new_rows(m: Matcher, profiles: list[Any]):
    """Scoring rows (in the fitted columns) of ``profiles``, their extra-row owners, and the
    unknown and total term mass."""
    cfg = m.config
    docs, owners = [], []
    for i, profile in enumerate(profiles):
        for doc in profile_documents(profile, cfg):
            docs.append(doc)
            owners.append(i)
    n_terms = len(m.terms_)
    vocabulary = dict(m.vocabulary_)
    counts = weighting.count_documents(docs, weighting.WordTable(m.analyzer, vocabulary, True))
    n_ext = counts.shape[1]
    extra_terms = sorted(vocabulary, key=vocabulary.__getitem__)[n_terms:]
    # What a refit would give a term of one profile (above every fitted idf).
    rare = weighting.idf(np.array([max(1, m.config.df_floor)]), m.n_units_, m.config)[0]
    idf = np.concatenate([m.idf_, np.full(n_ext - n_terms, rare, dtype=m.idf_.dtype)])
    counted = None
    if m.counted_ is not None:
        counted = np.concatenate([m.counted_, np.zeros(n_ext - n_terms, dtype=bool)])
    owner = np.asarray(owners, dtype=np.int64)
    rows, extra_owner = m._combine(
        counts, owner, len(profiles), (idf, counted, m.terms_ + extra_terms)
    )
    unknown = float(counts[:, n_terms:].sum())
    return rows[:, :n_terms].tocsr(), extra_owner, unknown, float(counts.sum())


def fold(m: Matcher, changes: Mapping[int, Any]) -> Matcher:
    """A copy of ``m`` with ``changes`` applied: position -> new profile, or ``None`` to empty
    it (a closed capability keeps its position and never scores).

    Positions below ``n_profiles_`` are replaced; new profiles take the next positions, which
    must follow on (``n_profiles_``, ``n_profiles_ + 1``, ...). The scoring rows and their
    postings are spliced, not rebuilt: the cost is a few copies of the arrays, not a
    transposition (a second at 100,000 profiles).
    """
    m._check()
    n = m.n_profiles_
    positions = sorted(changes)
    added = [p for p in positions if p >= n]
    if added != list(range(n, n + len(added))):
        raise ValueError(f"new profiles must take positions {n}, {n + 1}, ... in order")
    present = [p for p in positions if changes[p] is not None]
    new, extra_owner, unknown, mass = _new_rows(m, [changes[p] for p in present])
    n_new = n + len(added)
    # Where each row of the result comes from: an old row, a new one, or nothing (emptied).
    # Order: profile positions, the old extra rows of unchanged profiles, the new extra rows.
    old_src = np.full(n_new, -1, dtype=np.int64)
    old_src[:n] = np.arange(n)
    old_src[np.asarray(positions, dtype=np.int64)] = -1
    new_src = np.full(n_new, -1, dtype=np.int64)
    new_src[np.asarray(present, dtype=np.int64)] = np.arange(len(present))
    keep = np.flatnonzero(~np.isin(m.extra_owner_, positions))
    n_new_extra = new.shape[0] - len(present)
    old_src = np.concatenate([old_src, n + keep, np.full(n_new_extra, -1)])
    new_src = np.concatenate(
        [new_src, np.full(len(keep), -1), len(present) + np.arange(n_new_extra)]
    )
    owners = np.concatenate(
        [m.extra_owner_[keep], np.asarray(present, dtype=np.int64)[extra_owner]]
    )
    rows = _splice(m.rows_, new, old_src, new_src)
    rows_t = _splice_postings(m.rows_t_, m.rows_, new, old_src, new_src)
    out = copy.copy(m)
    out.n_profiles_ = n_new
    out.folded_ = m.folded_ + len(changes)
    out.unknown_mass_ = m.unknown_mass_ + unknown
    out.folded_mass_ = m.folded_mass_ + mass
    out._set_rows(rows, owners, rows_t)
    return out


def _splice(old: sp.csr_matrix, new: sp.csr_matrix, old_src, new_src) -> sp.csr_matrix:
    """Rows taken from ``old`` (``old_src`` >= 0), ``new`` (``new_src`` >= 0) or empty, in
    runs: unchanged stretches are copied as slices."""
    src = np.where(old_src >= 0, 0, np.where(new_src >= 0, 1, 2))
    sid = np.where(src == 0, old_src, np.where(src == 1, new_src, 0))
    cut = np.flatnonzero((np.diff(src) != 0) | (np.diff(sid) != 1) | (src[1:] == 2)) + 1
    starts = np.concatenate([[0], cut])
    stops = np.concatenate([cut, [len(src)]])
    data, indices, lengths = [], [], []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        if src[a] == 2:
            lengths.append(np.zeros(b - a, dtype=np.int64))
            continue
        m = old if src[a] == 0 else new
        lo, hi = int(sid[a]), int(sid[b - 1]) + 1
        data.append(m.data[m.indptr[lo] : m.indptr[hi]])
        indices.append(m.indices[m.indptr[lo] : m.indptr[hi]])
        lengths.append(np.diff(m.indptr[lo : hi + 1]))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))])
    return sp.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0, weighting.DTYPE),
            np.concatenate(indices).astype(old.indices.dtype, copy=False)
            if indices
            else np.zeros(0, np.int32),
            indptr.astype(old.indptr.dtype, copy=False),
        ),
        shape=(len(src), old.shape[1]),
    )


def _splice_postings(
    old_t: sp.csr_matrix, old: sp.csr_matrix, new: sp.csr_matrix, old_src, new_src
):
    """The transposed rows (postings by term) of :func:`_splice`'s result, from the old ones.

    Only the terms of removed or new rows change: they get their old entries less the removed
    rows' and then the new rows' (not sorted by row, which products allow). Every other term's
    postings are copied as they are, renumbered only when extra rows moved.
    """
    remap = np.full(old_t.shape[1], -1, dtype=np.int64)
    taken = np.flatnonzero(old_src >= 0)
    remap[old_src[taken]] = taken
    moved = not np.array_equal(old_src[taken], taken)
    cols = remap[old_t.indices] if moved else old_t.indices
    gone = np.flatnonzero(remap < 0)
    fresh = np.flatnonzero(new_src >= 0)
    row_id = np.empty(new.shape[0], dtype=np.int64)
    row_id[new_src[fresh]] = fresh
    coo = new.tocoo()
    order = np.argsort(coo.col, kind="stable")
    n_term, n_row, n_val = coo.col[order], row_id[coo.row[order]], coo.data[order]
    touched = np.union1d(old[gone].indices, n_term)
    ptr = old_t.indptr
    lengths = np.diff(ptr).astype(np.int64)
    idx_parts, val_parts = [], []
    start = 0
    n_bounds = np.searchsorted(n_term, touched), np.searchsorted(n_term, touched, side="right")
    for t, lo_new, hi_new in zip(touched.tolist(), *(b.tolist() for b in n_bounds), strict=True):
        idx_parts.append(cols[ptr[start] : ptr[t]])
        val_parts.append(old_t.data[ptr[start] : ptr[t]])
        seg = cols[ptr[t] : ptr[t + 1]]
        live = (seg >= 0) if moved else (remap[seg] >= 0)
        idx_parts += [seg[live], n_row[lo_new:hi_new]]
        val_parts += [old_t.data[ptr[t] : ptr[t + 1]][live], n_val[lo_new:hi_new]]
        lengths[t] = int(live.sum()) + hi_new - lo_new
        start = t + 1
    idx_parts.append(cols[ptr[start] :])
    val_parts.append(old_t.data[ptr[start] :])
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(ptr.dtype)
    indices = np.concatenate(idx_parts).astype(old_t.indices.dtype, copy=False)
    t = sp.csr_matrix(
        (np.concatenate(val_parts), indices, indptr), shape=(old_t.shape[0], len(old_src))
    )
    t.has_sorted_indices = False
    return t
