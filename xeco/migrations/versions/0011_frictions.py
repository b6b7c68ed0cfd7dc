"""when each party answered an introduction

Revision ID: 0011_frictions
Revises: 0009_index_store
Create Date: 2026-11-27 16:00:00

"""
from alembic import op
import sqlalchemy as sa

from xeco.models.base import UTCDateTime


revision = '0011_frictions'
down_revision = '0009_index_store'
branch_labels = None
depends_on = None

COLUMNS = ('company_responded_at', 'provider_responded_at')


def upgrade():
    # In place, not a batch: a rebuild of matches would fail the foreign keys of its notes
    # on SQLite. Answers given before this revision keep no date (the page says nothing).
    for column in COLUMNS:
        op.add_column('matches', sa.Column(column, UTCDateTime(), nullable=True))


def downgrade():
    for column in COLUMNS:
        op.drop_column('matches', column)
