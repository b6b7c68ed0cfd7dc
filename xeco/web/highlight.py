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


def terms_of(explanation) -> list[tuple[str, float]]:
    """[[term, weight], ...] (or dicts) as clean pairs, heaviest first."""
    pairs = []
    for item in explanation or []:
        term, weight = (item["term"], item["weight"]) if isinstance(item, dict) else item
        term = str(term).strip()
        if term:
            pairs.append((term, float(weight)))
    return sorted(pairs, key=lambda p: -p[1])


def highlight(text: str | None, explanation) -> Markup:
    """``text`` escaped, with each term wrapped in ``<mark>`` (rank 1-5 for its colour)."""
    text = text or ""
    pairs = terms_of(explanation)
    if not pairs or not text:
        return escape(text)
    rank = {term.casefold(): min(i + 1, 5) for i, (term, _w) in enumerate(pairs)}
    # Longer terms first, so "machine vision" wins over "vision" where both fit.
    ordered = sorted(rank, key=len, reverse=True)
    terms = {t.casefold(): t for t, _ in pairs}
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
