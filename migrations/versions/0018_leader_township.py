"""leader_township: the cockpit's case-leader index carries the case's township, so a
township clerk's case-leader table is read from the index alone (SQLite read every case
with a leader in the period and looked each up for its township: 41 ms at 1,000,000
cases).

Revision ID: 0018_leader_township
Revises: 0017_speed
Create Date: 2026-11-30 17:45:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0018_leader_township'
down_revision = '0017_speed'
branch_labels = None
depends_on = None

WITH_LEADER = sa.text('case_leader_id IS NOT NULL')
BEFORE = ['case_leader_id', 'received_on', 'state', 'place_id', 'responsible_place_id']


def _recreate(columns):
    op.drop_index('ix_case_cockpit_leader', table_name='cases')
    op.create_index('ix_case_cockpit_leader', 'cases', columns,
                    postgresql_where=WITH_LEADER, sqlite_where=WITH_LEADER)


def upgrade():
    _recreate([*BEFORE, 'township_id'])
    op.execute('ANALYZE cases')


def downgrade():
    _recreate(BEFORE)
