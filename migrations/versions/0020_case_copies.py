"""case_copies: a case's state on its transfers and its township on its escalation
requests (app/models/copies.py), each with the index a role's everyday count reads: a
department's cases by state (ix_transfer_department_state; it read every case
transferred to the department, 71 ms on PostgreSQL at 1,000,000 cases) and a township
clerk's pending approvals (ix_escalation_township_pending; each of the banner's pending
requests probed its case, 4–6 ms on every page of a clerk's).

Revision ID: 0020_case_copies
Revises: 0019_prefix_indexes
Create Date: 2026-11-30 19:50:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0020_case_copies'
down_revision = '0019_prefix_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transfer') as batch:
        batch.add_column(sa.Column('case_state', sa.String(length=12), nullable=True))
    with op.batch_alter_table('escalation_request') as batch:
        batch.add_column(sa.Column('township_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_escalation_request_township_id_place', 'place',
                                 ['township_id'], ['id'])
    op.execute('UPDATE transfer SET case_state = '
               '(SELECT state FROM cases WHERE cases.id = transfer.case_id)')
    op.execute('UPDATE escalation_request SET township_id = '
               '(SELECT township_id FROM cases WHERE cases.id = escalation_request.case_id)')
    op.create_index('ix_transfer_department_state', 'transfer',
                    ['department_id', 'case_state', 'case_id'])
    op.create_index('ix_escalation_township_pending', 'escalation_request',
                    ['township_id', 'status', 'to_level', 'requested_at'])
    op.execute('ANALYZE transfer')
    op.execute('ANALYZE escalation_request')


def downgrade():
    op.drop_index('ix_escalation_township_pending', table_name='escalation_request')
    op.drop_index('ix_transfer_department_state', table_name='transfer')
    with op.batch_alter_table('escalation_request') as batch:
        batch.drop_constraint('fk_escalation_request_township_id_place', type_='foreignkey')
        batch.drop_column('township_id')
    with op.batch_alter_table('transfer') as batch:
        batch.drop_column('case_state')
