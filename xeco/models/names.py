"""Names and addresses as a reader sees them, for comparing them."""

from __future__ import annotations

import unicodedata


def canonical(text: str) -> str:
    """Text as a reader sees it, for comparing names and addresses.

    NFKC folds look-alikes (full-width ｘｅｃｏ is xeco), invisible format characters (zero-width
    spaces and joiners, direction marks, soft hyphens) are dropped, and spaces collapse: two
    names that look the same compare equal.
    """
    text = unicodedata.normalize("NFKC", text)
    return " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split())


def fold(text: str) -> str:
    """The comparison key: canonical and case-folded (Straße and STRASSE are one name)."""
    return canonical(text).casefold()
