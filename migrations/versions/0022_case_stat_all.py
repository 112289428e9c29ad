"""case_stat_all: case_stat counts every case once per village ("all", month 0), so a
banner-wide list's count is ~700 rows of case_stat, exact, where count(*) read a
million index entries (SQLite) or PostgreSQL showed the planner's estimate.

Revision ID: 0022_case_stat_all
Revises: 0021_partial_leader_index
Create Date: 2026-11-30 20:25:00

"""
from alembic import op


revision = '0022_case_stat_all'
down_revision = '0021_partial_leader_index'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO case_stat (dim, ym, place_id, key, n) "
               "SELECT 'all', 0, place_id, 'y', count(*) FROM cases GROUP BY place_id")


def downgrade():
    op.execute("DELETE FROM case_stat WHERE dim = 'all'")
