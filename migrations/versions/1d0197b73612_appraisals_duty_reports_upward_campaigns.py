"""民主评议党员 results, 述职 records, and upward (联评) campaigns unique per round and target

Revision ID: 1d0197b73612
Revises: fd6373335954
Create Date: 2026-12-01 10:54:28.822698

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1d0197b73612'
down_revision = 'fd6373335954'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('zb_duty_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('general_branch_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reporter', sa.String(length=60), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['committee_id'], ['zb_committee.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['general_branch_id'], ['zb_general_branch.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'year'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('zb_duty_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_duty_report_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_duty_report_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_duty_report_general_branch_id'), ['general_branch_id'], unique=False)
        batch_op.create_index('uq_zb_duty_report_general_branch_year', ['general_branch_id', 'year'], unique=True, sqlite_where=sa.text('branch_id IS NULL'), postgresql_where=sa.text('branch_id IS NULL'))

    op.create_table('zb_member_appraisal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['zb_member.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'year')
    )
    with op.batch_alter_table('zb_member_appraisal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_member_appraisal_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('zb_ballot_campaign', schema=None) as batch_op:
        batch_op.create_index('uq_zb_ballot_campaign_upward_committee', ['round_id'], unique=True, sqlite_where=sa.text("kind = 'upward' AND target_general_branch_id IS NULL"), postgresql_where=sa.text("kind = 'upward' AND target_general_branch_id IS NULL"))
        batch_op.create_unique_constraint('uq_zb_ballot_campaign_round_target', ['round_id', 'target_general_branch_id'])



def downgrade():
    with op.batch_alter_table('zb_ballot_campaign', schema=None) as batch_op:
        batch_op.drop_constraint('uq_zb_ballot_campaign_round_target', type_='unique')
        batch_op.drop_index('uq_zb_ballot_campaign_upward_committee', sqlite_where=sa.text("kind = 'upward' AND target_general_branch_id IS NULL"), postgresql_where=sa.text("kind = 'upward' AND target_general_branch_id IS NULL"))

    with op.batch_alter_table('zb_member_appraisal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_member_appraisal_member_id'))

    op.drop_table('zb_member_appraisal')
    with op.batch_alter_table('zb_duty_report', schema=None) as batch_op:
        batch_op.drop_index('uq_zb_duty_report_general_branch_year', sqlite_where=sa.text('branch_id IS NULL'), postgresql_where=sa.text('branch_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_zb_duty_report_general_branch_id'))
        batch_op.drop_index(batch_op.f('ix_zb_duty_report_committee_id'))
        batch_op.drop_index(batch_op.f('ix_zb_duty_report_branch_id'))

    op.drop_table('zb_duty_report')
