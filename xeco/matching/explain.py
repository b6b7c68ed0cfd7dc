"""Why a profile matched a query, in the words of both texts.

Across languages a column such as ``battery`` comes from 锂电池 on one side and "battery" on
the other, so each shared term is named by each text's own word for it, entries that share a
word on either side are merged (锂电池 ↔ lithium battery), and terms a person would not accept
as a reason (character n-grams, filler) are left out. :class:`~xeco.matching.Matcher`'s
``explain*`` and ``pairs_many`` methods call these functions.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from xeco.matching.calibration import pair_factors
from xeco.matching.inputs import flat_text
from xeco.matching.text import (
    ACADEMIC_STOP_WORDS,
    NGRAM,
    english_stem,
    has_chinese,
    tokens,
    words,
)

if TYPE_CHECKING:
    from xeco.matching.matcher import Matcher

Entry = tuple[str, float, str]
# Profiles whose words are remembered per fit: a few hundred columns each.
PROFILE_WORDS_CACHED = 20_000


class Memo:
    """What explanations remember for one fitted vocabulary: each profile's words (by the
    caller's key, or by its text) and which columns are filler. A folded copy of a matcher
    shares its fit's memo: folding changes rows, not words or columns."""

    def __init__(self, vocabulary: dict) -> None:
        self.vocabulary = vocabulary
        self.words: dict[Hashable, dict[int, str]] = {}
        self.filler: np.ndarray | None = None
        self.phrase: np.ndarray | None = None
        self.lock = threading.Lock()


def memo(m: Matcher) -> Memo:
    found = getattr(m, "_memo", None)
    if found is None or found.vocabulary is not m.vocabulary_:
        found = m._memo = Memo(m.vocabulary_)
    return found


def remembered(m: Matcher, keys: Iterable[Hashable]) -> set:
    """The ``keys`` whose profile words are remembered (their texts need not be read)."""
    words_of = memo(m).words
    return {key for key in keys if key in words_of}


# Terms that may score but never explain a match (nor make a partner relevant): a person
# reads them as filler. Chinese words are their own columns besides their English senses.
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
        "inexpensive",
        "affordable",
        "high",
        "effective",
        "efficient",
        "solution",
        "novel",
        "new",
        "type",
        "advanced",
        "innovative",
        "improved",
        "need",
        "method",
        "approach",
    )
) | frozenset(
    "低成本 成本 低廉 廉价 新型 新颖 新 系统 技术 研究 开发 研发 应用 高效 高性能 方法 方案 "  # noqa: SIM905
    "需要 需求 创新 先进 改进".split()
)


def merge(entries: list[tuple[str, float, str]]) -> list[tuple[str, float, str]]:
    """Join entries that share a word on either side; words keep their first-seen order."""
    mine, theirs = [e[0] for e in entries], [e[2] for e in entries]
    if (
        len(set(mine)) == len(entries)
        and len(set(theirs)) == len(entries)
        and not has_chinese("".join(mine) + "".join(theirs))
    ):
        return list(entries)  # most explanations of English texts: nothing to join
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
    # Only Chinese words can be inside another (which then has Chinese too): pairing just
    # those keeps this linear in the English words.
    han = [(side, word, i) for (side, word), i in first.items() if has_chinese(word)]
    for side, word, i in han:
        for side2, other, i2 in han:
            if side == side2 and word != other and word in other:
                parent[root(i)] = root(i2)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(root(i), []).append(i)
    out = []
    for members in groups.values():
        if len(members) == 1:  # most entries: nothing to join
            out.append(entries[members[0]])
            continue
        mine = _outer(entries[i][0] for i in members)
        theirs = _outer(entries[i][2] for i in members)
        weight = sum(entries[i][1] for i in members)
        out.append((" ".join(mine), weight, " ".join(theirs)))
    return out


def _outer(ws) -> list[str]:
    """Distinct words in order, without those that are part of a longer Chinese word."""
    distinct = list(dict.fromkeys(ws))
    return [w for w in distinct if not any(w != o and has_chinese(w) and w in o for o in distinct)]


def pairs_many(
    m: Matcher,
    query: Any,
    js: Sequence[int],
    profiles: Sequence[Any] | None = None,
    n: int | None = 10,
    merge_words: bool = True,
    quiet: bool = False,
) -> list[list[Entry]]:
    """Per profile, the shared terms as ``(query words, weight, profile words)``, heaviest first.

    With ``merge_words``, entries that share a word on either side become one; weights add up,
    and over all entries they sum to the score less the share of n-grams and filler.
    ``profiles``: the profiles' own inputs, to name their side in their words; without them a
    profile's side is the fitted corpus's most frequent word for the term. ``quiet`` keeps
    the filler terms and n-grams that are otherwise left out.
    """
    return pairs_batch(
        m, [query], [js], None if profiles is None else [profiles], n, merge_words, quiet
    )[0]


def pairs_batch(
    m: Matcher,
    queries: Sequence[Any],
    js: Sequence[Sequence[int]],
    profiles: Sequence[Sequence[Any]] | None = None,
    n: int | None = 10,
    merge_words: bool = True,
    quiet: bool = False,
    vectors: sp.csr_matrix | None = None,
    keys: Sequence[Sequence[Hashable]] | None = None,
) -> list[list[list[Entry]]]:
    """:func:`pairs_many` for many queries: ``js[i]`` (and ``profiles[i]``) go with ``queries[i]``.

    The queries are vectorised in one go (or given as ``vectors``, from
    :meth:`~xeco.matching.Matcher.vectorize`), and a profile's words are remembered for the
    fit (a full run explains each capability for many challenges). ``keys[i][k]`` names the
    text of profile ``js[i][k]`` (say its id and when it was edited): its words are
    remembered under that key, and its entry in ``profiles`` may be ``None`` once
    :func:`remembered`.
    """
    for row in js:
        for j in row:
            if not 0 <= j < m.n_profiles_:
                raise IndexError(f"profile index {j} out of range")
    q_all = m.vectorize(list(queries)) if vectors is None else sp.csr_matrix(vectors)
    rows_ = m.rows_
    is_filler = fillers(m).tolist()
    phrase = phrases(m).tolist()
    surface = m.surface_
    # The remembered words this call needs, held before any new profile can push them out.
    cache = memo(m).words
    pinned = {key: cache[key] for row in keys or () for key in row if key in cache}
    shared_of = _shared_terms(q_all, rows_, js) if m._reducer.trivial else None
    # Weights sum to the calibrated score, so each pair's are scaled as its score is.
    q_reach, p_reach = m._query_reach(q_all), m.reach_
    pair = 0
    result = []
    for i, query in enumerate(queries):
        lo, hi = q_all.indptr[i], q_all.indptr[i + 1]
        q_idx, q_data = q_all.indices[lo:hi], q_all.data[lo:hi]
        row_scores = None
        own = word_of_column(m, flat_text(query))
        pairs_of_query = []
        for k, j in enumerate(js[i]):
            if shared_of is not None:
                weight_of = shared_of(pair)
                pair += 1
            else:
                if row_scores is None:
                    row_scores = (q_all[i] @ m.rows_t_).toarray().ravel()
                rows, share = m._reducer.explain_rows(j, row_scores)
                if len(rows) == 1:
                    a, b = rows_.indptr[rows[0]], rows_.indptr[rows[0] + 1]
                    p_idx, p_data = rows_.indices[a:b], rows_.data[a:b] * share
                else:
                    row = sp.csr_matrix(rows_[rows].sum(axis=0) * share)
                    p_idx, p_data = row.indices, row.data
                shared, qi, pi = np.intersect1d(
                    q_idx, p_idx, assume_unique=True, return_indices=True
                )
                weights = q_data[qi].astype(np.float64) * p_data[pi]
                weight_of = dict(zip(shared.tolist(), weights.tolist(), strict=True))
            scale = 1.0 if q_reach is None else float(pair_factors(q_reach, p_reach, i, j))
            if scale != 1.0:
                weight_of = {t: w * scale for t, w in weight_of.items()}
            if keys is not None:
                key = keys[i][k]
                theirs = pinned.get(key)
                if theirs is None:
                    theirs = pinned[key] = _profile_words(
                        m, key, profiles[i][k] if profiles is not None else None
                    )
            elif profiles is not None:
                theirs = _profile_words(m, None, profiles[i][k])
            else:
                theirs = {}
            # Columns in the query's word order, so merged words read as the query has them.
            ordered = [t for t in own if t in weight_of]
            ordered += [t for t in weight_of if t not in own]
            entries = []
            for t in ordered:
                if not quiet and is_filler[t]:
                    continue
                if phrase[t]:
                    entries.append((display(m, t, own), weight_of[t], display(m, t, theirs)))
                else:  # display() of a one-word term, inline: a chunk asks it 100,000 times
                    word = surface[t]
                    entries.append((own.get(t, word), weight_of[t], theirs.get(t, word)))
            pairs = merge(entries) if merge_words else entries
            pairs.sort(key=lambda e: (-e[1], e[0]))
            pairs_of_query.append(pairs[:n] if n is not None else pairs)
        result.append(pairs_of_query)
    return result


def _shared_terms(q: sp.csr_matrix, rows: sp.csr_matrix, js: Sequence[Sequence[int]]):
    """For profiles of one row each: ``pair -> {column: weight}`` of every (query, profile)
    pair in ``js`` order, from one element-wise product of the pairs' rows (in float64, as
    the products of their float32 weights)."""
    counts = [len(row) for row in js]
    which = np.repeat(np.arange(len(js)), counts)
    profile = np.fromiter((j for row in js for j in row), dtype=np.int64, count=sum(counts))
    both = q[which].astype(np.float64).multiply(rows[profile].astype(np.float64)).tocsr()
    both.sort_indices()
    ptr, cols, weights = both.indptr.tolist(), both.indices.tolist(), both.data.tolist()

    def shared(pair: int) -> dict[int, float]:
        a, b = ptr[pair], ptr[pair + 1]
        return dict(zip(cols[a:b], weights[a:b], strict=True))

    return shared


def _profile_words(m: Matcher, key: Hashable | None, profile: Any) -> dict[int, str]:
    """:func:`word_of_column` of a profile, remembered per fit under ``key`` (else its
    text), at most :data:`PROFILE_WORDS_CACHED` of them."""
    cache = memo(m).words
    text = None
    if key is None:
        text = flat_text(profile)
        key = (len(text), hash(text))
    found = cache.get(key)
    if found is None:
        if profile is None:
            raise KeyError(f"no text given for profile {key!r}, and its words are not remembered")
        found = word_of_column(m, flat_text(profile) if text is None else text)
        with memo(m).lock:
            if len(cache) >= PROFILE_WORDS_CACHED:
                del cache[next(iter(cache))]  # the oldest
            cache[key] = found
    return found


def substantive(m: Matcher, vector: sp.csr_matrix, j: int) -> bool:
    """Whether profile ``j`` shares a term with a query's vector (one row, from
    :meth:`~xeco.matching.Matcher.vectorize`) that is not filler: what an explanation would
    show, decided without building one (a full run asks it of many partners)."""
    vector = sp.csr_matrix(vector)
    if m._reducer.trivial:
        rows = [j]
    else:
        rows, _share = m._reducer.explain_rows(j, (vector @ m.rows_t_).toarray().ravel())
    ptr, idx = m.rows_.indptr, m.rows_.indices
    shared = np.intersect1d(
        vector.indices, np.concatenate([idx[ptr[r] : ptr[r + 1]] for r in rows])
    )
    return bool((~fillers(m)[shared]).any())


def filler(m: Matcher, j: int) -> bool:
    return bool(fillers(m)[j])


def fillers(m: Matcher) -> np.ndarray:
    """Per column, whether it is filler (remembered per fit)."""
    return _per_term(m, "filler", _is_filler)


def phrases(m: Matcher) -> np.ndarray:
    """Per column, whether its term has several words (remembered per fit)."""
    return _per_term(m, "phrase", lambda term: " " in term)


def _per_term(m: Matcher, name: str, test) -> np.ndarray:
    found = memo(m)
    marks = getattr(found, name)
    if marks is None or len(marks) != len(m.terms_):
        marks = np.fromiter((test(t) for t in m.terms_), dtype=bool, count=len(m.terms_))
        setattr(found, name, marks)
    return marks


def _is_filler(term: str) -> bool:
    # A phrase of filler ("low cost") is filler too.
    return term.startswith(NGRAM) or all(part in QUIET_TERMS for part in term.split(" "))


def word_of_column(m: Matcher, text: str) -> dict[int, str]:
    """Column -> the word of ``text`` that gave it most weight (锂电池 for "battery").

    The dict is in the order the words first appear, so joined words read as written.
    """
    if not has_chinese(text):
        return _plain_word_of_column(m, text)
    found: dict[int, dict[str, float]] = {}
    vocab = m.vocabulary_
    weighted = m.analyzer.weighted
    # Each distinct word once, in the order of its first appearance (a long profile repeats
    # most of its words); a weight is added as often as the word occurs, as one pass would.
    counted = Counter(words(text))
    for w, n in counted.items():
        for t, x in weighted(w):
            j = vocab.get(t)
            if j is not None:
                mine = found.get(j)
                if mine is None:
                    mine = found[j] = {}
                if x == 1.0:
                    mine[w] = mine.get(w, 0.0) + n
                else:
                    total = mine.get(w, 0.0)
                    for _ in range(n):
                        total += x
                    mine[w] = total
    rank = {w: i for i, w in enumerate(counted)}
    # Ties go to the longer word: search-mode segmentation also yields 锂电 in 锂电池.
    best = {
        j: max(c.items(), key=lambda wx: (wx[1], len(wx[0])))[0] if len(c) > 1 else next(iter(c))
        for j, c in found.items()
    }
    return dict(sorted(best.items(), key=lambda jw: rank[jw[1]]))


def _plain_word_of_column(m: Matcher, text: str) -> dict[int, str]:
    """:func:`word_of_column` of text without Chinese, where each word gives one term of
    weight 1: the words are looked up in the fit's word table at C speed and each column's
    most frequent word (ties: the longer, then the first) is picked with NumPy."""
    table = m._words()
    rows = np.fromiter(map(table.__getitem__, tokens(text)), dtype=np.int64)
    if not len(rows):
        return {}
    words_of = table.words
    uniq, first, count = np.unique(rows, return_index=True, return_counts=True)
    cols = table.columns_of(uniq)
    keep = cols >= 0
    uniq, first, count, cols = uniq[keep], first[keep], count[keep], cols[keep]
    length = np.fromiter((len(words_of[r]) for r in uniq.tolist()), dtype=np.int64, count=len(uniq))
    order = np.lexsort((first, -length, -count, cols))
    by_col = cols[order]
    lead = np.ones(len(order), dtype=bool)
    lead[1:] = by_col[1:] != by_col[:-1]
    best = order[lead]  # one word per column
    best = best[np.argsort(first[best], kind="stable")]
    return dict(zip(cols[best].tolist(), (words_of[r] for r in uniq[best].tolist()), strict=True))


def display(m: Matcher, j: int, own: dict[int, str]) -> str:
    """Column ``j`` as a word of the text behind ``own``, else the corpus's word for it."""
    term = m.terms_[j]
    if " " not in term:
        return own.get(j, m.surface_[j])
    parts = [m.vocabulary_.get(p) for p in term.split(" ")]
    return " ".join(
        own.get(p, m.surface_[p]) if p is not None else t
        for p, t in zip(parts, term.split(" "), strict=True)
    )
