"""detected languages of challenges, capabilities and programmes

Revision ID: 0006_detected_languages
Revises: df117108cb30
Create Date: 2026-11-27 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_detected_languages'
down_revision = 'df117108cb30'
branch_labels = None
depends_on = None

# Same fields as xeco/services/languages.py; copied so this migration stays as it was written.
TEXT = {
    'challenges': ('title', 'description', 'keywords'),
    'capabilities': ('title', 'summary', 'keywords', 'equipment'),
    'programmes': ('title', 'summary', 'keywords'),
}


def upgrade():
    for table in ('capabilities', 'programmes'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))

    from xeco.matching.text import detect_language

    bind = op.get_bind()
    meta = sa.MetaData()
    for table, fields in TEXT.items():
        t = sa.Table(table, meta, sa.Column('id', sa.Integer), sa.Column('language', sa.String),
                     *(sa.Column(f, sa.JSON if f == 'keywords' else sa.Text) for f in fields))
        for row in bind.execute(sa.select(t)).mappings().all():
            parts = []
            for f in fields:
                value = row[f] or ''
                parts.append(' '.join(map(str, value)) if isinstance(value, list) else str(value))
            bind.execute(sa.update(t).where(t.c.id == row['id'])
                         .values(language=detect_language('\n'.join(parts))))


def downgrade():
    for table in ('programmes', 'capabilities'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
