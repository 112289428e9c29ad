"""prefix_indexes: drop the indexes that a longer index already leads with — received_on
(ix_case_received_id), agent_id (ix_case_agent_state_due), case_leader_id
(ix_case_leader_state_due), (state, received_on) (ix_case_cockpit_open): every query they
served, the longer one serves; each cost every write to a case, and seconds of a bulk
load.

Revision ID: 0019_prefix_indexes
Revises: 0018_leader_township
Create Date: 2026-11-30 17:50:00

"""
from alembic import op


revision = '0019_prefix_indexes'
down_revision = '0018_leader_township'
branch_labels = None
depends_on = None

DROPPED = {
    'ix_cases_received_on': ['received_on'],
    'ix_cases_agent_id': ['agent_id'],
    'ix_cases_case_leader_id': ['case_leader_id'],
    'ix_case_state_received': ['state', 'received_on'],
}


def upgrade():
    for name in DROPPED:
        op.drop_index(name, table_name='cases')


def downgrade():
    for name, columns in DROPPED.items():
        op.create_index(name, 'cases', columns)
