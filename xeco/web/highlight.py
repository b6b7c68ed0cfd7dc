"""Mark the terms that drove a match in the texts they came from.

Chinese has no spaces, so a Chinese term is found anywhere as a substring. A Latin term
starts at a word start and takes the rest of its word ("detect" marks "detection"), since
the matcher shows English stems by one of their surface forms.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_LATIN = re.compile(r"[A-Za-z0-9]")


def _pattern(term: str) -> str:
    body = r"\s+".join(re.escape(part) for part in term.split())
    if _LATIN.match(term[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _LATIN.match(term[-1]):
        body += r"[A-Za-z]*"
    return body


def term_pairs(explanation) -> list[tuple[str, float, str]]:
    """Stored entries as ``(challenge words, weight, capability words)``, heaviest first.

    Entries are ``[term, weight]`` (both texts use the term) or ``[term, weight, counterpart]``
    when the capability says it in its own words, often in the other language (锂电池 ↔
    lithium battery); dicts with the same keys are read too.
    """
    out = []
    for item in explanation or []:
        if isinstance(item, dict):
            term, weight, other = item["term"], item["weight"], item.get("counterpart")
        else:
            term, weight, *rest = item
            other = rest[0] if rest else None
        term = str(term).strip()
        if term:
            out.append((term, float(weight), str(other or term).strip() or term))
    return sorted(out, key=lambda p: -p[1])


def terms_of(explanation, side: str = "challenge") -> list[tuple[str, float]]:
    """One side's ``(words, weight)`` pairs, heaviest first (``side``: challenge/capability)."""
    return [(a if side == "challenge" else b, w) for a, w, b in term_pairs(explanation)]


def highlight(text: str | None, explanation, side: str = "challenge") -> Markup:
    """``text`` escaped, each word of one side's terms wrapped in ``<mark>`` (rank 1-5)."""
    text = text or ""
    # A merged entry names several words ("lithium battery", "锂电池 电池"): marked as a
    # phrase where they stand together, else each where it stands.
    rank: dict[str, int] = {}
    terms: dict[str, str] = {}
    for i, (words, _w) in enumerate(terms_of(explanation, side)):
        for word in (words, *words.split()):
            rank.setdefault(word.casefold(), min(i + 1, 5))
            terms.setdefault(word.casefold(), word)
    if not rank or not text:
        return escape(text)
    # Longer first, so 锂电池 wins over 电池 and a phrase over its words where both fit.
    ordered = sorted(rank, key=len, reverse=True)
    regex = re.compile("|".join(f"({_pattern(terms[t])})" for t in ordered), re.IGNORECASE)
    out, last = [], 0
    for m in regex.finditer(text):
        term = ordered[m.lastindex - 1]
        out.append(escape(text[last : m.start()]))
        out.append(
            Markup('<mark class="hl hl-{}" data-term="{}">{}</mark>').format(
                rank[term], terms[term], text[m.start() : m.end()]
            )
        )
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
