"""after the introduction: contacts, conversations, outcomes, offers, notices as parameters

Notices (notifications, e-mails) are stored as a kind and parameters from here on.

Revision ID: 0008_after_introduction
Revises: 0007_accounts
Create Date: 2026-11-27 16:00:00

"""
from alembic import op
import sqlalchemy as sa

from xeco.models.base import UTCDateTime


revision = '0008_after_introduction'
down_revision = '0007_accounts'
branch_labels = None
depends_on = None

# Notifications about a match whose words can be rendered again from the match itself.
MATCH_KINDS = ('introduced', 'response_accepted', 'response_declined')


def upgrade():
    # Plain ADD COLUMNs on users and matches: a batch would rebuild tables that others' rows
    # reference (see 0007).
    op.add_column('users', sa.Column('phone', sa.String(length=40), nullable=True))
    op.add_column('users', sa.Column('share_phone', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))
    op.add_column('matches', sa.Column('reminded_at', UTCDateTime(), nullable=True))

    # Nothing references these two, so a batch rebuild (SQLite) is safe.
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch.alter_column('title', existing_type=sa.String(length=300), nullable=True)
    with op.batch_alter_table('email_outbox') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('match_id', sa.Integer(), nullable=True))
        batch.alter_column('subject', existing_type=sa.String(length=300), nullable=True)
        batch.alter_column('body', existing_type=sa.Text(), nullable=True)
        batch.create_foreign_key(batch.f('fk_email_outbox_user_id_users'), 'users',
                                 ['user_id'], ['id'], ondelete='SET NULL')
        batch.create_foreign_key(batch.f('fk_email_outbox_match_id_matches'), 'matches',
                                 ['match_id'], ['id'], ondelete='SET NULL')
        batch.create_index('ix_email_outbox_user_match', ['user_id', 'match_id'], unique=False)

    op.create_table(
        'match_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_match_messages_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'],
                                name=op.f('fk_match_messages_match_id_matches'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_messages')),
    )
    op.create_index('ix_match_messages_match_id_id', 'match_messages', ['match_id', 'id'],
                    unique=False)
    op.create_table(
        'match_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.Enum('talking', 'agreement', 'started', 'no_deal',
                                     name='match_outcome', native_enum=False,
                                     create_constraint=True, length=20), nullable=False),
        sa.Column('note', sa.String(length=2000), nullable=True),
        sa.Column('happened_on', sa.Date(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'],
                                name=op.f('fk_match_outcomes_match_id_matches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_match_outcomes_recorded_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_outcomes')),
    )
    op.create_index(op.f('ix_match_outcomes_match_id'), 'match_outcomes', ['match_id'],
                    unique=False)
    op.create_table(
        'match_requests',
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=1000), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'],
                                name=op.f('fk_match_requests_match_id_matches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_match_requests_requested_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('match_id', name=op.f('pk_match_requests')),
    )
    _notices_from_matches()


def _notices_from_matches():
    """Notifications about a match become a kind and parameters, rendered in the reader's
    language from now on; others (written in their reader's language already) stay text."""
    bind = op.get_bind()
    notes = sa.table('notifications', sa.column('id', sa.Integer),
                     sa.column('user_id', sa.Integer), sa.column('kind', sa.String),
                     sa.column('match_id', sa.Integer), sa.column('params', sa.JSON),
                     sa.column('title', sa.String), sa.column('body', sa.Text))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('role', sa.String))
    matches = sa.table('matches', sa.column('id', sa.Integer),
                       sa.column('challenge_id', sa.Integer),
                       sa.column('capability_id', sa.Integer),
                       sa.column('note_to_parties', sa.String))
    challenges = sa.table('challenges', sa.column('id', sa.Integer),
                          sa.column('title', sa.String), sa.column('organisation_id', sa.Integer))
    caps = sa.table('capabilities', sa.column('id', sa.Integer), sa.column('title', sa.String),
                    sa.column('organisation_id', sa.Integer))
    orgs = sa.table('organisations', sa.column('id', sa.Integer), sa.column('name', sa.String))
    company, provider = orgs.alias('company'), orgs.alias('provider')
    rows = bind.execute(
        sa.select(notes.c.id, notes.c.kind, users.c.role, challenges.c.title,
                  caps.c.title, company.c.name, provider.c.name, matches.c.note_to_parties)
        .join(users, users.c.id == notes.c.user_id)
        .join(matches, matches.c.id == notes.c.match_id)
        .join(challenges, challenges.c.id == matches.c.challenge_id)
        .join(caps, caps.c.id == matches.c.capability_id)
        .join(company, company.c.id == challenges.c.organisation_id)
        .join(provider, provider.c.id == caps.c.organisation_id)
        .where(notes.c.kind.in_(MATCH_KINDS))
    ).all()
    for nid, kind, role, challenge, capability, company_name, provider_name, note in rows:
        params = {'challenge': challenge, 'capability': capability,
                  'company': company_name, 'provider': provider_name}
        if kind == 'introduced':
            params.update(side='company' if role == 'company' else 'provider', note=note)
        bind.execute(notes.update().where(notes.c.id == nid)
                     .values(params=params, title=None, body=None))


def downgrade():
    bind = op.get_bind()
    # Rows made after the upgrade have no text: give them their kind as a title.
    notes = sa.table('notifications', sa.column('kind', sa.String),
                     sa.column('title', sa.String))
    bind.execute(notes.update().where(notes.c.title.is_(None)).values(title=notes.c.kind))
    mails = sa.table('email_outbox', sa.column('kind', sa.String),
                     sa.column('subject', sa.String), sa.column('body', sa.Text))
    bind.execute(mails.update().where(mails.c.subject.is_(None))
                 .values(subject=sa.func.coalesce(mails.c.kind, ''), body=''))
    op.drop_table('match_requests')
    op.drop_index(op.f('ix_match_outcomes_match_id'), table_name='match_outcomes')
    op.drop_table('match_outcomes')
    op.drop_index('ix_match_messages_match_id_id', table_name='match_messages')
    op.drop_table('match_messages')
    with op.batch_alter_table('email_outbox') as batch:
        batch.drop_index('ix_email_outbox_user_match')
        batch.drop_constraint(batch.f('fk_email_outbox_match_id_matches'), type_='foreignkey')
        batch.drop_constraint(batch.f('fk_email_outbox_user_id_users'), type_='foreignkey')
        batch.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
        for column in ('match_id', 'user_id', 'params', 'kind'):
            batch.drop_column(column)
    with op.batch_alter_table('notifications') as batch:
        batch.alter_column('title', existing_type=sa.String(length=300), nullable=False)
        batch.drop_column('params')
    op.drop_column('matches', 'reminded_at')
    op.drop_column('users', 'share_phone')
    op.drop_column('users', 'phone')
