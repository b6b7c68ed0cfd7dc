"""Scores across languages on the scale of scores within one.

Both languages share the English concept columns, but only a Chinese text also fills the
Chinese-only columns (its words and character n-grams). Against an English text those columns
can never match, yet they count in the Chinese text's length: a Chinese profile whose concepts
hold a third of its squared length reaches at most ``sqrt(1/3)`` against any English query,
however relevant. Ranked together, every Chinese lab then sits below every English lab of
equal relevance for an English challenge, and a global score floor drops most of them.

So a pair's cosine is taken over the columns both texts could fill: when either text is not
Chinese, that is the shared (Latin) columns alone, and the dot product is divided by the
length each text has there. Two Chinese texts, or two English ones, keep their cosine as it
is. In vector terms, ``score = q.p / (Lq * Lp)`` unless both are Chinese, where ``L`` is the
length of a unit vector's Latin columns (1 for a text without Chinese).

A text counts as Chinese when its Chinese-only columns hold at least ``reach`` of its squared
length, so an English text that quotes one Chinese term stays English.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from xeco.matching.profiles import cap
from xeco.matching.text import has_chinese
from xeco.matching.weighting import DTYPE

# A Latin length below this is a text made almost only of Chinese-only columns: its few
# shared columns must not be blown up into a high score.
_MIN_LATIN = 0.2


def han_columns(terms: list[str]) -> np.ndarray:
    return np.fromiter((has_chinese(t) for t in terms), dtype=bool, count=len(terms))


@dataclass(frozen=True)
class Reach:
    """Per text (row): whether it counts as Chinese, and ``1 / Lx`` (its Latin length)."""

    chinese: np.ndarray  # bool
    inverse: np.ndarray  # float32, >= 1

    @classmethod
    def of(cls, rows: sp.csr_matrix, han: np.ndarray, share: float, owner=None, n=None):
        """From scoring rows; with ``owner`` (row -> text, ``n`` texts) the squared weights
        of a text's rows are added up, so a profile scored from several documents gets one
        reach. One pass over the stored values: a fold at 100,000 profiles repeats it."""
        squares = sp.csr_matrix(rows, dtype=DTYPE, copy=True)
        squares.data **= 2
        # Two products with the stored values squared: no array per stored value beyond them.
        total = squares @ np.ones(squares.shape[1], dtype=DTYPE)
        chinese_part = squares @ han.astype(DTYPE)
        if owner is not None:
            total = np.bincount(owner, weights=total, minlength=n)
            chinese_part = np.bincount(owner, weights=chinese_part, minlength=n)
        n = len(total)
        ratio = np.divide(chinese_part, total, out=np.zeros(n), where=total > 0)
        latin = np.sqrt(np.maximum(1.0 - ratio, _MIN_LATIN**2))
        return cls(ratio >= share, (1.0 / latin).astype(DTYPE))

    @classmethod
    def neutral(cls, n: int) -> Reach:
        """``n`` texts that change no score (an engine configured without calibration)."""
        return cls(np.zeros(n, dtype=bool), np.ones(n, dtype=DTYPE))

    def take(self, index) -> Reach:
        return Reach(self.chinese[index], self.inverse[index])


def pair_factors(queries: Reach, profiles: Reach, i, j) -> np.ndarray:
    """Multipliers of the raw scores of the pairs ``(queries[i], profiles[j])``: 1 when both
    are Chinese, else ``1 / (Lq * Lp)``. ``i`` and ``j`` broadcast: positions, arrays of
    them, or ``np.s_[:, None]`` and ``np.s_[None, :]`` for every pair. The compiled postings
    walk (:mod:`xeco.matching.postings`) applies the same rule inline."""
    both = queries.chinese[i] & profiles.chinese[j]
    return np.where(both, DTYPE(1), queries.inverse[i] * profiles.inverse[j])


def calibrate_dense(scores: np.ndarray, queries: Reach | None, profiles: Reach | None):
    """Raw scores ``(queries, profiles)`` in place: scaled by each pair's factor, then capped."""
    if queries is not None and profiles is not None:
        scores *= pair_factors(queries, profiles, np.s_[:, None], np.s_[None, :])
    return cap(scores)


def calibrate_sparse(scores: sp.csr_matrix, queries: Reach | None, profiles: Reach | None):
    """As :func:`calibrate_dense` for a CSR matrix, changing only its stored values."""
    if queries is not None and profiles is not None:
        rows = np.repeat(np.arange(scores.shape[0]), np.diff(scores.indptr))
        scores.data *= pair_factors(queries, profiles, rows, scores.indices)
    cap(scores.data)
    return scores
