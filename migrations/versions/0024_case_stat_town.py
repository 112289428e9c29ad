"""case_stat_town: the cockpit's counts per township as well as per village, so that a
banner-wide user or a township's staff sums a few thousand rows for a year where they
summed ~55,000 per dimension (1,000,000 cases); with cases by state over every month
(month 0), which the landing page's and a list's banner-wide counts by state read
instead of the per-village index that goes.

Revision ID: 0024_case_stat_town
Revises: 0023_cache_generation
Create Date: 2026-12-01 04:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0024_case_stat_town'
down_revision = '0023_cache_generation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_stat_town',
        sa.Column('dim', sa.String(length=12), nullable=False),
        sa.Column('ym', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=20), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['place.id']),
        sa.PrimaryKeyConstraint('dim', 'ym', 'place_id', 'key'),
        sqlite_with_rowid=False,
    )
    # every village's counts under its cases' township (or the place itself, for a
    # case of the banner): all cases of one place share one township
    op.execute(
        "INSERT INTO case_stat_town (dim, ym, place_id, key, n) "
        "SELECT s.dim, s.ym, m.town, s.key, sum(s.n) FROM case_stat s "
        "JOIN (SELECT DISTINCT place_id, coalesce(township_id, place_id) AS town "
        "      FROM cases) m ON m.place_id = s.place_id "
        "WHERE s.dim <> 'all' GROUP BY s.dim, s.ym, m.town, s.key")
    # and cases by state over every month (month 0)
    op.execute(
        "INSERT INTO case_stat_town (dim, ym, place_id, key, n) "
        "SELECT 'state', 0, place_id, key, sum(n) FROM case_stat_town "
        "WHERE dim = 'state' GROUP BY place_id, key")
    op.drop_index('ix_case_stat_dim_key', table_name='case_stat')


def downgrade():
    op.create_index('ix_case_stat_dim_key', 'case_stat', ['dim', 'key', 'n'])
    op.drop_table('case_stat_town')
