"""accused unit: an accusation or complaint names the accused department or place, whose
staff never see who brought it (《信访工作条例》 Art. 30, 46).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('accused_department_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('accused_place_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_cases_accused_department', 'department',
                                 ['accused_department_id'], ['id'])
        batch.create_foreign_key('fk_cases_accused_place', 'place', ['accused_place_id'],
                                 ['id'])


def downgrade():
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('accused_place_id')
        batch.drop_column('accused_department_id')
