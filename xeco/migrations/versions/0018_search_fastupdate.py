"""the trigram indexes of the search texts take each new row at once (no pending list)

Revision ID: 0018_search_fastupdate
Revises: 0017_match_due
Create Date: 2026-12-07 15:45:00

"""
from alembic import op


revision = '0018_search_fastupdate'
down_revision = '0017_match_due'
branch_labels = None
depends_on = None

# Frozen copy: the tables whose search text has a trigram index (migration 0013).
INDEXES = (
    'ix_challenges_search_text_trgm',
    'ix_capabilities_search_text_trgm',
    'ix_programmes_search_text_trgm',
)


def _present(bind):
    # pg_trgm may have been missing (0012): then there is no index to change.
    return [
        name for name in INDEXES
        if bind.exec_driver_sql(f"SELECT to_regclass('{name}')").scalar() is not None
    ]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    # With GIN's fast update a new row's trigrams wait in a pending list until a vacuum or
    # until 4 MB have gathered, and every search reads the whole list: while challenges were
    # posted, the list held thousands of rows and a search's index scan read 350 pages for
    # 5 (4.0 ms against 0.8). Searches far outnumber writes, so each write pays instead.
    for name in _present(bind):
        op.execute(f'ALTER INDEX {name} SET (fastupdate = off)')
        # Turning it off leaves what waits; this moves it into the index.
        op.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    for name in _present(bind):
        op.execute(f'ALTER INDEX {name} RESET (fastupdate)')
