"""how many matches hold each status, kept by triggers on matches

Revision ID: 0016_match_status_counts
Revises: 0015_index_state
Create Date: 2026-11-28 05:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_match_status_counts'
down_revision = '0015_index_state'
branch_labels = None
depends_on = None

# Frozen copy (a revision may not change with the code): the statuses a match can hold.
STATUSES = ('proposed', 'approved', 'rejected', 'introduced', 'accepted', 'declined')
TABLE = 'match_status_counts'
FUNCTION = 'match_status_counts_apply'


def _counts() -> str:
    return ', '.join(f"count(*) FILTER (WHERE status = '{s}') AS {s}" for s in STATUSES)


def _postgresql():
    # A statement-level trigger per operation adds one row of changes per statement that
    # changed any status: a full run's INSERT of thousands of proposals adds one row. Rows
    # are only ever added (and folded together by a periodic task), never updated, so
    # concurrent transactions never wait on one another here.
    zeros = ', '.join(f'0 AS {s}' for s in STATUSES)
    changed = ' OR '.join(f'n.{s} <> o.{s}' for s in STATUSES)
    columns = ', '.join(STATUSES)
    deltas = ', '.join(f'n.{s} - o.{s}' for s in STATUSES)
    op.execute(f'''
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE n record; o record;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                SELECT {zeros} INTO n;
            ELSE
                SELECT {_counts()} INTO n FROM new_rows;
            END IF;
            IF TG_OP = 'INSERT' THEN
                SELECT {zeros} INTO o;
            ELSE
                SELECT {_counts()} INTO o FROM old_rows;
            END IF;
            IF {changed} THEN
                INSERT INTO {TABLE} ({columns}) VALUES ({deltas});
            END IF;
            RETURN NULL;
        END $$
    ''')
    for name, referencing in (
        ('insert', 'NEW TABLE AS new_rows'),
        ('update', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'),
        ('delete', 'OLD TABLE AS old_rows'),
    ):
        op.execute(
            f'CREATE TRIGGER {TABLE}_{name} AFTER {name.upper()} ON matches '
            f'REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
        )
    op.execute(f'''
        CREATE FUNCTION {FUNCTION}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {TABLE};
            RETURN NULL;
        END $$
    ''')
    op.execute(
        f'CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON matches '
        f'FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}_truncate()'
    )


def _sqlite():
    # Row triggers only, on the first row; SQLite's writers take turns anyway.
    def step(row: str, sign: str) -> str:
        return ', '.join(f"{s} = {s} {sign} ({row}.status = '{s}')" for s in STATUSES)

    first = f'(SELECT min(id) FROM {TABLE})'
    op.execute(
        f'CREATE TRIGGER {TABLE}_insert AFTER INSERT ON matches BEGIN '
        f'UPDATE {TABLE} SET {step("NEW", "+")} WHERE id = {first}; END'
    )
    op.execute(
        f'CREATE TRIGGER {TABLE}_delete AFTER DELETE ON matches BEGIN '
        f'UPDATE {TABLE} SET {step("OLD", "-")} WHERE id = {first}; END'
    )
    both = ', '.join(
        f"{s} = {s} + (NEW.status = '{s}') - (OLD.status = '{s}')" for s in STATUSES
    )
    op.execute(
        f'CREATE TRIGGER {TABLE}_update AFTER UPDATE OF status ON matches '
        f'WHEN OLD.status IS NOT NEW.status BEGIN '
        f'UPDATE {TABLE} SET {both} WHERE id = {first}; END'
    )


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        *(sa.Column(s, sa.BigInteger(), nullable=False) for s in STATUSES),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}')),
    )
    postgresql = op.get_bind().dialect.name == 'postgresql'
    # The counts as they are now; from here on the triggers add the changes.
    counts = _counts() if postgresql else ', '.join(
        f"coalesce(sum(status = '{s}'), 0)" for s in STATUSES
    )
    op.execute(f"INSERT INTO {TABLE} ({', '.join(STATUSES)}) SELECT {counts} FROM matches")
    if postgresql:
        _postgresql()
    else:
        _sqlite()


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in ('insert', 'update', 'delete', 'truncate'):
        op.execute(f'DROP TRIGGER IF EXISTS {TABLE}_{name}' + (' ON matches' if postgresql else ''))
    if postgresql:
        op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}()')
        op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}_truncate()')
    op.drop_table(TABLE)
