"""Text normalisation and word splitting for English, Chinese and text mixing both.

The analyser works in two steps so that the expensive part runs once per distinct word:

1. :func:`words` normalises the text and returns its raw words in order: Latin/digit words
   as they are (lowercased, accents and full-width forms folded) and Chinese runs segmented
   by a private jieba tokenizer that knows the domain dictionary in ``data/``.
2. :class:`Analyzer` maps each word to an index *term* (an English stem, a Chinese word, or
   ``None`` for a stop word) through a per-word cache, and optionally adds bigrams.

Only NumPy, SciPy, scikit-learn, jieba and the standard library may be imported here.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import unicodedata
from collections import Counter

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from xeco.matching import chinese, lexicon

# Han ideographs (basic, extension A, compatibility). Kana and Hangul are rare in our inputs and
# fall through to the Latin pattern's \w, which keeps them as whole words rather than dropping.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W\d_{_CJK}][^\W_{_CJK}]*|\d+[^\W\d_{_CJK}][^\W_{_CJK}]*")
_CJK_RUN = re.compile(rf"[{_CJK}]")
# The same words as _TOKEN for casefolded ASCII text, where ASCII classes match much faster.
_ASCII_TOKEN = re.compile(r"[a-z][a-z0-9]*|[0-9]+[a-z][a-z0-9]*")
_SPACE = re.compile(r"\s+")
# Prefix of Chinese character n-gram terms: never a word, never shown in explanations.
NGRAM = "#"


def han_ngrams(run: str, sizes: tuple[int, ...]) -> list[str]:
    """Character n-grams of one run of Han characters, for each size in ``sizes``."""
    return [run[i : i + n] for n in sizes for i in range(len(run) - n + 1)]


# Scholarly and proposal boilerplate. Dropping it helped single-vector profiles but hurt the
# default top-m profiles on the gold set (docs/matching.md), so it is an option, off by default.
_ACADEMIC = (
    "paper propose proposed proposes present presents presented show shows shown demonstrate "
    "demonstrates approach approaches method methods result results work works use used uses "
    "using based new novel existing different various problem problems study studies "
    "experiment experiments experimental performance improve improves improved state art "
    "also well however thus able allow allows provide provides e g et al i.e via"
)
ACADEMIC_STOP_WORDS = frozenset(_ACADEMIC.split())
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {"s", "t", "can", "may", "will", "one", "two"}


_local = threading.local()


def english_stem(word: str) -> str:
    """Snowball (Porter 2) stem; one stemmer per thread because stemmers keep state."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def normalise(text: str) -> str:
    """NFKC-fold full-width forms, strip accents, casefold and collapse white space."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = unicodedata.normalize("NFC", _NON_ASCII.sub(_drop_combining, decomposed))
    return _SPACE.sub(" ", text.casefold()).strip()


# No ASCII character combines: only the others need looking at (fingerprints of long
# abstracts with one accent went through every character in Python).
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _drop_combining(run: re.Match) -> str:
    return "".join(c for c in run.group() if not unicodedata.combining(c))


def fold_accents(word: str) -> str:
    """``word`` without combining accents (résumé -> resume); ASCII words as they are."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def tokens(text: str) -> list[str]:
    """The raw words of ``text``: NFKC-folded and casefolded, accents left to the analyser.

    Folding accents per distinct word (:meth:`Analyzer.term`, cached) rather than per text
    and skipping the white-space pass that only fingerprints need keeps tokenising cheap.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)


def fingerprint(text: str) -> str:
    """A stable 16-hex-digit hash of the normalised text (white space and case insensitive)."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=8).hexdigest()


def has_chinese(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


_LATIN_LETTERS = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str | None:
    """``"zh"``, ``"en"`` or ``"mixed"`` by the share of Chinese in the text; ``None`` if no words.

    Han characters and Latin letters are weighed as words (a Chinese word is about 1.5
    characters, an English one about 5 letters); a text is one language when that language
    holds at least 80 % of its words, so an English acronym in Chinese text keeps it Chinese.
    """
    han = len(_CJK_RUN.findall(text))
    latin = len(_LATIN_LETTERS.findall(unicodedata.normalize("NFKC", text)))
    zh, en = han / 1.5, latin / 5
    if zh + en == 0:
        return None
    share = zh / (zh + en)
    return "zh" if share >= 0.8 else "en" if share <= 0.2 else "mixed"


def words(text: str) -> list[str]:
    """The normalised words of ``text`` in order; Chinese runs are segmented by jieba."""
    return split(text)[0]


def split(text: str) -> tuple[list[str], list[list[str]]]:
    """``(words, runs)``: the words of :func:`words`, and each Chinese run's precise words."""
    found = tokens(text)
    if not has_chinese(text):
        return found, []
    out: list[str] = []
    runs: list[list[str]] = []
    for w in found:
        if _CJK_RUN.match(w):
            precise, search = chinese.cut(w)
            out.extend(search)
            runs.append(precise)
        else:
            out.append(w)
    return out, runs


class Analyzer:
    """Maps words to index terms: stems for Latin words, words for Chinese, ``None`` to drop.

    ``stem``: Snowball-stem English words (``False`` keeps the word itself).
    ``academic_stop``: also drop :data:`ACADEMIC_STOP_WORDS`.
    ``bigrams``: add ``"a b"`` terms for adjacent kept terms.
    ``min_len``: shortest Latin word kept (digits-only words are never produced).
    """

    def __init__(
        self,
        stem: bool = True,
        academic_stop: bool = True,
        bigrams: bool = False,
        min_len: int = 2,
        crosslingual: bool = True,
        surface_weight: float = 1.0,
        concept_weight: float = 1.0,
        max_senses: int = lexicon.MAX_SENSES,
        han_ngrams: tuple[int, ...] = (),
        ngram_weight: float = 1.0,
        prefix: int = 0,
    ) -> None:
        self.prefix = prefix
        self.han_ngrams = han_ngrams
        self.ngram_weight = ngram_weight
        self.stem = stem
        self.academic_stop = academic_stop
        self.bigrams = bigrams
        self.min_len = min_len
        self.crosslingual = crosslingual
        self.surface_weight = surface_weight
        self.concept_weight = concept_weight
        self.max_senses = max_senses
        stop = STOP_WORDS | ACADEMIC_STOP_WORDS if academic_stop else STOP_WORDS
        self._stop = stop | chinese.stop_words()
        self._cache: dict[str, str | None] = {}
        self._weighted: dict[str, tuple[tuple[str, float], ...]] = {}

    def term(self, word: str) -> str | None:
        """The index term of one normalised word (cached: stemming is the costly part)."""
        try:
            return self._cache[word]
        except KeyError:
            pass
        t: str | None
        folded = fold_accents(word)
        if folded != word:
            t = self._cache[word] = self.term(folded)
            return t
        if word in self._stop:
            t = None
        elif _CJK_RUN.match(word):
            # jieba leaves unknown text as single characters: too ambiguous to be evidence,
            # except the glossary's one-character terms (钢 steel, 锂 lithium, 酶 enzyme).
            t = word if len(word) > 1 or word in lexicon.glossary() else None
        elif len(word) < self.min_len:
            t = None
        else:
            t = english_stem(word) if self.stem else word
            if self.prefix:
                t = t[: self.prefix]
            if t in self._stop:
                t = None
        self._cache[word] = t
        return t

    def terms(self, text: str) -> list[str]:
        """Index terms of ``text`` in order (unigrams, then bigrams when enabled)."""
        return self.terms_of_words(words(text))

    def terms_of_words(self, ws: list[str]) -> list[str]:
        cache = self._cache
        out = [cache[w] if w in cache else self.term(w) for w in ws]
        kept = [t for t in out if t is not None]
        if self.bigrams and len(kept) > 1:
            kept += [f"{a} {b}" for a, b in itertools.pairwise(kept)]
        return kept

    def english_terms(self, text: str) -> list[str]:
        """Index terms of English text (a dictionary sense), without bigrams."""
        return [t for t in (self.term(w) for w in words(text)) if t is not None]

    def weighted(self, word: str) -> tuple[tuple[str, float], ...]:
        """Index terms of one normalised word with their weights (cached).

        An English word is its stem. A Chinese word is itself (``surface_weight``, for
        matching Chinese with Chinese) plus its English concept (``concept_weight``, see
        :mod:`xeco.matching.lexicon`), which is what lets it match English text.
        """
        try:
            return self._weighted[word]
        except KeyError:
            pass
        t = self.term(word)
        out: dict[str, float] = {}
        if _CJK_RUN.match(word):
            if word not in self._stop:
                if t is not None and self.surface_weight:
                    out[t] = self.surface_weight
                if self.crosslingual and t is not None:
                    for c, w in lexicon.concept(word, self.english_terms, self.max_senses).items():
                        out[c] = out.get(c, 0.0) + w * self.concept_weight
        elif t is not None:
            out[t] = 1.0
        result = tuple(out.items())
        self._weighted[word] = result
        return result

    def text_counts(self, text: str) -> tuple[list[str], dict[str, float]]:
        """The words of ``text`` and its weighted term counts, with Chinese character n-grams."""
        ws, runs = split(text)
        out = self.counts(ws, chinese_text=bool(runs))
        if self.han_ngrams:
            for span in self.content_spans(runs):
                for gram in han_ngrams(span, self.han_ngrams):
                    key = NGRAM + gram
                    out[key] = out.get(key, 0.0) + self.ngram_weight
        return ws, out

    def content_spans(self, runs: list[list[str]]) -> list[str]:
        """Runs of Chinese content words: stop words cut a run, so filler (用于, 技术, 的)
        gives no character n-grams, not even across its edges (于技, 术研)."""
        spans: list[str] = []
        for run in runs:
            current = ""
            for word in run:
                if word in self._stop:
                    if current:
                        spans.append(current)
                    current = ""
                else:
                    current += word
            if current:
                spans.append(current)
        return spans

    def counts(self, ws: list[str], chinese_text: bool = True) -> dict[str, float]:
        """Weighted term counts of a list of normalised words (bigrams when enabled).

        ``chinese_text=False`` promises Latin words only, each one stem of weight 1, and takes
        the plain counting path (the cost of English text is what it was before concepts).
        """
        if chinese_text:
            out: dict[str, float] = {}
            get = out.get
            cache = self._weighted
            for w, n in Counter(ws).items():
                ts = cache.get(w)
                if ts is None:
                    ts = self.weighted(w)
                for t, x in ts:
                    out[t] = get(t, 0) + x * n
        else:
            cache = self._cache
            out = Counter(
                t for t in (cache[w] if w in cache else self.term(w) for w in ws) if t is not None
            )
        if self.bigrams:
            kept = [t for t in (self.term(w) for w in ws) if t is not None]
            for a, b in itertools.pairwise(kept):
                key = f"{a} {b}"
                out[key] = out.get(key, 0.0) + 1.0
        return out

    @staticmethod
    def words_of(text: str) -> list[str]:
        return words(text)
