"""The :class:`Matcher`: bilingual TF-IDF profiles, cosine scores, top-k and explanations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from xeco.matching import methods, state, weighting
from xeco.matching.inputs import Document, fingerprint, flat_text, profile_documents, query_document
from xeco.matching.profiles import Reducer, topm_rows
from xeco.matching.ranking import BlockRanker, select_top_k
from xeco.matching.text import (
    ACADEMIC_STOP_WORDS,
    NGRAM,
    Analyzer,
    english_stem,
    has_chinese,
    words,
)

# Below this many queries one sparse product over the postings beats building dense blocks.
_SPARSE_QUERIES = 32
# min_df applies from this many units (profiles or documents, per config.df_unit) on.
_MIN_DF_UNITS = 20


# Terms that may score but never explain a match: a person reads them as filler.
QUIET_TERMS = frozenset(
    english_stem(w)
    for w in (
        *ACADEMIC_STOP_WORDS,
        "technology",
        "technique",
        "research",
        "development",
        "application",
        "system",
        "low",
        "cost",
        "high",
        "effective",
        "efficient",
        "solution",
    )
)


def _merge(entries: list[tuple[str, float, str]]) -> list[tuple[str, float, str]]:
    """Join entries that share a word on either side; words keep their first-seen order."""
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[int, str], int] = {}
    for i, (a, _w, b) in enumerate(entries):
        for key in ((0, a), (1, b)):
            if key in first:
                parent[root(i)] = root(first[key])
            else:
                first[key] = i
    # Chinese search-mode segmentation yields 斑马 inside 斑马鱼: one word to a person.
    for (side, word), i in first.items():
        for (side2, other), i2 in first.items():
            if side == side2 and word != other and has_chinese(word) and word in other:
                parent[root(i)] = root(i2)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(root(i), []).append(i)
    out = []
    for members in groups.values():
        mine = _outer(entries[i][0] for i in members)
        theirs = _outer(entries[i][2] for i in members)
        weight = sum(entries[i][1] for i in members)
        out.append((" ".join(mine), weight, " ".join(theirs)))
    return out


def _outer(ws) -> list[str]:
    """Distinct words in order, without those that are part of a longer Chinese word."""
    distinct = list(dict.fromkeys(ws))
    return [w for w in distinct if not any(w != o and has_chinese(w) and w in o for o in distinct)]


class NotFittedError(RuntimeError):
    """A method that needs fitted state was called before :meth:`Matcher.fit`."""


class Matcher:
    """Match challenges (queries) to capability profiles.

    ``Matcher(method=None)`` uses the production configuration; ``method`` names one of
    :data:`xeco.matching.methods.METHODS`. Fitted attributes end in ``_``:

    - ``vocabulary_``: term -> column; ``terms_``: column -> term; ``idf_``: float32 weights
    - ``rows_``: CSR scoring rows ``(n_rows, n_terms)``; a dot product with a vectorised
      query is a cosine similarity; ``n_rows >= n_profiles_`` when some profiles keep one
      row per document (see :mod:`xeco.matching.profiles`, ``extra_owner_``)
    - ``rows_t_``: its transpose in CSR (one row of postings per term), so a query only
      touches the profiles that share its terms
    - ``surface_``: column -> the most frequent word that produced the term (for explanations)
    """

    def __init__(self, method: str | None = None) -> None:
        self.method = method
        self.config = methods.get(method)
        c = self.config
        self.analyzer = Analyzer(
            c.stem,
            c.academic_stop,
            c.bigrams,
            crosslingual=c.crosslingual,
            surface_weight=c.surface_weight,
            concept_weight=c.concept_weight,
            max_senses=c.max_senses,
            han_ngrams=c.han_ngrams,
            ngram_weight=c.ngram_weight,
            prefix=c.prefix,
        )

    # -- fitting -------------------------------------------------------------------------
    def fit(self, profiles: Sequence[Any]) -> Matcher:
        """Learn vocabulary, idf and profile vectors from one entry per capability."""
        cfg = self.config
        docs: list[Document] = []
        owners: list[int] = []
        for i, profile in enumerate(profiles):
            for doc in profile_documents(profile, cfg):
                docs.append(doc)
                owners.append(i)
        vocabulary: dict[str, int] = {}
        surface: Counter = Counter()
        counts = weighting.count_documents(docs, self.analyzer, vocabulary, True, surface)
        owner = np.asarray(owners, dtype=np.int64)
        n_profiles = len(profiles)
        if cfg.df_unit == "profile":
            df = weighting.document_frequency(weighting.owner_sum(counts, owner, n_profiles))
            n_units = n_profiles
        else:
            df = weighting.document_frequency(counts)
            n_units = counts.shape[0]
        # On a handful of profiles every term is rare; pruning would leave nothing to match.
        keep = df >= (cfg.min_df if n_units >= _MIN_DF_UNITS else 1)
        if cfg.max_df < 1.0:
            keep &= df <= cfg.max_df * n_units
        terms = np.array(sorted(vocabulary, key=vocabulary.__getitem__), dtype=object)[keep]
        counts = counts[:, np.flatnonzero(keep)].tocsr()
        self.terms_ = [str(t) for t in terms]
        self.vocabulary_ = {t: i for i, t in enumerate(self.terms_)}
        self.idf_ = weighting.idf(np.maximum(df[keep], cfg.df_floor), n_units, cfg)
        # A query's length leaves out terms that at most one profile has: a challenge is not
        # made "less similar" to every profile by words that nearly none of them use, yet such
        # words still score where a profile has them. (On a handful of profiles every term is
        # rare, so this waits for the same number of profiles as min_df.)
        rare_rule = cfg.norm_min_df > 1 and n_units >= _MIN_DF_UNITS
        self.counted_ = (df[keep] >= cfg.norm_min_df) if rare_rule else None
        self.avg_len_ = float(counts.sum() / max(counts.shape[0], 1))
        self.n_profiles_ = n_profiles
        rows, extra_owner = self._combine(counts, owner, n_profiles)
        self.surface_ = self._surface_forms(surface)
        self._set_rows(rows, extra_owner)
        return self

    def _set_rows(self, rows: sp.csr_matrix, extra_owner: np.ndarray) -> None:
        self.rows_ = sp.csr_matrix(rows, dtype=weighting.DTYPE)
        self.rows_t_ = self.rows_.T.tocsr()
        self.extra_owner_ = extra_owner
        self._reducer = Reducer(self.n_profiles_, extra_owner, self.config.top_m)
        self._ranker: BlockRanker | None = None

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        cfg = self.config
        if cfg.tf == "bm25":
            # Saturation uses the fitted average length, not the batch's own.
            t = weighting.bm25_tf(counts, cfg.bm25_k1, cfg.bm25_b, self.avg_len_)
        else:
            t = weighting.tf(counts, cfg)
        return weighting.scale_columns(t, self.idf_)

    def _normalise(self, m: sp.csr_matrix, query: bool = False) -> sp.csr_matrix:
        counted = self.counted_ if query or self.config.norm_side == "both" else None
        if self.config.han_share is None:
            return weighting.l2_normalise(m, counted)
        han = np.fromiter((has_chinese(t) for t in self.terms_), dtype=bool, count=len(self.terms_))
        return weighting.channel_normalise(m, counted, han, self.config.han_share)

    def _combine(self, counts: sp.csr_matrix, owner: np.ndarray, n: int):
        """Scoring rows and the owners of extra rows (see :mod:`xeco.matching.profiles`)."""
        cfg = self.config
        none = np.zeros(0, dtype=np.int64)
        if cfg.profile == "concat":
            return weighting.l2_normalise(self._weigh(weighting.owner_sum(counts, owner, n))), none
        units = self._normalise(self._weigh(counts))
        if cfg.profile == "centroid":
            return weighting.l2_normalise(weighting.owner_sum(units, owner, n)), none
        if cfg.profile == "topm":
            return topm_rows(units, owner, n, cfg.top_m)
        raise ValueError(f"unknown profile combination {cfg.profile!r}")

    def _surface_forms(self, surface: Counter) -> list[str]:
        best: dict[int, tuple[int, str]] = {}
        for word, n in surface.items():
            for t, x in self.analyzer.weighted(word):
                j = self.vocabulary_.get(t)
                if j is not None and (j not in best or (n * x, word) > best[j]):
                    best[j] = (n * x, word)
        return [best[j][1] if j in best else t for j, t in enumerate(self.terms_)]

    def _check(self) -> None:
        if not hasattr(self, "rows_"):
            raise NotFittedError("this Matcher is not fitted yet; call fit(profiles) first")

    @property
    def n_profiles(self) -> int:
        self._check()
        return self.n_profiles_

    # -- scoring -------------------------------------------------------------------------
    def vectorize(self, queries: Sequence[Any]) -> sp.csr_matrix:
        """Queries as CSR rows in the fitted term space, L2-normalised (float32)."""
        self._check()
        if isinstance(queries, str | dict):
            raise TypeError("vectorize() takes a list of queries; wrap a single one in [ ]")
        cfg = self.config
        docs = [query_document(q, cfg) for q in queries]
        counts = weighting.count_documents(docs, self.analyzer, self.vocabulary_, False)
        counts.resize((len(docs), len(self.terms_)))
        t = weighting.sublinear(counts) if cfg.tf != "raw" else counts
        if cfg.query_idf:
            t = weighting.scale_columns(t, self.idf_)
        return self._normalise(t, query=True)

    def score(self, queries: Sequence[Any]) -> sp.csr_matrix:
        """Cosine scores ``(n_queries, n_profiles)`` as a CSR matrix (absent = 0)."""
        self._check()
        return self._reducer.reduce_sparse((self.vectorize(queries) @ self.rows_t_).tocsr())

    def top_k(
        self,
        queries: Sequence[Any] | sp.spmatrix,
        k: int = 10,
        min_score: float = 0.0,
        block_rows: int | None = None,
        n_threads: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` profiles per query: ``(idx, scores)``, both ``(n_queries, k)``.

        Best first; ties go to the lower index. Only profiles scoring above ``min_score``
        (by default: sharing at least one term) are returned, the rest is ``-1`` / 0.
        ``queries`` may also be the output of :meth:`vectorize`. Memory is bounded by the
        block size, never ``n_queries * n_profiles``.
        """
        q = queries if sp.issparse(queries) else self.vectorize(queries)
        q = sp.csr_matrix(q, dtype=weighting.DTYPE)
        if q.shape[0] <= _SPARSE_QUERIES:
            dense = (q @ self.rows_t_).toarray()
            return select_top_k(self._reducer.reduce(dense), k, min_score)
        if self._ranker is None:
            self._ranker = BlockRanker(self.rows_)
        return self._ranker.top_k(
            q, k, block_rows, n_threads, min_score, reduce=self._reducer.reduce
        )

    # -- explanation ---------------------------------------------------------------------
    def contributions(self, query: Any, j: int) -> list[tuple[str, float]]:
        """Every shared term of ``query`` and profile ``j`` with its share of the score."""
        return self.contributions_many(query, [j])[0]

    def contributions_many(
        self, query: Any, js: Sequence[int], profiles: Sequence[Any] | None = None
    ) -> list[list[tuple[str, float]]]:
        """:meth:`contributions` for several profiles, analysing the query once."""
        return [
            [(q, w) for q, w, _p in pairs]
            for pairs in self.pairs_many(query, js, profiles, n=None, merge=False, quiet=True)
        ]

    def pairs_many(
        self,
        query: Any,
        js: Sequence[int],
        profiles: Sequence[Any] | None = None,
        n: int | None = 10,
        merge: bool = True,
        quiet: bool = False,
    ) -> list[list[tuple[str, float, str]]]:
        """Per profile, the shared terms as ``(query words, weight, profile words)``.

        Across languages a column such as ``battery`` comes from 锂电池 on one side and
        "battery" on the other, so each entry names both sides in their own words. With
        ``merge``, entries that share a word on either side become one (锂电池 ↔ lithium
        battery); weights add up, and over all entries they sum to the score less the share of
        character n-grams (evidence, but not words a person would read as a reason).
        ``profiles``: the profiles' own inputs, to name their side in their words; without
        them a profile's side is the fitted corpus's most frequent word for the term.
        ``quiet`` keeps the filler terms and n-grams that are otherwise left out.
        """
        self._check()
        for j in js:
            if not 0 <= j < self.n_profiles_:
                raise IndexError(f"profile index {j} out of range")
        q = self.vectorize([query])
        row_scores = (q @ self.rows_t_).toarray().ravel()
        own = self._word_of_column(flat_text(query))
        result = []
        for i, j in enumerate(js):
            rows, share = self._reducer.explain_rows(j, row_scores)
            row = sp.csr_matrix(self.rows_[rows].sum(axis=0) * share)
            shared, qi, pi = np.intersect1d(q.indices, row.indices, return_indices=True)
            weights = q.data[qi].astype(np.float64) * row.data[pi]
            theirs = self._word_of_column(flat_text(profiles[i])) if profiles is not None else {}
            weight_of = dict(zip(shared.tolist(), weights.tolist(), strict=True))
            # Columns in the query's word order, so merged words read as the query has them.
            ordered = [t for t in own if t in weight_of]
            ordered += [t for t in weight_of if t not in own]
            entries = [
                (self._display(t, own), float(weight_of[t]), self._display(t, theirs))
                for t in ordered
                if quiet or not self._filler(t)
            ]
            pairs = _merge(entries) if merge else entries
            pairs.sort(key=lambda e: (-e[1], e[0]))
            result.append(pairs[:n] if n is not None else pairs)
        return result

    def explain(self, query: Any, j: int, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` terms that contributed most to ``score(query)[j]``, as ``(term, weight)``.

        Weights are each term's product of query and profile weights. Terms are the query's
        words: Chinese words as they are (the word and its English concept as one entry),
        English stems as the query's own word for them. Filler and character n-grams are
        left out, so the weights sum to the score less their share (:meth:`contributions`
        keeps everything).
        """
        return self.explain_many(query, [j], n)[0]

    def explain_many(self, query: Any, js: Sequence[int], n: int = 10):
        """:meth:`explain` for several profiles of one query (a challenge's proposals)."""
        return [[(q, w) for q, w, _p in pairs] for pairs in self.pairs_many(query, js, n=n)]

    def explain_pairs(self, query: Any, j: int, profile: Any = None, n: int = 10):
        """:meth:`pairs_many` for one profile: ``[(query words, weight, profile words)]``."""
        return self.pairs_many(query, [j], None if profile is None else [profile], n)[0]

    def _filler(self, j: int) -> bool:
        term = self.terms_[j]
        return term.startswith(NGRAM) or term in QUIET_TERMS

    def _word_of_column(self, text: str) -> dict[int, str]:
        """Column -> the word of ``text`` that gave it most weight (锂电池 for "battery").

        The dict is in the order the words first appear, so joined words read as written.
        """
        found: dict[int, Counter] = {}
        vocab = self.vocabulary_
        ws = words(text)
        position = {}
        for i, w in enumerate(ws):
            position.setdefault(w, i)
        for w in ws:
            for t, x in self.analyzer.weighted(w):
                j = vocab.get(t)
                if j is not None:
                    found.setdefault(j, Counter())[w] += x
        # Ties go to the longer word: search-mode segmentation also yields 锂电 in 锂电池.
        best = {j: max(c.items(), key=lambda wx: (wx[1], len(wx[0])))[0] for j, c in found.items()}
        return dict(sorted(best.items(), key=lambda jw: position[jw[1]]))

    def _display(self, j: int, own: dict[int, str]) -> str:
        term = self.terms_[j]
        if " " not in term:
            return own.get(j, self.surface_[j])
        parts = [self.vocabulary_.get(p) for p in term.split(" ")]
        return " ".join(
            own.get(p, self.surface_[p]) if p is not None else t
            for p, t in zip(parts, term.split(" "), strict=True)
        )

    # -- state ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the fitted state to ``path`` (a versioned ``.npz``, no pickle)."""
        state.save(self, path)

    @classmethod
    def load(cls, path: str | Path) -> Matcher:
        """A fitted matcher from :meth:`save`; refuses files of another format version."""
        return state.load(cls, path)

    def drift(self, texts: Sequence[Any]) -> float:
        """Share of the terms of ``texts`` (queries or profiles) unknown to the vocabulary."""
        return state.drift(self, texts)

    def needs_refit(
        self, texts: Sequence[Any] = (), threshold: float = state.DRIFT_THRESHOLD
    ) -> bool:
        """True when recent ``texts`` drift beyond ``threshold`` (see :mod:`.state`)."""
        return self.drift(texts) > threshold

    # -- texts ---------------------------------------------------------------------------
    @staticmethod
    def fingerprint(item: Any) -> str:
        """Stable short hash of the normalised text of a str, dict or list input."""
        return fingerprint(item)
