"""cockpit: pre-aggregated case counts (case_stat) and partial indexes for the
cockpit's live figures; case_stat is filled from the existing cases.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OPEN = "('registered', 'in_progress', 'transferred')"
CONCLUDED = "('concluded', 'followed_up', 'archived')"

cases = sa.table(
    'cases', *(sa.column(name) for name in (
        'place_id', 'state', 'urgency', 'category_id', 'channel_id', 'resolution_level',
        'evaluation', 'is_repeat', 'skipped_level', 'is_group', 'agent_id')),
    sa.column('received_on', sa.Date), sa.column('concluded_on', sa.Date),
)


def _ym(column):
    return sa.cast(sa.extract('year', column) * 100 + sa.extract('month', column), sa.Integer)


def _backfill():
    """The same counts as app/cockpit/rollup.py's rebuild(), as of this revision."""
    c = cases.c
    concluded = sa.text(f"state IN {CONCLUDED}")
    dims = {
        'state': (c.state, sa.true()),
        'urgency': (c.urgency, sa.true()),
        'category': (sa.cast(c.category_id, sa.String), sa.true()),
        'channel': (sa.cast(c.channel_id, sa.String), sa.true()),
        'resolution': (sa.func.coalesce(c.resolution_level, 'unknown'), concluded),
        'evaluation': (c.evaluation, sa.and_(concluded, c.evaluation.isnot(None))),
        'repeat': (sa.literal('y'), c.is_repeat.is_(True)),
        'skipped': (sa.literal('y'), c.skipped_level.is_(True)),
        'group': (sa.literal('y'), c.is_group.is_(True)),
        'agent': (sa.cast(c.agent_id, sa.String),
                  sa.and_(sa.text(f"state IN {OPEN}"), c.agent_id.isnot(None))),
    }
    stat = sa.table('case_stat', *(sa.column(n) for n in ('dim', 'ym', 'place_id', 'key', 'n')))
    names = ['dim', 'ym', 'place_id', 'key', 'n']
    for dim, (key, condition) in dims.items():
        ym = _ym(c.received_on)
        op.execute(stat.insert().from_select(names, sa.select(
            sa.literal(dim), ym, c.place_id, key, sa.func.count()
        ).where(condition).group_by(ym, c.place_id, key)))
    ym = _ym(c.concluded_on)
    op.execute(stat.insert().from_select(names, sa.select(
        sa.literal('concluded_in'), ym, c.place_id, sa.literal('y'), sa.func.count()
    ).where(concluded, c.concluded_on.isnot(None)).group_by(ym, c.place_id)))


def upgrade():
    op.create_table(
        'case_stat',
        sa.Column('dim', sa.String(length=12), nullable=False),
        sa.Column('ym', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=20), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['place.id']),
        sa.PrimaryKeyConstraint('dim', 'ym', 'place_id', 'key'),
        sqlite_with_rowid=False,
    )
    with_leader = sa.text('case_leader_id IS NOT NULL')
    op.create_index('ix_case_cockpit_open', 'cases',
                    ['state', 'received_on', 'due_on', 'agent_id', 'place_id',
                     'responsible_place_id'])
    op.create_index('ix_case_cockpit_leader', 'cases',
                    ['case_leader_id', 'received_on', 'state', 'place_id',
                     'responsible_place_id'],
                    postgresql_where=with_leader, sqlite_where=with_leader)
    op.create_index('ix_case_cockpit_days', 'cases',
                    ['received_on', 'place_id', 'responsible_place_id', 'state', 'urgency',
                     'category_id', 'channel_id', 'resolution_level', 'evaluation',
                     'is_repeat', 'skipped_level', 'is_group'])
    op.create_index('ix_transfer_cockpit', 'transfer',
                    ['assigned_at', 'department_id', 'case_id', 'due_on', 'replied_at'])
    _backfill()


def downgrade():
    op.drop_index('ix_transfer_cockpit', table_name='transfer')
    op.drop_index('ix_case_cockpit_days', table_name='cases')
    op.drop_index('ix_case_cockpit_leader', table_name='cases')
    op.drop_index('ix_case_cockpit_open', table_name='cases')
    op.drop_table('case_stat')
