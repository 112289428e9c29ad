"""audit: the append-only audit trail; on PostgreSQL a trigger refuses UPDATE and DELETE
on audit_log and on case_event, whoever runs them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

GUARDED = ('audit_log', 'case_event')

# the same SQL as app/models/audit.py (a migration keeps its own copy)
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION daiban_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def append_only_trigger(table):
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION daiban_append_only()")


def upgrade():
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=256), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('model', sa.String(length=60), nullable=True),
        sa.Column('record_id', sa.String(length=40), nullable=True),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_index('ix_audit_log_record', 'audit_log', ['model', 'record_id'])
    op.create_index('ix_audit_log_username', 'audit_log', ['username', 'at'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        for table in GUARDED:
            op.execute(append_only_trigger(table))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in GUARDED:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
        op.execute('DROP FUNCTION IF EXISTS daiban_append_only()')
    op.drop_index('ix_audit_log_username', table_name='audit_log')
    op.drop_index('ix_audit_log_record', table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_table('audit_log')
