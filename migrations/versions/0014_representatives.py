"""representatives: a collective visit's number of representatives (条例 Art. 20: more
than five people send at most five), kept with the head count it belongs to.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 10:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('representatives', sa.Integer(), nullable=True))
        batch.create_check_constraint(
            'ck_case_representatives',
            'representatives IS NULL OR (representatives >= 1 AND representatives <= 5 '
            'AND representatives <= head_count)')


def downgrade():
    with op.batch_alter_table('cases') as batch:
        batch.drop_constraint('ck_case_representatives', type_='check')
        batch.drop_column('representatives')
