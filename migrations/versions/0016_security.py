"""security: phones encrypted at rest and found by a keyed hash, like ID numbers
(app/security/pii.py; existing rows are encrypted with the installation's keys); each
role's data scope (role_scope, role_scope_place: app/security/scope.py).

Revision ID: 0016_security
Revises: 0015_exchange
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_security'
down_revision = '0015_exchange'
branch_labels = None
depends_on = None

TABLES = ('person', 'petitioner')


def _phones(table):
    return op.get_bind().execute(sa.text(
        f"SELECT id, phone FROM {table} WHERE phone IS NOT NULL")).all()


def upgrade():
    op.create_table(
        'role_scope',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.CheckConstraint("kind IN ('banner','subtree','own_place','own_records','places')",
                           name='ck_role_scope_kind'),
        sa.ForeignKeyConstraint(['role_id'], ['ab_role.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('role_id'),
    )
    op.create_table(
        'role_scope_place',
        sa.Column('role_scope_id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_scope_id'], ['role_scope.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('role_scope_id', 'place_id'),
    )
    # the keys are the running installation's: this migration needs the app (flask db)
    from app.security.pii import PREFIX, encrypt, keyed_hash

    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column('phone', type_=sa.String(length=255),
                               existing_type=sa.String(length=20))
            batch.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
            batch.create_index(f'ix_{table}_phone_hash', ['phone_hash'])
        for pk, value in _phones(table):
            if value.startswith(PREFIX):
                continue
            op.get_bind().execute(sa.text(
                f"UPDATE {table} SET phone = :v, phone_hash = :h WHERE id = :pk"),
                {"v": encrypt(value), "h": keyed_hash(value), "pk": pk})


def downgrade():
    from app.security.pii import decrypt

    for table in TABLES:
        for pk, value in _phones(table):
            op.get_bind().execute(sa.text(f"UPDATE {table} SET phone = :v WHERE id = :pk"),
                                  {"v": decrypt(value), "pk": pk})
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_phone_hash')
            batch.drop_column('phone_hash')
            batch.alter_column('phone', type_=sa.String(length=20),
                               existing_type=sa.String(length=255))
    op.drop_table('role_scope_place')
    op.drop_table('role_scope')
