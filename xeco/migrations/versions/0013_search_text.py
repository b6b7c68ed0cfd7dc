"""one lower-cased search text per searched row, with one trigram index (PostgreSQL only)

Revision ID: 0013_search_text
Revises: 0012_search_indexes
Create Date: 2026-11-28 01:10:00

"""
import logging

from alembic import op


revision = '0013_search_text'
down_revision = '0012_search_indexes'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# Frozen copies (a revision may not change with the code): the columns each list's q
# searches, and which of them are JSON lists, searched as their text.
SEARCHED = {
    'challenges': ('title', 'description', 'keywords'),
    'capabilities': ('title', 'summary', 'keywords', 'equipment'),
    'programmes': ('title', 'summary', 'keywords'),
}
JSON_COLUMNS = {'keywords'}
COLUMN = 'search_text'


def _text(column):
    value = f'CAST({column} AS TEXT)' if column in JSON_COLUMNS else column
    return f"coalesce({value}, '')"


def _has_trgm(bind):
    return bind.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    ).first() is not None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    trgm = _has_trgm(bind)
    for table, columns in SEARCHED.items():
        # The words of all searched columns, lower-cased once when the row is written: a
        # search then tests LIKE on this one column, with no case folding per row and
        # query, and its trigram index serves the words of three letters or more. The
        # space keeps a word from matching across two columns.
        joined = " || ' ' || ".join(_text(c) for c in columns)
        op.execute(
            f'ALTER TABLE {table} ADD COLUMN {COLUMN} TEXT '
            f'GENERATED ALWAYS AS (lower({joined})) STORED'
        )
        for column in columns:
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_{column}_trgm')
        if trgm:
            op.execute(
                f'CREATE INDEX ix_{table}_{COLUMN}_trgm ON {table} '
                f'USING gin ({COLUMN} gin_trgm_ops)'
            )
    if not trgm:
        log.warning('pg_trgm unavailable: the search text stays unindexed')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    trgm = _has_trgm(bind)
    for table, columns in SEARCHED.items():
        op.execute(f'DROP INDEX IF EXISTS ix_{table}_{COLUMN}_trgm')
        op.execute(f'ALTER TABLE {table} DROP COLUMN {COLUMN}')
        if not trgm:
            continue
        for column in columns:
            expr = f'(CAST({column} AS VARCHAR))' if column in JSON_COLUMNS else column
            op.execute(
                f'CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trgm '
                f'ON {table} USING gin ({expr} gin_trgm_ops)'
            )
