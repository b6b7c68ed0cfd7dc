"""Reading BibTeX uploads with bibtexparser, LaTeX turned into Unicode with pylatexenc.

Uploads come from anyone with an account, so the work per upload is bounded before and
while parsing: only the first ``MAX_CHARS``, ``MAX_BLOCKS`` blocks and ``MAX_FIELDS``
fields are read (a profile keeps at most 50 publications anyway), a value is cut at
``MAX_VALUE`` characters (macros cannot blow up), and pylatexenc, which costs microseconds
per character, gets a budget of ``LATEX_BUDGET`` characters per upload; past it a plain
cleanup is used. Text without LaTeX markup skips the decoder altogether.
"""

from __future__ import annotations

import calendar
import logging
import re

import bibtexparser
from bibtexparser.model import Entry, ParsingFailedBlock, String
from pylatexenc.latex2text import LatexNodes2Text

MAX_CHARS = 128 * 1024
MAX_BLOCKS = 300
MAX_FIELDS = 3000  # ten per block on average
MAX_VALUE = 10_000
LATEX_BUDGET = 20_000
MAX_DEPTH = 40
# The fields the publication form uses; others are never decoded.
FIELDS = ("title", "year", "date", "doi", "url", "abstract", "journal", "booktitle", "author")
# BibTeX's predefined month macros.
MONTHS = {m[:3].lower(): m for m in calendar.month_name[1:]}
_MARKUP = re.compile(r"[\\{}$~%&^_]")
_CRUDE = [
    (re.compile(r"\\[a-zA-Z]+\*?"), ""),
    (re.compile(r"\\(.)"), r"\1"),
    (re.compile(r"[{}$]"), ""),
    (re.compile(r"~"), " "),
]
_SPACE = re.compile(r"\s+")

# bibtexparser logs every block it gives up on; a hostile upload has thousands of them.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)


class _Decoder:
    """LaTeX to text, with a per-upload budget for the slow, exact decoder."""

    def __init__(self, budget: int = LATEX_BUDGET):
        self.budget = budget
        self.latex = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)

    def __call__(self, value: str) -> str:
        if _MARKUP.search(value):
            value = self._decode(value)
        return _SPACE.sub(" ", value).strip()

    def _decode(self, value: str) -> str:
        if len(value) <= self.budget and _depth(value) <= MAX_DEPTH:
            self.budget -= len(value)
            try:
                return self.latex.latex_to_text(value)
            except (RecursionError, ValueError):
                pass
        for pattern, repl in _CRUDE:
            value = pattern.sub(repl, value)
        return value


def _depth(value: str) -> int:
    depth = deepest = 0
    for ch in value:
        if ch == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}":
            depth -= 1
    return deepest


def _parts(expr: str):
    """The pieces of ``"a" # {b} # macro # 2020``, each as (kind, text); linear in length."""
    i, n = 0, len(expr)
    while i < n:
        while i < n and expr[i] in " \t\r\n#":
            i += 1
        if i >= n:
            return
        if expr[i] == "{":
            depth, j = 0, i
            while j < n:
                depth += {"{": 1, "}": -1}.get(expr[j], 0)
                if depth == 0:
                    break
                j += 1
            yield "text", expr[i + 1 : j]
            i = j + 1
        elif expr[i] == '"':
            depth, j = 0, i + 1
            while j < n and not (expr[j] == '"' and depth == 0):
                depth += {"{": 1, "}": -1}.get(expr[j], 0)
                j += 1
            yield "text", expr[i + 1 : j]
            i = j + 1
        else:
            j = i
            while j < n and expr[j] not in " \t\r\n#":
                j += 1
            yield "word", expr[i:j]
            i = j


def _resolve(expr: str, macros: dict[str, str]) -> str:
    out: list[str] = []
    size = 0
    for kind, piece in _parts(expr[: 2 * MAX_VALUE]):
        if kind == "word":
            piece = macros.get(piece.lower(), piece)
        out.append(piece)
        size += len(piece)
        if size >= MAX_VALUE:
            break
    return "".join(out)[:MAX_VALUE]


def _bounded(text: str) -> tuple[str, list[str]]:
    """Cut the text where it passes a limit: of size, of blocks (``@``), of fields (``=``)."""
    problems = []
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        problems.append(f"only the first {MAX_CHARS // 1024} KB were read")
    for mark, limit, what in (("@", MAX_BLOCKS, "entries"), ("=", MAX_FIELDS, "fields")):
        for count, m in enumerate(re.finditer(mark, text), start=1):
            if count > limit:
                text = text[: m.start()]
                problems.append(f"only the first {limit} {what} were read")
                break
    return text, problems


def read(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Entries as dicts of lower-case field names, and messages about skipped parts."""
    text, problems = _bounded(text)
    library = bibtexparser.parse_string(text, parse_stack=[])
    macros = dict(MONTHS)
    decode = _Decoder()
    entries = []
    # In file order: a macro is known from where it is defined on, as in BibTeX.
    for block in library.blocks:
        if isinstance(block, ParsingFailedBlock):
            if not isinstance(block.ignore_error_block, Entry):  # duplicate keys are harmless
                problems.append(f"an entry at line {block.start_line + 1} could not be read")
                continue
            block = block.ignore_error_block
        if isinstance(block, String):
            macros[block.key.lower()] = _resolve(str(block.value), macros)
        elif isinstance(block, Entry):
            fields = {"type": block.entry_type.lower()}
            for field in block.fields:
                key = field.key.lower()
                if key in FIELDS:
                    fields[key] = decode(_resolve(str(field.value), macros))
            entries.append(fields)
    return entries, problems
