"""exchange: cases assigned down by the upper-level petition system keep its number
(unique), and who registered them there and when; webhook endpoints and their durable
delivery queue.

Revision ID: 0015_exchange
Revises: 0014
Create Date: 2026-11-30 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_exchange'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('upper_number', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('upper_registered_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('upper_unit', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('upper_clerk', sa.String(length=100), nullable=True))
        batch.create_unique_constraint('uq_cases_upper_number', ['upper_number'])
    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('event_kind', sa.String(length=30), nullable=False),
        sa.Column('secret', sa.String(length=255), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "event_kind IN ('case_registered','escalation_requested','escalation_decided',"
            "'transfer_overdue','case_concluded')", name='ck_webhook_event_kind'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_webhook_endpoint_event_kind', 'webhook_endpoint', ['event_kind'])
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('event_kind', sa.String(length=30), nullable=False),
        sa.Column('event_id', sa.String(length=80), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending','delivered','failed')",
                           name='ck_webhook_delivery_status'),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('endpoint_id', 'event_id', name='uq_webhook_delivery_event'),
    )
    op.create_index('ix_webhook_delivery_endpoint_id', 'webhook_delivery', ['endpoint_id'])
    op.create_index('ix_webhook_delivery_due', 'webhook_delivery',
                    ['status', 'next_attempt_at'])


def downgrade():
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('cases') as batch:
        batch.drop_constraint('uq_cases_upper_number', type_='unique')
        batch.drop_column('upper_clerk')
        batch.drop_column('upper_unit')
        batch.drop_column('upper_registered_on')
        batch.drop_column('upper_number')
