"""decline guidance source: whether a declined case's guidance came from its category
(then the notice shows the category's guidance in the reader's language) or was typed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('decline_guidance_from_category', sa.Boolean(),
                                   nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('decline_guidance_from_category')
