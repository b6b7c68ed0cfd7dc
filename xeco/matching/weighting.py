"""Term counting and TF-IDF / BM25 weighting on sparse matrices (float32 throughout)."""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from xeco.matching.inputs import Document
from xeco.matching.methods import Config
from xeco.matching.text import Analyzer, has_chinese, tokens

DTYPE = np.float32


class WordTable(dict):
    """Normalised word -> its row in ``words``, whose column is ``columns[row]`` (-1: none).

    Missing words are analysed once (:meth:`__missing__`), so a text's words map to rows with
    ``map(table.__getitem__, words)`` at C speed. With ``grow`` new terms are added to
    ``vocabulary`` (fitting); otherwise terms outside it map to -1 (transforming). A table is
    only valid for the vocabulary it was made with.
    """

    def __init__(self, analyzer: Analyzer, vocabulary: dict[str, int], grow: bool) -> None:
        super().__init__()
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.grow = grow
        self.words: list[str] = []
        self.columns = array("i")
        self._lock = threading.Lock()

    def __missing__(self, word: str) -> int:
        t = self.analyzer.term(word)
        # Worker threads may share a fitted matcher: a row and its column are added together.
        with self._lock:
            if t is None:
                j = -1
            elif self.grow:
                j = self.vocabulary.setdefault(t, len(self.vocabulary))
            else:
                j = self.vocabulary.get(t, -1)
            row = len(self.words)
            self.words.append(word)
            self.columns.append(j)
            self[word] = row
        return row

    def columns_of(self, rows: np.ndarray) -> np.ndarray:
        """The column of each of ``rows`` (-1: none), as a copy: a view of ``columns`` must
        not be alive while another thread appends to it."""
        with self._lock:
            return _ints(self.columns)[rows]

    def column(self, term: str) -> int | None:
        if self.grow:
            return self.vocabulary.setdefault(term, len(self.vocabulary))
        return self.vocabulary.get(term)


class _Chunk:
    """Term occurrences of a run of documents, turned into CSR rows by :meth:`flush`."""

    def __init__(self) -> None:
        self.word_rows = array("i")  # table rows of the plain path's words, in order
        self.seg_len, self.seg_doc, self.seg_weight = array("i"), array("i"), array("f")
        self.rows, self.cols, self.vals = array("i"), array("i"), array("f")

    def flush(self, table: WordTable, first: int, stop: int, freq: list) -> sp.csr_matrix:
        w = _ints(self.word_rows)
        plain_cols = table.columns_of(w)
        kept = plain_cols >= 0
        lengths = _ints(self.seg_len)
        plain_rows = np.repeat(_ints(self.seg_doc), lengths)[kept]
        plain_vals = np.repeat(np.asarray(self.seg_weight, dtype=DTYPE), lengths)[kept]
        if len(w):
            freq.append(np.bincount(w))
        m = sp.coo_matrix(
            (
                np.concatenate([plain_vals, np.asarray(self.vals, dtype=DTYPE)]),
                (
                    np.concatenate([plain_rows, _ints(self.rows)]) - first,
                    np.concatenate([plain_cols[kept], _ints(self.cols)]),
                ),
            ),
            shape=(stop - first, len(table.vocabulary)),
        )
        # Duplicates (a word seen twice in a document) are summed by the conversion.
        return m.tocsr()


def _ints(a: array) -> np.ndarray:
    return np.frombuffer(a, dtype=np.int32) if len(a) else np.zeros(0, np.int32)


# Word occurrences held before they are summed into rows: bounds the memory of a large fit.
_CHUNK_WORDS = 2_000_000


def count_documents(
    docs: Iterable[Document],
    table: WordTable,
    surface: Counter | None = None,
) -> sp.csr_matrix:
    """Weighted term counts, one row per document, in the columns of ``table``'s vocabulary.

    Text without Chinese (most of it) takes a vectorised path: its words are mapped to table
    rows at C speed and the rows are built from flat arrays, a chunk of documents at a time.
    Chinese text, whose words become several weighted terms plus character n-grams, is
    counted per text by the analyser. ``surface`` collects word frequencies for readable
    explanations.
    """
    analyzer = table.analyzer
    plain = not analyzer.bigrams
    lookup = table.__getitem__
    parts: list[sp.csr_matrix] = []
    freq: list[np.ndarray] = []
    chunk, first, r = _Chunk(), 0, -1
    for r, doc in enumerate(docs):
        if len(chunk.word_rows) > _CHUNK_WORDS:
            parts.append(chunk.flush(table, first, r, freq))
            chunk, first = _Chunk(), r
        for text, weight in doc:
            if not text or weight == 0:
                continue
            if plain and not has_chinese(text):
                before = len(chunk.word_rows)
                chunk.word_rows.extend(map(lookup, tokens(text)))
                chunk.seg_len.append(len(chunk.word_rows) - before)
                chunk.seg_doc.append(r)
                chunk.seg_weight.append(weight)
                continue
            ws, counts = analyzer.text_counts(text)
            if surface is not None:
                surface.update(ws)
            for t, c in counts.items():
                j = table.column(t)
                if j is not None:
                    chunk.rows.append(r)
                    chunk.cols.append(j)
                    chunk.vals.append(c * weight)
    parts.append(chunk.flush(table, first, r + 1, freq))
    n_terms = len(table.vocabulary)
    for part in parts:
        part.resize((part.shape[0], n_terms))
    if surface is not None and freq:
        total = np.zeros(len(table.words), dtype=np.int64)
        for f in freq:
            total[: len(f)] += f
        for i in np.flatnonzero(total):
            surface[table.words[i]] += int(total[i])
    return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")


def with_data(m: sp.csr_matrix, data: np.ndarray) -> sp.csr_matrix:
    """``m``'s structure with other values: the index arrays are shared, not copied (a fit at
    100,000 profiles passes its matrix through several such steps)."""
    return sp.csr_matrix((data, m.indices, m.indptr), shape=m.shape, copy=False)


def sublinear(m: sp.csr_matrix) -> sp.csr_matrix:
    """1 + ln(tf) for tf >= 1, tf itself below 1 (down-weighted fields stay below a full hit)."""
    d = m.data.copy()
    big = d > 1
    d[big] = 1 + np.log(d[big])
    return with_data(m, d)


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
    m = m.tocsr()
    if counted is None:
        sq = np.asarray(m.multiply(m).sum(axis=1)).ravel()
    else:
        d = np.where(counted[m.indices], m.data, 0).astype(np.float64)
        sq = np.add.reduceat(d * d, m.indptr[:-1]) if len(d) else np.zeros(m.shape[0])
        sq[np.diff(m.indptr) == 0] = 0
    norms = np.sqrt(sq, dtype=np.float64)
    norms[norms == 0] = 1
    return with_data(m, (m.data / np.repeat(norms, np.diff(m.indptr))).astype(DTYPE))


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
    return with_data(m, (m.data * w[m.indices]).astype(DTYPE))


def owner_sum(m: sp.csr_matrix, owners: np.ndarray, n_owners: int) -> sp.csr_matrix:
    """Rows of ``m`` summed by owner: row i goes to row ``owners[i]`` of the result."""
    g = sp.csr_matrix(
        (np.ones(len(owners), dtype=DTYPE), (owners, np.arange(len(owners)))),
        shape=(n_owners, m.shape[0]),
    )
    return (g @ m).tocsr()
