"""The :class:`Matcher`: bilingual TF-IDF profiles, cosine scores, top-k and explanations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import scipy.sparse as sp

from xeco.matching import explain, folding, methods, state, weighting
from xeco.matching.calibration import Reach, calibrate_dense, calibrate_sparse, han_columns
from xeco.matching.inputs import Document, fingerprint, profile_documents, query_document
from xeco.matching.profiles import Reducer, topm_rows
from xeco.matching.ranking import ProfileRanker, select_top_k
from xeco.matching.text import (
    Analyzer,
    has_chinese,
)

# Below this many queries one sparse product over the postings beats building dense blocks.
_SPARSE_QUERIES = 32
# min_df applies from this many units (profiles or documents, per config.df_unit) on.
_MIN_DF_UNITS = 20


# A term space other than the fitted one: (idf, counted mask or None, terms).
Space = tuple[np.ndarray, np.ndarray | None, list[str]]


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
    - ``reach_``: per profile, whether it counts as Chinese and its cross-language factor
      (:mod:`xeco.matching.calibration`); None for a method without calibration
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
        table = weighting.WordTable(self.analyzer, vocabulary, grow=True)
        counts = weighting.count_documents(docs, table, surface)
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
        self.n_units_ = n_units
        self.folded_, self.unknown_mass_, self.folded_mass_ = 0, 0.0, 0.0
        rows, extra_owner = self._combine(counts, owner, n_profiles)
        self.surface_ = self._surface_forms(surface)
        self._set_rows(rows, extra_owner)
        return self

    def _words(self) -> weighting.WordTable:
        """The word table of the fitted vocabulary (kept: queries repeat their words)."""
        table = getattr(self, "_table", None)
        if table is None or table.vocabulary is not self.vocabulary_:
            table = self._table = weighting.WordTable(self.analyzer, self.vocabulary_, grow=False)
        return table

    def _set_rows(
        self, rows: sp.csr_matrix, extra_owner: np.ndarray, rows_t: sp.csr_matrix | None = None
    ) -> None:
        self.rows_ = sp.csr_matrix(rows, dtype=weighting.DTYPE)
        self.rows_t_ = self.rows_.T.tocsr() if rows_t is None else rows_t
        self.extra_owner_ = extra_owner
        self._reducer = Reducer(self.n_profiles_, extra_owner, self.config.top_m)
        self._ranker: ProfileRanker | None = None
        self.reach_ = None
        if self.config.reach is not None:
            n = self.n_profiles_
            owner = np.concatenate([np.arange(n, dtype=np.int64), extra_owner])
            self.reach_ = Reach.of(self.rows_, self._han(), self.config.reach, owner, n)

    def _han(self) -> np.ndarray:
        """Which columns are Chinese-only (kept: the terms change only with a refit)."""
        cached = getattr(self, "_han_of", None)
        if cached is None or cached[0] is not self.terms_:
            cached = self._han_of = (self.terms_, han_columns(self.terms_))
        return cached[1]

    def _query_reach(self, q: sp.csr_matrix) -> Reach | None:
        if self.reach_ is None:
            return None
        return Reach.of(q, self._han(), self.config.reach)

    def _weigh(self, counts: sp.csr_matrix, idf: np.ndarray | None = None) -> sp.csr_matrix:
        cfg = self.config
        if cfg.tf == "bm25":
            # Saturation uses the fitted average length, not the batch's own.
            t = weighting.bm25_tf(counts, cfg.bm25_k1, cfg.bm25_b, self.avg_len_)
        else:
            t = weighting.tf(counts, cfg)
        return weighting.scale_columns(t, self.idf_ if idf is None else idf)

    def _normalise(
        self, m: sp.csr_matrix, query: bool = False, space: Space | None = None
    ) -> sp.csr_matrix:
        counted, terms = (self.counted_, self.terms_) if space is None else space[1:]
        counted = counted if query or self.config.norm_side == "both" else None
        if self.config.han_share is None:
            return weighting.l2_normalise(m, counted)
        han = np.fromiter((has_chinese(t) for t in terms), dtype=bool, count=len(terms))
        return weighting.channel_normalise(m, counted, han, self.config.han_share)

    def _combine(
        self, counts: sp.csr_matrix, owner: np.ndarray, n: int, space: Space | None = None
    ):
        """Scoring rows and the owners of extra rows (see :mod:`xeco.matching.profiles`).

        ``space``: ``(idf, counted, terms)`` of a term space other than the fitted one
        (folding profiles in, :mod:`xeco.matching.folding`).
        """
        cfg = self.config
        idf = None if space is None else space[0]
        none = np.zeros(0, dtype=np.int64)
        if cfg.profile == "concat":
            summed = weighting.owner_sum(counts, owner, n)
            return weighting.l2_normalise(self._weigh(summed, idf)), none
        units = self._normalise(self._weigh(counts, idf), space=space)
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
        counts = weighting.count_documents(docs, self._words())
        counts.resize((len(docs), len(self.terms_)))
        t = weighting.sublinear(counts) if cfg.tf != "raw" else counts
        if cfg.query_idf:
            t = weighting.scale_columns(t, self.idf_)
        return self._normalise(t, query=True)

    def score(self, queries: Sequence[Any]) -> sp.csr_matrix:
        """Cosine scores ``(n_queries, n_profiles)`` as a CSR matrix (absent = 0)."""
        self._check()
        q = self.vectorize(queries)
        raw = self._reducer.reduce_sparse((q @ self.rows_t_).tocsr())
        return calibrate_sparse(raw, self._query_reach(q), self.reach_)

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
        reach = self._query_reach(q)
        if q.shape[0] <= _SPARSE_QUERIES:
            dense = self._reducer.reduce((q @ self.rows_t_).toarray())
            return select_top_k(calibrate_dense(dense, reach, self.reach_), k, min_score)
        if self._ranker is None:
            self._ranker = ProfileRanker(
                self.rows_, self.rows_t_, self.n_profiles_, self.extra_owner_, self.config.top_m
            )
        both = None if reach is None else (reach, self.reach_)
        return self._ranker.top_k(q, k, min_score, n_threads, block_rows, both)

    def profile_scores(self, queries: Sequence[Any] | sp.spmatrix, j: int) -> np.ndarray:
        """Scores of every query against profile ``j`` alone, ``(n_queries,)``: a changed
        profile against the open challenges, without scoring any other profile."""
        q = queries if sp.issparse(queries) else self.vectorize(queries)
        rows = self._reducer.rows_of(j)
        raw = self._reducer.combine((q @ self.rows_[rows].T).toarray())[:, None]
        mine = None if self.reach_ is None else self.reach_.take([j])
        return calibrate_dense(raw, self._query_reach(q), mine).ravel()

    def similarity(self, a: sp.spmatrix, b: sp.spmatrix) -> np.ndarray:
        """Scores ``(len(a), len(b))`` between two sets of :meth:`vectorize` rows (a programme
        read as a query against the open challenges), calibrated as profile scores are."""
        raw = np.asarray((a @ b.T).toarray(), dtype=weighting.DTYPE)
        return calibrate_dense(raw, self._query_reach(a), self._query_reach(b))

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

        See :func:`xeco.matching.explain.pairs_many` (锂电池 ↔ lithium battery).
        """
        self._check()
        return explain.pairs_many(self, query, js, profiles, n, merge, quiet)

    def pairs_batch(
        self,
        queries: Sequence[Any],
        js: Sequence[Sequence[int]],
        profiles: Sequence[Sequence[Any]] | None = None,
        n: int | None = 10,
        vectors: sp.csr_matrix | None = None,
        keys: Sequence[Sequence[Hashable]] | None = None,
    ) -> list[list[list[tuple[str, float, str]]]]:
        """:meth:`pairs_many` for many queries (a run's chunk of challenges) at once.

        ``vectors``: the queries' :meth:`vectorize` when the caller has it already;
        ``keys``: names of the profiles' texts, see :meth:`remembered`. See
        :func:`xeco.matching.explain.pairs_batch`.
        """
        self._check()
        return explain.pairs_batch(self, queries, js, profiles, n, vectors=vectors, keys=keys)

    def remembered(self, keys: Iterable[Hashable]) -> set:
        """Those of ``keys`` (as passed to :meth:`pairs_batch`) whose profile words this fit
        remembers: their texts need not be read again to explain them."""
        self._check()
        return explain.remembered(self, keys)

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

    # -- state ---------------------------------------------------------------------------
    def save(self, path: str | Path | BinaryIO) -> None:
        """Write the fitted state to ``path`` or a binary file (a versioned ``.npz``, no pickle)."""
        state.save(self, path)

    @classmethod
    def load(cls, path: str | Path | BinaryIO) -> Matcher:
        """A fitted matcher from :meth:`save`; refuses files of another format version."""
        return state.load(cls, path)

    def fold(self, changes: Mapping[int, Any]) -> Matcher:
        """A copy with the profiles at some positions replaced, added or emptied, no refit.

        See :func:`xeco.matching.folding.fold`; ``self`` is left as it was, so a worker can
        swap the copy in while other threads still score with the original.
        """
        return folding.fold(self, changes)

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
