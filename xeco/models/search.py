"""Text search on PostgreSQL: a lower-cased search text and its trigram index, made by
migrations only.

The lists' ``q`` is a case-insensitive substring search, which a B-tree cannot serve. On
PostgreSQL every searched table has ``search_text``: its searched columns joined and
lower-cased when a row is written (a generated column, migration 0013), with one trigram
(pg_trgm) index. A search then tests LIKE on one column: no case folding per row and query,
and the index serves words of three letters or more. Neither exists on SQLite (which
searches the columns themselves) and Alembic's comparison knows neither, so the models do
not declare them; ``declared_elsewhere`` tells the comparison to leave them be.
"""

from __future__ import annotations

import sqlalchemy as sa

SUFFIX = "_trgm"
SEARCH_TEXT = "search_text"


def index_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}{SUFFIX}"


def search_text(table: str) -> sa.ColumnElement[str]:
    """The table's lower-cased search text (PostgreSQL only)."""
    return sa.literal_column(f"{table}.{SEARCH_TEXT}", sa.Text())


def declared_elsewhere(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: False for a trigram index or a search text found in the
    database."""
    if not reflected:
        return True
    if type_ == "index":
        return not (name or "").endswith(SUFFIX)
    return not (type_ == "column" and name == SEARCH_TEXT)
