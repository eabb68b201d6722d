"""分类互评 assignments: in a round, which branch reviews which (same peer group, never itself),
with the names of both branches and their general branches frozen on the row.

Revision ID: c4e1a9d27b35
Revises: c4e1d9a27b35
Create Date: 2026-12-01 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a9d27b35'
down_revision = 'c4e1d9a27b35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'zb_peer_assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('rater_branch_id', sa.Integer(), nullable=False),
        sa.Column('branch_name', sa.String(length=120), nullable=False),
        sa.Column('general_branch_name', sa.String(length=120), nullable=False),
        sa.Column('rater_branch_name', sa.String(length=120), nullable=False),
        sa.Column('rater_general_branch_name', sa.String(length=120), nullable=False),
        sa.Column('peer_group', sa.String(length=40), nullable=False),
        sa.Column('assigned_by', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('branch_id <> rater_branch_id', name='ck_zb_peer_assignment_not_self'),
        sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['rater_branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['round_id'], ['zb_round.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('round_id', 'branch_id', 'rater_branch_id'),
    )
    with op.batch_alter_table('zb_peer_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_peer_assignment_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_peer_assignment_rater_branch_id'), ['rater_branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_peer_assignment_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('zb_peer_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_peer_assignment_round_id'))
        batch_op.drop_index(batch_op.f('ix_zb_peer_assignment_rater_branch_id'))
        batch_op.drop_index(batch_op.f('ix_zb_peer_assignment_branch_id'))
    op.drop_table('zb_peer_assignment')
