"""Publications from what people have at hand: pasted lines, BibTeX or CSV exports.

Every reader gives plain dicts for ``PublicationSchema`` (title, year, doi, abstract,
venue, authors) and a list of problems to show; the schema has the last word on validity.
"""

from __future__ import annotations

import csv
import io
import re

from xeco.web import bibtex

MAX_ITEMS = 50
_DOI = re.compile(r"(10\.\d{4,9}/\S+)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d|2100)\b")
# Column names people use in exports, English and Chinese.
_COLUMNS = {
    "title": ("title", "标题", "题名", "论文标题"),
    "year": ("year", "年份", "年", "publication year"),
    "doi": ("doi",),
    "abstract": ("abstract", "摘要"),
    "venue": ("venue", "journal", "booktitle", "source title", "期刊", "来源"),
    "authors": ("authors", "author", "作者"),
}


def doi_of(raw: str | None) -> str | None:
    m = _DOI.search(raw or "")
    return m.group(1).rstrip(".,;") if m else None


def year_of(raw: str | None) -> int | None:
    m = _YEAR.search(raw or "")
    return int(m.group(1)) if m else None


def _entry(title, year=None, doi=None, **extra) -> dict:
    item = {"title": (title or "").strip(), "year": year_of(year), "doi": doi_of(doi)}
    for key, value in extra.items():
        if value and value.strip():
            item[key] = value.strip()
    return item


def from_lines(text: str | None) -> tuple[list[dict], list[str]]:
    """``Title | year | DOI`` per line; year and DOI may be missing or swapped."""
    items, problems = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        title, rest = parts[0], " ".join(parts[1:])
        if not title:
            problems.append(f"line {number}: no title")
            continue
        doi = doi_of(rest)
        # A DOI often holds a year-like number; look for the year outside it.
        items.append(_entry(title, year=rest.replace(doi, "") if doi else rest, doi=doi))
    return items, problems


def from_bibtex(text: str) -> tuple[list[dict], list[str]]:
    entries, problems = bibtex.read(text)
    items = []
    for e in entries:
        if not e.get("title"):
            problems.append(f"@{e.get('type', '?')} without a title skipped")
            continue
        items.append(
            _entry(
                e["title"],
                year=e.get("year") or e.get("date"),
                doi=e.get("doi") or e.get("url"),
                abstract=e.get("abstract"),
                venue=e.get("journal") or e.get("booktitle"),
                authors=e.get("author"),
            )
        )
    return items, problems


def _column_map(header: list[str]) -> dict[str, int]:
    found = {}
    for i, name in enumerate(header):
        key = name.strip().lower().lstrip("\ufeff")
        for field, names in _COLUMNS.items():
            if key in names and field not in found:
                found[field] = i
    return found


MAX_ROWS = 500  # ten times what a profile keeps


def _rows(text: str, dialect) -> tuple[list[list[str]], list[str]]:
    """The non-blank rows, at most ``MAX_ROWS``; a malformed file ends the reading, politely."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows.append(row)
                if len(rows) >= MAX_ROWS:
                    return rows, [f"only the first {MAX_ROWS} rows were read"]
    except csv.Error as err:  # a cell over the csv module's limit, a stray NUL...
        return rows, [f"line {reader.line_num}: {err}"]
    return rows, []


def from_csv(text: str) -> tuple[list[dict], list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows, problems = _rows(text, dialect)
    if not rows:
        return [], problems
    columns = _column_map(rows[0])
    if "title" in columns:
        rows = rows[1:]
    else:  # no header: title, year, DOI in that order
        columns = {"title": 0, "year": 1, "doi": 2}
    items = []
    for number, row in enumerate(rows, start=2 if "title" in columns else 1):
        cell = {f: (row[i] if i < len(row) else "") for f, i in columns.items()}
        if not cell.get("title", "").strip():
            problems.append(f"row {number}: no title")
            continue
        items.append(_entry(**cell))
    return items, problems


def decode(data: bytes) -> str:
    """UTF-8 first; Chinese spreadsheets often export GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# Spaces and tabs only, never \s: over a paste of 512 KB of line breaks \s* at every line's
# start would make the search quadratic.
_BIBTEX_ENTRY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)


def looks_like_bibtex(text: str) -> bool:
    return bool(_BIBTEX_ENTRY.search(text))


def looks_like_csv(text: str) -> bool:
    """A header line that names a title column among others: "title,year,doi"."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = [c.strip().strip('"').lower() for c in re.split(r"[,;\t]", first)]
    return len(cells) > 1 and any(c in _COLUMNS["title"] for c in cells)


def from_paste(text: str) -> tuple[list[dict], list[str], str]:
    """What was pasted into the box, read as what it is: BibTeX, CSV with a header, or
    lines of "Title | year | DOI". The third value names the reader that was used."""
    if looks_like_bibtex(text):
        return *from_bibtex(text), "bibtex"
    if looks_like_csv(text):
        return *from_csv(text), "csv"
    return *from_lines(text), "lines"


def from_upload(filename: str, data: bytes) -> tuple[list[dict], list[str]]:
    text = decode(data)
    if filename.lower().endswith((".bib", ".bibtex")) or looks_like_bibtex(text):
        return from_bibtex(text)
    return from_csv(text)


def merge(*lists: list[dict]) -> list[dict]:
    """One list without repeats: the same DOI, or the same title, counts once."""
    dois, titles, out = set(), set(), []
    for items in lists:
        for item in items:
            doi, title = (item.get("doi") or "").lower(), item["title"].casefold()
            if (doi and doi in dois) or title in titles:
                continue
            dois.add(doi)
            titles.add(title)
            out.append(item)
    return out


FIELDS = ("title", "abstract", "year", "doi", "venue", "authors")


def record(publication) -> dict:
    """A stored publication as the schema takes it, without the fields it leaves empty."""
    values = {name: getattr(publication, name) for name in FIELDS}
    return {name: value for name, value in values.items() if value is not None}


def as_lines(records: list[dict]) -> str:
    lines = []
    for p in records:
        parts = [p["title"], str(p["year"]) if p.get("year") else "", p.get("doi") or ""]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)
