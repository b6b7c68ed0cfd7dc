"""an index per catalogue table for the lists' default order, newest first

Revision ID: 0014_list_order
Revises: 0013_search_text
Create Date: 2026-11-28 04:20:00

"""
from alembic import op


revision = '0014_list_order'
down_revision = '0013_search_text'
branch_labels = None
depends_on = None

# Frozen copy (a revision may not change with the code): the lists ordered by created_at.
TABLES = ('challenges', 'capabilities', 'programmes')


def upgrade():
    # (created_at, id) read backwards is the lists' default order, created_at DESC, id DESC:
    # a page without a search is read from the index and stops after its rows, where it
    # sorted the whole table before.
    for table in TABLES:
        op.create_index(f'ix_{table}_created_at_id', table, ['created_at', 'id'])


def downgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_created_at_id', table_name=table)
