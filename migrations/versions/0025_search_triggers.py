"""search triggers: on SQLite, the triggers that keep the FTS5 trigram index in step with
case titles and descriptions, made again, and the index rebuilt. Migrations 0014 and
0015 altered the cases table in Alembic's batch mode, which on SQLite copies the table
and drops the old one — and its triggers with it: a database upgraded past 0014 found
no case registered or retitled since in a search of three characters or more.
PostgreSQL's trigram indexes belong to the table and survived its ALTER TABLE.

Revision ID: 0025_search_triggers
Revises: 0024_case_stat_town
Create Date: 2026-12-01 06:40:00

"""
from alembic import op

from app.models.search import SQLITE_DDL, SQLITE_TRIGGERS


revision = '0025_search_triggers'
down_revision = '0024_case_stat_town'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in SQLITE_TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS {name}')
    for statement in SQLITE_DDL:
        if statement.startswith('CREATE TRIGGER'):
            op.execute(statement)
    op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")


def downgrade():
    # 0013's schema has these triggers: the revisions below this one were meant to keep
    # them, so going back leaves them in place
    pass
