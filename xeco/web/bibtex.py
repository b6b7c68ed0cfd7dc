"""A small, forgiving BibTeX reader: enough for exported reference lists.

It reads ``@type{key, field = {value} | "value" | bare, ...}`` entries with nested braces,
skips ``@comment``, ``@preamble`` and ``@string`` blocks, and never raises on bad input:
an entry it cannot finish is dropped and reported by its position.
"""

from __future__ import annotations

import re

_SKIP = {"comment", "preamble", "string"}
_LATEX = [
    (re.compile(r"\\[\"'`^~=.uvHc]\{?([A-Za-z])\}?"), r"\1"),  # accents: keep the letter
    (re.compile(r"\\(&|%|\$|#|_)"), r"\1"),
    (re.compile(r"\\[a-zA-Z]+\s*\{([^{}]*)\}"), r"\1"),  # \emph{x} -> x
    (re.compile(r"[{}]"), ""),
    (re.compile(r"~"), " "),
    (re.compile(r"\s+"), " "),
]


def clean(value: str) -> str:
    for pattern, repl in _LATEX:
        value = pattern.sub(repl, value)
    return value.strip()


def _braced(text: str, start: int) -> tuple[str, int]:
    """The text inside balanced braces opening at ``start``; returns (inside, end+1)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    raise ValueError("unbalanced braces")


def _quoted(text: str, start: int) -> tuple[str, int]:
    depth = 0
    for i in range(start + 1, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and text[i - 1] != "\\":
            return text[start + 1 : i], i + 1
    raise ValueError("unterminated quote")


_FIELD = re.compile(r"\s*,?\s*([A-Za-z][\w:-]*)\s*=\s*")


def _fields(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    comma = body.find(",")  # the citation key comes first
    pos = comma + 1 if comma >= 0 else len(body)
    while pos < len(body):
        m = _FIELD.match(body, pos)
        if not m:
            break
        name, pos = m.group(1).lower(), m.end()
        if pos >= len(body):
            break
        if body[pos] == "{":
            value, pos = _braced(body, pos)
        elif body[pos] == '"':
            value, pos = _quoted(body, pos)
        else:
            bare = re.match(r"[^,}\s]+", body[pos:])
            value = bare.group(0) if bare else ""
            pos += len(value)
        out[name] = clean(value)
        while pos < len(body) and body[pos] in " \t\r\n,":
            pos += 1
    return out


def read(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Entries as dicts of lower-case field names, and messages about skipped parts."""
    entries: list[dict[str, str]] = []
    problems: list[str] = []
    for m in re.finditer(r"@\s*([A-Za-z]+)\s*([{(])", text):
        kind = m.group(1).lower()
        if kind in _SKIP:
            continue
        opening = m.end() - 1
        try:
            if m.group(2) == "{":
                body, _ = _braced(text, opening)
            else:
                close = text.index(")", opening)
                body = text[opening + 1 : close]
            fields = _fields(body)
        except ValueError as err:
            line = text.count("\n", 0, m.start()) + 1
            problems.append(f"@{kind} at line {line}: {err}")
            continue
        fields["type"] = kind
        entries.append(fields)
    return entries, problems
