"""cache_generation: the token that every write to roles, permissions, data scopes,
places and the search forms' dictionaries replaces, so that each app process may keep
them between requests and never serve a stale one (app/generation.py).

Revision ID: 0023_cache_generation
Revises: 0022_case_stat_all
Create Date: 2026-12-01 01:50:00

"""
import uuid

import sqlalchemy as sa
from alembic import op


revision = '0023_cache_generation'
down_revision = '0022_case_stat_all'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cache_generation',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.CheckConstraint('id = 1', name='ck_cache_generation_one_row'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute(sa.text("INSERT INTO cache_generation (id, token) VALUES (1, :t)")
               .bindparams(t=uuid.uuid4().hex))


def downgrade():
    op.drop_table('cache_generation')
