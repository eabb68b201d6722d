"""Version counters on the records people edit together: a stale write is refused

Revision ID: b8d4f0e3c521
Revises: a7c3e9d2b410
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b8d4f0e3c521'
down_revision = 'a7c3e9d2b410'
branch_labels = None
depends_on = None

TABLES = ('zb_branch', 'zb_member', 'zb_secretary', 'zb_assessment', 'zb_score_sheet', 'zb_rectification')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default=sa.text('1')))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version')
