"""Text search indexes: PostgreSQL trigram (pg_trgm) indexes, made by a migration only.

The lists' ``q`` is a case-insensitive substring search (ILIKE), which a B-tree cannot serve:
without these every search reads every row. They exist on PostgreSQL alone, as expressions
that neither SQLite nor Alembic's comparison knows, so the models do not declare them;
``declared_elsewhere`` tells Alembic's comparison to leave them be.
"""

from __future__ import annotations

SUFFIX = "_trgm"


def index_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}{SUFFIX}"


def declared_elsewhere(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: False for a trigram index found in the database."""
    return not (type_ == "index" and reflected and (name or "").endswith(SUFFIX))
