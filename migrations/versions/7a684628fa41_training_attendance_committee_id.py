"""Training attendance carries its member's committee (the committee's read rule is one indexed
comparison instead of a correlated test of the member per credit).

Revision ID: 7a684628fa41
Revises: b083620021c0
Create Date: 2026-12-01 15:54:55.634548

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a684628fa41'
down_revision = 'b083620021c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('zb_training_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_id', sa.Integer(), nullable=True))
    # a member's committee never changes (a frozen field): the credit's is the member's
    op.execute("UPDATE zb_training_attendance SET committee_id = (SELECT m.committee_id FROM zb_member m "
               "WHERE m.id = zb_training_attendance.member_id)")
    with op.batch_alter_table('zb_training_attendance', schema=None) as batch_op:
        batch_op.alter_column('committee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_zb_training_attendance_committee_id'), ['committee_id'], unique=False)
        batch_op.create_foreign_key('fk_zb_training_attendance_committee_id', 'zb_committee', ['committee_id'],
                                    ['id'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('zb_training_attendance', schema=None) as batch_op:
        batch_op.drop_constraint('fk_zb_training_attendance_committee_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_zb_training_attendance_committee_id'))
        batch_op.drop_column('committee_id')
