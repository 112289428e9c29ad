"""exchange: cases assigned down by the upper-level petition system keep its number
(unique), and who registered them there and when.

Revision ID: 0015_exchange
Revises: 0013
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_exchange'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('upper_number', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('upper_registered_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('upper_unit', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('upper_clerk', sa.String(length=100), nullable=True))
        batch.create_unique_constraint('uq_cases_upper_number', ['upper_number'])


def downgrade():
    with op.batch_alter_table('cases') as batch:
        batch.drop_constraint('uq_cases_upper_number', type_='unique')
        batch.drop_column('upper_clerk')
        batch.drop_column('upper_unit')
        batch.drop_column('upper_registered_on')
        batch.drop_column('upper_number')
