"""Committee health profile: the numbers the health check applies (2012 plan or later rules)

Revision ID: 5e1a7c2b9d40
Revises: 8bfb0017c388
Create Date: 2026-12-01 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e1a7c2b9d40'
down_revision = '8bfb0017c388'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('zb_committee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('health_profile', sa.String(length=10), nullable=False, server_default='2012'))


def downgrade():
    with op.batch_alter_table('zb_committee', schema=None) as batch_op:
        batch_op.drop_column('health_profile')
