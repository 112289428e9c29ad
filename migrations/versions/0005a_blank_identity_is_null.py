"""blank identity numbers and phones of people and petitioners become NULL: a unique
column holds any number of unknowns (NULL) but only one ''.

Revision ID: 0005a
Revises: 0005
Create Date: 2026-11-30 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005a'
down_revision = '0005'
branch_labels = None
depends_on = None

COLUMNS = (('petitioner', 'id_number'), ('petitioner', 'phone'),
           ('person', 'id_number'), ('person', 'phone'))


def upgrade():
    for table, column in COLUMNS:
        col = sa.column(column, sa.String)
        op.execute(
            sa.table(table, col).update()
            .where(sa.func.trim(col) == '')
            .values({column: None})
        )


def downgrade():
    # NULL is what a blank meant all along: nothing to turn back
    pass
