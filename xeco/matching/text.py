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

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from xeco.matching import chinese

# Han ideographs (basic, extension A, compatibility). Kana and Hangul are rare in our inputs and
# fall through to the Latin pattern's \w, which keeps them as whole words rather than dropping.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W\d_{_CJK}][^\W_{_CJK}]*|\d+[^\W\d_{_CJK}][^\W_{_CJK}]*")
_CJK_RUN = re.compile(rf"[{_CJK}]")
_SPACE = re.compile(r"\s+")

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
        text = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    return _SPACE.sub(" ", text.casefold()).strip()


def fingerprint(text: str) -> str:
    """A stable 16-hex-digit hash of the normalised text (white space and case insensitive)."""
    return hashlib.blake2b(normalise(text).encode("utf-8"), digest_size=8).hexdigest()


def has_chinese(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


def words(text: str) -> list[str]:
    """The normalised words of ``text`` in order; Chinese runs are segmented by jieba."""
    found = _TOKEN.findall(normalise(text))
    if not has_chinese(text):
        return found
    out: list[str] = []
    for w in found:
        if _CJK_RUN.match(w):
            out.extend(chinese.segment(w))
        else:
            out.append(w)
    return out


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
    ) -> None:
        self.stem = stem
        self.academic_stop = academic_stop
        self.bigrams = bigrams
        self.min_len = min_len
        stop = STOP_WORDS | ACADEMIC_STOP_WORDS if academic_stop else STOP_WORDS
        self._stop = stop | chinese.stop_words()
        self._cache: dict[str, str | None] = {}

    def term(self, word: str) -> str | None:
        """The index term of one normalised word (cached: stemming is the costly part)."""
        try:
            return self._cache[word]
        except KeyError:
            pass
        t: str | None
        if word in self._stop:
            t = None
        elif _CJK_RUN.match(word):
            # jieba leaves unknown text as single characters: too ambiguous to be evidence.
            t = word if len(word) > 1 else None
        elif len(word) < self.min_len:
            t = None
        else:
            t = english_stem(word) if self.stem else word
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

    @staticmethod
    def words_of(text: str) -> list[str]:
        return words(text)
