"""Chinese segmentation with a private, quiet jieba tokenizer and the domain dictionary.

The global ``jieba.dt`` is never touched: other code in the process may use jieba with its own
dictionary. The tokenizer is built on first use (loading the prefix dictionary takes about a
second), under a lock so concurrent first calls from worker threads build it once.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from pathlib import Path

from xeco.matching import lexicon

_lock = threading.Lock()
_tokenizer = None


def _data(name: str) -> str:
    return (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")


def _build():
    import jieba

    # jieba logs "Building prefix dict ..." at DEBUG on its own stderr handler; raising the
    # level of its named logger is the only switch it offers.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    for line in _data("domain_dict.txt").splitlines():
        parts = line.split()
        if parts:
            freq = int(parts[1]) if len(parts) > 1 else None
            tok.add_word(parts[0], freq=freq, tag=parts[2] if len(parts) > 2 else None)
    # Glossary terms are segmented whole, or their translation would never be looked up
    # (jieba cuts an unknown 吉西他滨 into 吉西 / 他 / 滨). A fixed frequency keeps start-up
    # fast; it only needs to beat the split of an unknown word.
    known = tok.FREQ
    for word in lexicon.glossary():
        if len(word) > 1 and not known.get(word):
            tok.add_word(word, freq=GLOSSARY_FREQ)
    return tok


def tokenizer():
    """The shared private ``jieba.Tokenizer`` with the domain dictionary loaded."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


def cut(run: str) -> tuple[list[str], list[str]]:
    """``(precise, search)`` words of a run of Han characters, from one segmentation.

    Search-engine style also emits the two- and three-character dictionary words inside long
    compounds (人工智能 → 人工, 智能, 人工智能), so 智能制造 and 人工智能 still share 智能; the
    precise words do not overlap. This is jieba's ``cut_for_search`` rule applied to one
    ``cut``, so callers that need both segment once.
    """
    tok = tokenizer()
    freq = tok.FREQ
    precise = tok.lcut(run, HMM=True)
    search: list[str] = []
    for w in precise:
        n = len(w)
        if n > 2:
            search.extend(g for g in (w[i : i + 2] for i in range(n - 1)) if freq.get(g))
        if n > 3:
            search.extend(g for g in (w[i : i + 3] for i in range(n - 2)) if freq.get(g))
        search.append(w)
    return precise, search


def segment(run: str) -> list[str]:
    """Search-engine words of a run of Han characters (see :func:`cut`)."""
    return cut(run)[1]


GLOSSARY_FREQ = 500


@cache
def stop_words() -> frozenset[str]:
    """Chinese function words and request boilerplate (希望, 寻求, 合作 ...)."""
    return frozenset(w.strip() for w in _data("stopwords_zh.txt").splitlines() if w.strip())


def domain_terms() -> list[str]:
    """Words of the domain dictionary (for tests and documentation)."""
    return [line.split()[0] for line in _data("domain_dict.txt").splitlines() if line.strip()]
