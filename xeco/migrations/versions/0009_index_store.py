"""fitted matcher indexes stored once for every worker host

Revision ID: 0009_index_store
Revises: 0008_after_introduction
Create Date: 2026-11-27 16:15:00

"""
from alembic import op
import sqlalchemy as sa

from xeco.models.base import UTCDateTime


revision = '0009_index_store'
down_revision = '0008_after_introduction'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'matcher_indexes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('signature', sa.String(length=200), nullable=False),
        sa.Column('newest', UTCDateTime(timezone=True), nullable=True),
        sa.Column('meta', sa.JSON(), nullable=False),
        sa.Column('ids', sa.LargeBinary(), nullable=False),
        sa.Column('model', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matcher_indexes')),
        sa.UniqueConstraint('name', 'signature', name=op.f('uq_matcher_indexes_name_signature')),
    )


def downgrade():
    op.drop_table('matcher_indexes')
