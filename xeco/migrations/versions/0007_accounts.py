"""memberships, e-mail verification, organisation verification and e-mail domains

Revision ID: 0007_accounts
Revises: 0006_detected_languages
Create Date: 2026-11-27 14:00:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa

from xeco.models.base import UTCDateTime


revision = '0007_accounts'
down_revision = '0006_detected_languages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'membership',
            sa.Enum('pending', 'active', 'rejected', name='membership', native_enum=False,
                    create_constraint=True, length=20),
            server_default='active', nullable=False))
        batch_op.add_column(sa.Column('org_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('email_verified_at', UTCDateTime(), nullable=True))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_domains', sa.JSON(), server_default='[]',
                                      nullable=False))
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))

    # Same rule as xeco/models/names.py fold; copied so this migration stays as written.
    def key(name):
        name = unicodedata.normalize('NFKC', name)
        name = ''.join(ch for ch in name if unicodedata.category(ch) != 'Cf')
        return ' '.join(name.split()).casefold()

    bind = op.get_bind()
    orgs = sa.table('organisations', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('name_key', sa.String))
    for row in bind.execute(sa.select(orgs.c.id, orgs.c.name)).all():
        bind.execute(orgs.update().where(orgs.c.id == row.id).values(name_key=key(row.name)))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'], unique=False)

    # Accounts from before this revision were trusted as they were: verified, active, and
    # the first member of each organisation its administrator.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('organisation_id', sa.Integer),
                     sa.column('created_at', UTCDateTime()), sa.column('org_admin', sa.Boolean),
                     sa.column('email_verified_at', UTCDateTime()))
    op.execute(users.update().values(email_verified_at=users.c.created_at))
    first = (sa.select(sa.func.min(users.c.id)).where(users.c.organisation_id.is_not(None))
             .group_by(users.c.organisation_id))
    op.execute(users.update().where(users.c.id.in_(first)).values(org_admin=True))


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_column('name_key')
        batch_op.drop_column('email_domains')
        batch_op.drop_column('verified_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('org_admin')
        batch_op.drop_column('membership')
