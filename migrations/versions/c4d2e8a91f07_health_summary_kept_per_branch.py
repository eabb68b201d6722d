"""The committee's health summary kept per branch (zb_health_status), what it stands for
(zb_health_state) and the changes not yet taken in (zb_health_mark, written with the trail):
the committee's page recomputes only the branches changed since.

Revision ID: c4d2e8a91f07
Revises: 7a684628fa41
Create Date: 2026-12-01 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d2e8a91f07'
down_revision = '7a684628fa41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'zb_health_status',
        sa.Column('committee_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('branch_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('general_branch_id', sa.Integer(), nullable=False),
        sa.Column('statuses', sa.String(length=11), nullable=False),
        sa.Column('secretary_hours', sa.Float(), nullable=True),
        sa.Column('teacher_rank', sa.String(length=20), nullable=True),
        *(sa.Column(f'm{m}', sa.Integer(), nullable=False) for m in range(1, 13)),
        sa.PrimaryKeyConstraint('committee_id', 'year', 'branch_id'),
    )
    op.create_index('ix_zb_health_status_general_branch', 'zb_health_status',
                    ['committee_id', 'year', 'general_branch_id'], unique=False)
    op.create_table(
        'zb_health_state',
        sa.Column('committee_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('policy', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('committee_id', 'year'),
    )
    op.create_table(
        'zb_health_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('general_branch_id', sa.Integer(), nullable=True),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('table_name', sa.String(length=60), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_zb_health_mark_committee_id', 'zb_health_mark', ['committee_id'], unique=False)


def downgrade():
    op.drop_index('ix_zb_health_mark_committee_id', table_name='zb_health_mark')
    op.drop_table('zb_health_mark')
    op.drop_table('zb_health_state')
    op.drop_index('ix_zb_health_status_general_branch', table_name='zb_health_status')
    op.drop_table('zb_health_status')
