"""background jobs: state, progress and result per owner

zb_job: long imports, committee-wide exports and round recomputes run by RQ or a thread;
the owner and the owner's organization scope it (app/security/rules.py).

Revision ID: 3a7ed460f7b9
Revises: 5e1a7c2b9d40
Create Date: 2026-12-01 12:27:36.046710

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a7ed460f7b9'
down_revision = '5e1a7c2b9d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('zb_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('result_path', sa.String(length=500), nullable=True),
    sa.Column('result_name', sa.String(length=255), nullable=True),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('runner', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('org_kind', sa.String(length=20), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('general_branch_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['committee_id'], ['zb_committee.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['general_branch_id'], ['zb_general_branch.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_job_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_job_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_job_general_branch_id'), ['general_branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_job_owner_id'), ['owner_id'], unique=False)



def downgrade():
    with op.batch_alter_table('zb_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_job_owner_id'))
        batch_op.drop_index(batch_op.f('ix_zb_job_general_branch_id'))
        batch_op.drop_index(batch_op.f('ix_zb_job_committee_id'))
        batch_op.drop_index(batch_op.f('ix_zb_job_branch_id'))

    op.drop_table('zb_job')
