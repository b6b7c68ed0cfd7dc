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
    # Plain ADD COLUMNs, not batch operations: on SQLite a batch would rebuild these tables,
    # and dropping a table that others' rows reference fails their foreign keys.
    op.add_column('users', sa.Column('membership', sa.String(length=20), server_default='active',
                                     nullable=False))
    if op.get_bind().dialect.name != 'sqlite':
        # SQLite cannot add a CHECK to a table in place; the model checks values there.
        op.create_check_constraint(op.f('ck_users_membership'), 'users',
                                   "membership IN ('pending', 'active', 'rejected')")
    op.add_column('users', sa.Column('org_admin', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))
    op.add_column('users', sa.Column('email_verified_at', UTCDateTime(), nullable=True))
    op.add_column('organisations', sa.Column('verified_at', UTCDateTime(), nullable=True))
    op.add_column('organisations', sa.Column('email_domains', sa.JSON(), server_default='[]',
                                             nullable=False))
    # Filled in below; the empty default is what lets the column be added in place.
    op.add_column('organisations', sa.Column('name_key', sa.String(length=200), server_default='',
                                             nullable=False))

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
    op.create_index(op.f('ix_organisations_name_key'), 'organisations', ['name_key'], unique=False)

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
    op.drop_index(op.f('ix_organisations_name_key'), table_name='organisations')
    for column in ('name_key', 'email_domains', 'verified_at'):
        op.drop_column('organisations', column)
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_users_membership'), 'users', type_='check')
    for column in ('email_verified_at', 'org_admin', 'membership'):
        op.drop_column('users', column)
