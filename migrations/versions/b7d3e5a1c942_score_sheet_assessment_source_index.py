"""City scale (issue 12): zb_score_sheet(assessment_id, source), the index the committee home's
progress asks for: "has this assessment a self / superior sheet?" for each of a round's 50,000
assessments is then one covering index probe, not a walk over the assessment's sheet rows. It
replaces the index on assessment_id, its prefix (the recompute's grouping by assessment and the
cascade use it as before).

Revision ID: b7d3e5a1c942
Revises: 608045794396
Create Date: 2026-12-02 00:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d3e5a1c942'
down_revision = '608045794396'
branch_labels = None
depends_on = None


def upgrade():
    # plain index statements: no batch table rebuild on SQLite
    op.create_index('ix_zb_score_sheet_assessment_source', 'zb_score_sheet', ['assessment_id', 'source'], unique=False)
    op.drop_index('ix_zb_score_sheet_assessment_id', table_name='zb_score_sheet')


def downgrade():
    op.create_index('ix_zb_score_sheet_assessment_id', 'zb_score_sheet', ['assessment_id'], unique=False)
    op.drop_index('ix_zb_score_sheet_assessment_source', table_name='zb_score_sheet')
