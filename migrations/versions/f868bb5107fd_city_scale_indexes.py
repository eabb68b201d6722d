"""City scale (issue 12): the indexes the query plans of the lists at 1,000,000 members ask for.

zb_member(branch_id, member_type) counts a page's branches by type from the index alone (and
replaces the index on branch_id, its prefix); zb_member(committee_id, branch_id, member_type)
does the same for a committee's rows, which its scope tests on committee_id (and replaces the
index on committee_id); zb_member(committee_id, name_key) walks a
committee's roster in (pinyin) name order; code of zb_branch and appointed_on of zb_secretary
are the lists' sort columns, read in order until a page is full.

Revision ID: f868bb5107fd
Revises: 3a7ed460f7b9
Create Date: 2026-12-01 12:33:07.074453

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f868bb5107fd'
down_revision = '3a7ed460f7b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('zb_branch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_branch_code'), ['code'], unique=False)

    with op.batch_alter_table('zb_member', schema=None) as batch_op:
        batch_op.create_index('ix_zb_member_branch_type', ['branch_id', 'member_type'], unique=False)
        batch_op.create_index('ix_zb_member_committee_name', ['committee_id', 'name_key'], unique=False)
        batch_op.create_index('ix_zb_member_committee_branch_type', ['committee_id', 'branch_id', 'member_type'],
                              unique=False)
        batch_op.drop_index('ix_zb_member_branch_id')
        batch_op.drop_index('ix_zb_member_committee_id')

    with op.batch_alter_table('zb_secretary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_secretary_appointed_on'), ['appointed_on'], unique=False)



def downgrade():
    with op.batch_alter_table('zb_secretary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_secretary_appointed_on'))

    with op.batch_alter_table('zb_member', schema=None) as batch_op:
        batch_op.create_index('ix_zb_member_branch_id', ['branch_id'], unique=False)
        batch_op.create_index('ix_zb_member_committee_id', ['committee_id'], unique=False)
        batch_op.drop_index('ix_zb_member_committee_branch_type')
        batch_op.drop_index('ix_zb_member_committee_name')
        batch_op.drop_index('ix_zb_member_branch_type')

    with op.batch_alter_table('zb_branch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_branch_code'))

