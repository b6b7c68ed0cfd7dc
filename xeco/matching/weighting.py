"""Term counting and TF-IDF / BM25 weighting on sparse matrices (float32 throughout)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from xeco.matching.inputs import Document
from xeco.matching.methods import Config
from xeco.matching.text import Analyzer

DTYPE = np.float32


def count_documents(
    docs: Iterable[Document],
    analyzer: Analyzer,
    vocabulary: dict[str, int],
    grow: bool,
    surface: Counter | None = None,
) -> sp.csr_matrix:
    """Weighted term counts, one row per document.

    With ``grow`` unseen terms are added to ``vocabulary`` (fitting); otherwise they are
    ignored (transforming). ``surface`` collects word frequencies for readable explanations.
    """
    indices: list[int] = []
    data: list[float] = []
    indptr = [0]
    get = vocabulary.get
    for doc in docs:
        for text, weight in doc:
            if not text or weight == 0:
                continue
            ws, counts = analyzer.text_counts(text)
            if surface is not None:
                surface.update(ws)
            if grow:
                ids = [vocabulary.setdefault(t, len(vocabulary)) for t in counts]
                values = counts.values()
            else:
                pairs = [(get(t), c) for t, c in counts.items()]
                ids = [i for i, _ in pairs if i is not None]
                values = [c for i, c in pairs if i is not None]
            indices.extend(ids)
            if weight == 1:
                data.extend(values)
            else:
                data.extend(c * weight for c in values)
        indptr.append(len(indices))
    m = sp.csr_matrix(
        (np.asarray(data, dtype=DTYPE), np.asarray(indices, dtype=np.int32), indptr),
        shape=(len(indptr) - 1, len(vocabulary)),
    )
    m.sum_duplicates()
    return m


def sublinear(m: sp.csr_matrix) -> sp.csr_matrix:
    """1 + ln(tf) for tf >= 1, tf itself below 1 (down-weighted fields stay below a full hit)."""
    m = m.copy()
    d = m.data
    big = d > 1
    d[big] = 1 + np.log(d[big])
    return m


def bm25_tf(m: sp.csr_matrix, k1: float, b: float, avg_len: float) -> sp.csr_matrix:
    """BM25 saturation tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len)), per row."""
    m = m.copy()
    lengths = np.asarray(m.sum(axis=1)).ravel()
    norm = k1 * (1 - b + b * lengths / max(avg_len, 1e-9))
    row_norm = np.repeat(norm, np.diff(m.indptr)).astype(DTYPE)
    m.data = (m.data * (k1 + 1) / (m.data + row_norm)).astype(DTYPE)
    return m


def tf(m: sp.csr_matrix, cfg: Config) -> sp.csr_matrix:
    if cfg.tf == "log":
        return sublinear(m)
    if cfg.tf == "raw":
        return m.copy()
    raise ValueError(f"unknown tf {cfg.tf!r}")


def idf(df: np.ndarray, n: int, cfg: Config) -> np.ndarray:
    df = df.astype(np.float64)
    if cfg.idf == "smooth":
        w = np.log((1 + n) / (1 + df)) + 1
    elif cfg.idf == "plain":
        w = np.log(n / np.maximum(df, 1)) + 1
    elif cfg.idf == "prob":
        w = np.log((n - df + 0.5) / (df + 0.5))
    else:
        raise ValueError(f"unknown idf {cfg.idf!r}")
    return (np.maximum(w, cfg.idf_floor) ** cfg.idf_power).astype(DTYPE)


def document_frequency(m: sp.csr_matrix) -> np.ndarray:
    return np.bincount(m.indices, minlength=m.shape[1])


def l2_normalise(m: sp.csr_matrix, counted: np.ndarray | None = None) -> sp.csr_matrix:
    """Rows scaled to unit length (all-zero rows stay zero), so a dot product is the cosine.

    ``counted``: a boolean mask of the columns that make up the length (default: all).
    """
    m = m.tocsr(copy=True)
    if counted is None:
        sq = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    else:
        d = np.where(counted[m.indices], m.data, 0).astype(np.float64)
        sq = np.add.reduceat(d * d, m.indptr[:-1]) if len(d) else np.zeros(m.shape[0])
        sq[np.diff(m.indptr) == 0] = 0
    norms = np.sqrt(sq, dtype=np.float64)
    norms[norms == 0] = 1
    m.data = (m.data / np.repeat(norms, np.diff(m.indptr))).astype(DTYPE)
    return m


def channel_normalise(
    m: sp.csr_matrix, counted: np.ndarray | None, han: np.ndarray, han_share: float
) -> sp.csr_matrix:
    """Unit rows made of two channels: Chinese-only columns and the shared columns.

    Each channel is scaled to unit length on its own and the two are mixed so that a row with
    both has ``han_share`` of its squared length in the Chinese channel. So two Chinese texts
    score ``(1 - han_share) * shared cosine + han_share * Chinese cosine``; an English text
    has no Chinese channel, meets a Chinese one only in the shared channel, and how much of
    the Chinese text is untranslatable no longer decides how well it matches English.
    """
    m = m.tocsr(copy=True)
    n = m.shape[0]
    lengths = []
    for mask in (~han, han):
        keep = mask if counted is None else mask & counted
        d = np.where(keep[m.indices], m.data, 0).astype(np.float64)
        sq = np.zeros(n)
        rows = np.repeat(np.arange(n), np.diff(m.indptr))
        np.add.at(sq, rows, d * d)
        lengths.append(np.sqrt(sq))
    shared_len, han_len = lengths
    both = (shared_len > 0) & (han_len > 0)
    a = np.where(both, np.sqrt(1 - han_share), 1.0)
    b = np.where(both, np.sqrt(han_share), 1.0)
    scale_shared = np.divide(a, shared_len, out=np.zeros(n), where=shared_len > 0)
    scale_han = np.divide(b, han_len, out=np.zeros(n), where=han_len > 0)
    rows = np.repeat(np.arange(n), np.diff(m.indptr))
    factor = np.where(han[m.indices], scale_han[rows], scale_shared[rows])
    m.data = (m.data * factor).astype(DTYPE)
    return m


def scale_columns(m: sp.csr_matrix, w: np.ndarray) -> sp.csr_matrix:
    m = m.copy()
    m.data = (m.data * w[m.indices]).astype(DTYPE)
    return m


def owner_sum(m: sp.csr_matrix, owners: np.ndarray, n_owners: int) -> sp.csr_matrix:
    """Rows of ``m`` summed by owner: row i goes to row ``owners[i]`` of the result."""
    g = sp.csr_matrix(
        (np.ones(len(owners), dtype=DTYPE), (owners, np.arange(len(owners)))),
        shape=(n_owners, m.shape[0]),
    )
    return (g @ m).tocsr()
