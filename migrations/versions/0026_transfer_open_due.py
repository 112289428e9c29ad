"""transfer_open_due: a department's transfers still waiting for its reply,
by reply-by date — its landing page lists the first and counts them all. Without it the
database read every transfer the department ever had through (department_id, case_id)
and sorted them: 13 ms of the landing page's SQL at 1,000,000 cases, 3 ms with it.

Revision ID: 0026_transfer_open_due
Revises: 0025_search_triggers
Create Date: 2026-12-01 10:20:00

"""
from alembic import op


revision = '0026_transfer_open_due'
down_revision = '0025_search_triggers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_transfer_department_open_due', 'transfer',
                    ['department_id', 'status', 'due_on', 'id'])


def downgrade():
    op.drop_index('ix_transfer_department_open_due', table_name='transfer')
