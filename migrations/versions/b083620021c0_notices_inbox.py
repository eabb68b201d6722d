"""Notices (提醒, issue 10): zb_notice, each user's inbox of deadlines, overdue items and 换届 due.

The dedupe key is unique (the generation inserts with ON CONFLICT DO NOTHING on it); the bell
counts a user's unread notices on (recipient_id, read_at).

Revision ID: b083620021c0
Revises: f868bb5107fd
Create Date: 2026-12-01 15:57:12.566927

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b083620021c0'
down_revision = 'f868bb5107fd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('zb_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject_table', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('org_kind', sa.String(length=20), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('general_branch_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['committee_id'], ['zb_committee.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['general_branch_id'], ['zb_general_branch.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key', name='uq_zb_notice_dedupe_key')
    )
    with op.batch_alter_table('zb_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_notice_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_notice_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_notice_general_branch_id'), ['general_branch_id'], unique=False)
        batch_op.create_index('ix_zb_notice_recipient_read', ['recipient_id', 'read_at'], unique=False)



def downgrade():
    with op.batch_alter_table('zb_notice', schema=None) as batch_op:
        batch_op.drop_index('ix_zb_notice_recipient_read')
        batch_op.drop_index(batch_op.f('ix_zb_notice_general_branch_id'))
        batch_op.drop_index(batch_op.f('ix_zb_notice_committee_id'))
        batch_op.drop_index(batch_op.f('ix_zb_notice_branch_id'))

    op.drop_table('zb_notice')
