"""speed: open work by due date as index ranges — per state and due date, banner-wide,
per township, per agent and per case leader; a place's cases with their township (the landing page's to-do list, the
cockpit's and the bulletin's overdue and due-soon counts: Case.due_parts); transfers
waiting for a reply by reply-by date; pending escalations by level; a department's transfers with their cases.

Revision ID: 0017_speed
Revises: 0016_security
Create Date: 2026-11-30 14:30:00

"""
from alembic import op


revision = '0017_speed'
down_revision = '0016_security'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_case_state_due': ['state', 'due_on', 'id'],
    'ix_case_state_acceptance_due': ['state', 'acceptance_due_on', 'id'],
    'ix_case_township_state_due': ['township_id', 'state', 'due_on', 'id'],
    'ix_case_township_state_acceptance_due': ['township_id', 'state', 'acceptance_due_on',
                                              'id'],
    'ix_case_agent_state_due': ['agent_id', 'state', 'due_on', 'id'],
    'ix_case_leader_state_due': ['case_leader_id', 'state', 'due_on', 'id'],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, 'cases', columns)
    op.create_index('ix_transfer_status_due', 'transfer', ['status', 'due_on', 'case_id'])
    op.create_index('ix_transfer_department_case', 'transfer', ['department_id', 'case_id'])
    op.drop_index('ix_transfer_department_id', table_name='transfer')
    op.create_index('ix_escalation_status_level', 'escalation_request',
                    ['status', 'to_level', 'case_id', 'requested_by_id'])
    op.drop_index('ix_escalation_status', table_name='escalation_request')
    op.create_index('ix_case_place_received_township', 'cases',
                    ['place_id', 'received_on', 'id', 'township_id'])
    op.drop_index('ix_case_place_received', table_name='cases')
    # a prefix of ix_case_township_state_due
    op.drop_index('ix_case_township_state', table_name='cases')
    # the planners need the new indexes' statistics (SQLite otherwise took a new index
    # for the township clerk's list and read 70 ms instead of 1)
    op.execute('ANALYZE')


def downgrade():
    op.create_index('ix_case_township_state', 'cases', ['township_id', 'state'])
    op.create_index('ix_case_place_received', 'cases', ['place_id', 'received_on'])
    op.drop_index('ix_case_place_received_township', table_name='cases')
    op.drop_index('ix_transfer_status_due', table_name='transfer')
    op.create_index('ix_transfer_department_id', 'transfer', ['department_id'])
    op.drop_index('ix_transfer_department_case', table_name='transfer')
    op.create_index('ix_escalation_status', 'escalation_request', ['status'])
    op.drop_index('ix_escalation_status_level', table_name='escalation_request')
    for name in INDEXES:
        op.drop_index(name, table_name='cases')
