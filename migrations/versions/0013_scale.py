"""scale: the township of each case (a township clerk's scope as one index range) and
trigram search indexes on case titles and descriptions (pg_trgm GIN on PostgreSQL, an
FTS5 trigram table on SQLite).

Revision ID: 0013
Revises: 0008
Create Date: 2026-11-30 07:00:00

"""
from alembic import op
import sqlalchemy as sa

from app.models.search import POSTGRESQL_DROP, SQLITE_DDL, SQLITE_DROP, postgresql_ddl


revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('township_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_cases_township_id_place', 'place', ['township_id'], ['id'])
    # the township above each case's place: the place itself, its parent or grandparent
    op.execute("""
        UPDATE cases SET township_id = (
            SELECT t.id FROM place p, place t
            WHERE p.id = cases.place_id AND t.level = 'township'
              AND (t.id = p.id OR t.id = p.parent_id
                   OR t.id = (SELECT g.parent_id FROM place g WHERE g.id = p.parent_id)))
    """)
    op.create_index('ix_case_township_received', 'cases',
                    ['township_id', 'received_on', 'id'])
    op.create_index('ix_case_received_id', 'cases', ['received_on', 'id'])
    op.create_index('ix_case_township_state', 'cases', ['township_id', 'state'])
    op.create_index('ix_case_stat_dim_key', 'case_stat', ['dim', 'key', 'n'])
    bind = op.get_bind()
    statements = SQLITE_DDL if bind.dialect.name == 'sqlite' else postgresql_ddl(bind)
    for statement in statements:
        op.execute(statement)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')")


def downgrade():
    statements = SQLITE_DROP if op.get_bind().dialect.name == 'sqlite' else POSTGRESQL_DROP
    for statement in statements:
        op.execute(statement)
    op.drop_index('ix_case_stat_dim_key', table_name='case_stat')
    op.drop_index('ix_case_township_state', table_name='cases')
    op.drop_index('ix_case_received_id', table_name='cases')
    op.drop_index('ix_case_township_received', table_name='cases')
    with op.batch_alter_table('cases') as batch:
        batch.drop_constraint('fk_cases_township_id_place', type_='foreignkey')
        batch.drop_column('township_id')
