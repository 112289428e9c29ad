"""pii: ID numbers encrypted at rest and found by a keyed hash (app/security/pii.py);
existing rows are encrypted with the installation's keys.

Revision ID: 0006
Revises: 0005a
Create Date: 2026-11-30 07:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005a'
branch_labels = None
depends_on = None

TABLES = ('person', 'petitioner')


def _rows(table):
    bind = op.get_bind()
    return bind.execute(sa.text(
        f"SELECT id, id_number FROM {table} WHERE id_number IS NOT NULL")).all()


def upgrade():
    # the keys are the running installation's: this migration needs the app (flask db)
    from app.security.pii import encrypt, keyed_hash

    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column('id_number', type_=sa.String(length=255),
                               existing_type=sa.String(length=18))
            batch.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
            batch.create_unique_constraint(f'uq_{table}_id_number_hash', ['id_number_hash'])
        for pk, value in _rows(table):
            if value.startswith('enc:'):
                continue
            op.get_bind().execute(sa.text(
                f"UPDATE {table} SET id_number = :v, id_number_hash = :h WHERE id = :pk"),
                {"v": encrypt(value), "h": keyed_hash(value), "pk": pk})


def downgrade():
    from app.security.pii import decrypt

    for table in TABLES:
        for pk, value in _rows(table):
            op.get_bind().execute(sa.text(f"UPDATE {table} SET id_number = :v WHERE id = :pk"),
                                  {"v": decrypt(value), "pk": pk})
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f'uq_{table}_id_number_hash', type_='unique')
            batch.drop_column('id_number_hash')
            batch.alter_column('id_number', type_=sa.String(length=18),
                               existing_type=sa.String(length=255))
