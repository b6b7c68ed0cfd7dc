"""which challenges wait for matching, so one task can take several

Revision ID: 0017_match_due
Revises: 0016_match_status_counts
Create Date: 2026-12-07 12:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0017_match_due'
down_revision = '0016_match_status_counts'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('challenges', sa.Column('match_due_at', sa.DateTime(timezone=True), nullable=True))
    # Partial: only the few rows that wait are in it, and a task reads them oldest first.
    op.create_index(
        'ix_challenges_match_due_at',
        'challenges',
        ['match_due_at'],
        postgresql_where=sa.text('match_due_at IS NOT NULL'),
        sqlite_where=sa.text('match_due_at IS NOT NULL'),
    )


def downgrade():
    op.drop_index('ix_challenges_match_due_at', table_name='challenges')
    # Not in batch mode: on SQLite that copies the table and drops the old one, and the drop
    # cascades to every match of a challenge. SQLite drops a column itself since 3.35.
    op.execute('ALTER TABLE challenges DROP COLUMN match_due_at')
