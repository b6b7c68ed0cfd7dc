"""trigram indexes for the lists' text search (PostgreSQL only)

Revision ID: 0012_search_indexes
Revises: 0011_frictions
Create Date: 2026-11-27 21:20:00

"""
import logging

from alembic import op
import sqlalchemy as sa


revision = '0012_search_indexes'
down_revision = '0011_frictions'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# The columns each list's q searches (services: search_columns); JSON lists are searched
# as their text, so their index is on that cast, the expression the query uses.
SEARCHED = {
    'challenges': ('title', 'description', 'keywords'),
    'capabilities': ('title', 'summary', 'keywords', 'equipment'),
    'programmes': ('title', 'summary', 'keywords'),
}
JSON_COLUMNS = {'keywords'}


def _name(table, column):
    # Frozen here: xeco.models.search.index_name may change, this revision may not.
    return f'ix_{table}_{column}_trgm'


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    try:
        # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError as err:
        log.warning('pg_trgm unavailable (%s): text search stays unindexed', err.orig)
        return
    for table, columns in SEARCHED.items():
        for column in columns:
            expr = f'(CAST({column} AS VARCHAR))' if column in JSON_COLUMNS else column
            op.execute(
                f'CREATE INDEX IF NOT EXISTS {_name(table, column)} '
                f'ON {table} USING gin ({expr} gin_trgm_ops)'
            )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, columns in SEARCHED.items():
        for column in columns:
            op.execute(f'DROP INDEX IF EXISTS {_name(table, column)}')
