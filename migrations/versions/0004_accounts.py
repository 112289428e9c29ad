"""accounts: sign-in attempts for lockout; session generation, password age, forced
change and password history on accounts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=256), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_attempt_account', 'login_attempt',
                    ['username', 'address', 'at'])
    op.create_index('ix_login_attempt_address', 'login_attempt', ['address', 'at'])
    with op.batch_alter_table('ab_user') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('password_history', sa.Text(), nullable=True))
    # existing passwords start their age today
    op.execute(sa.text("UPDATE ab_user SET password_changed_at = CURRENT_TIMESTAMP"))


def downgrade():
    with op.batch_alter_table('ab_user') as batch:
        batch.drop_column('password_history')
        batch.drop_column('must_change_password')
        batch.drop_column('password_changed_at')
        batch.drop_column('session_generation')
    op.drop_index('ix_login_attempt_address', table_name='login_attempt')
    op.drop_index('ix_login_attempt_account', table_name='login_attempt')
    op.drop_table('login_attempt')
