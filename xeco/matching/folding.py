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
    must follow on (``n_profiles_``, ``n_profiles_ + 1``, ...).
    """
    m._check()
    n = m.n_profiles_
    positions = sorted(changes)
    added = [p for p in positions if p >= n]
    if added != list(range(n, n + len(added))):
        raise ValueError(f"new profiles must take positions {n}, {n + 1}, ... in order")
    present = [p for p in positions if changes[p] is not None]
    rows, extra_owner, unknown, mass = _new_rows(m, [changes[p] for p in present])
    n_new = n + len(added)
    # Base rows: the old ones, the new ones and one empty row; each position gathers its own.
    empty_row = sp.csr_matrix((1, m.rows_.shape[1]), dtype=weighting.DTYPE)
    stacked = sp.vstack([m.rows_[:n], rows[: len(present)], empty_row], format="csr")
    gather = np.arange(n_new)
    pos = np.asarray(positions, dtype=np.int64)
    gather[pos] = stacked.shape[0] - 1
    gather[np.asarray(present, dtype=np.int64)] = n + np.arange(len(present))
    base = stacked[gather]
    # Extra rows (profiles of many documents): the old ones of unchanged profiles, then the new.
    keep = ~np.isin(m.extra_owner_, pos)
    old_extra = m.rows_[n:][np.flatnonzero(keep)]
    new_extra = rows[len(present) :]
    owners = np.concatenate(
        [m.extra_owner_[keep], np.asarray(present, dtype=np.int64)[extra_owner]]
    )
    out = copy.copy(m)
    out.n_profiles_ = n_new
    out.folded_ = m.folded_ + len(changes)
    out.unknown_mass_ = m.unknown_mass_ + unknown
    out.folded_mass_ = m.folded_mass_ + mass
    out._set_rows(sp.vstack([base, old_extra, new_extra], format="csr"), owners)
    return out
