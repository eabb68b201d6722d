"""meetings, training events, documents, handbook checks, general-branch committees

Meetings replace activities: each zb_activity row becomes a held zb_meeting (same id, its typed
attendance kept as typed_present). Training events replace per-member training records: the
records of one branch with the same day, hours, mode, topic and organizer become one event
held by that branch, crediting each of those members. Contact cadres get their committee
(from their general branch); the typed attendance count goes (guests are the record now).
Existing violations were entered as V1's input: they stay major.

Revision ID: 8bfb0017c388
Revises: 58959026bdf3
Create Date: 2026-12-01 12:29:44.579515

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8bfb0017c388'
down_revision = '58959026bdf3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('zb_branch_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'year', 'kind'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('zb_branch_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_branch_document_branch_id'), ['branch_id'], unique=False)

    op.create_table('zb_handbook_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=10), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('checker', sa.String(length=60), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'school_year', 'term')
    )
    with op.batch_alter_table('zb_handbook_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_handbook_check_branch_id'), ['branch_id'], unique=False)

    op.create_table('zb_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('host', sa.String(length=60), nullable=True),
    sa.Column('recorder', sa.String(length=60), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('decisions', sa.Text(), nullable=True),
    sa.Column('typed_present', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_meeting_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_meeting_held_on'), ['held_on'], unique=False)

    op.create_table('zb_training_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('general_branch_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('organizer', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['committee_id'], ['zb_committee.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['general_branch_id'], ['zb_general_branch.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_training_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_training_event_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_training_event_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_training_event_general_branch_id'), ['general_branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_training_event_held_on'), ['held_on'], unique=False)

    op.create_table('zb_gb_committee_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('general_branch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.String(length=120), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['general_branch_id'], ['zb_general_branch.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['zb_member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_gb_committee_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_gb_committee_member_general_branch_id'), ['general_branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_gb_committee_member_member_id'), ['member_id'], unique=False)

    op.create_table('zb_meeting_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['zb_meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('zb_meeting_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_meeting_attachment_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('zb_meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('absence_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['zb_meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['zb_member.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'member_id')
    )
    with op.batch_alter_table('zb_meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_meeting_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_meeting_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('zb_training_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['zb_training_event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['zb_member.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id', 'member_id')
    )
    with op.batch_alter_table('zb_training_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_training_attendance_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_training_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('zb_gb_committee_member_branch',
    sa.Column('committee_member_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['committee_member_id'], ['zb_gb_committee_member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('committee_member_id', 'branch_id')
    )
    op.create_table('zb_meeting_guest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=True),
    sa.Column('committee_member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=True),
    sa.Column('position', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['cadre_id'], ['zb_contact_cadre.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['committee_member_id'], ['zb_gb_committee_member.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['zb_meeting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_meeting_guest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_meeting_guest_cadre_id'), ['cadre_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_meeting_guest_committee_member_id'), ['committee_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_meeting_guest_meeting_id'), ['meeting_id'], unique=False)

    _migrate_rows()

    with op.batch_alter_table('zb_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_training_member_id'))

    op.drop_table('zb_training')
    with op.batch_alter_table('zb_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_activity_branch_id'))
        batch_op.drop_index(batch_op.f('ix_zb_activity_held_on'))

    op.drop_table('zb_activity')
    with op.batch_alter_table('zb_contact_cadre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committee_id', sa.Integer(), nullable=True))
    op.execute("UPDATE zb_contact_cadre SET committee_id = (SELECT g.committee_id FROM zb_general_branch g "
               "WHERE g.id = zb_contact_cadre.general_branch_id)")
    with op.batch_alter_table('zb_contact_cadre', schema=None) as batch_op:
        batch_op.alter_column('committee_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('general_branch_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_zb_contact_cadre_committee_id'), ['committee_id'], unique=False)
        batch_op.create_foreign_key('fk_zb_contact_cadre_committee_id', 'zb_committee', ['committee_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_column('attended_meetings')

    with op.batch_alter_table('zb_funding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    with op.batch_alter_table('zb_secretary_violation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('major', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('zb_secretary_violation', schema=None) as batch_op:
        batch_op.alter_column('major', existing_type=sa.Boolean(), server_default=None)


def _migrate_rows():
    """Activities -> meetings; training records -> events and their attendees (plain SQL: both dialects)."""
    op.execute("INSERT INTO zb_meeting (id, branch_id, kind, title, held_on, typed_present) "
               "SELECT id, branch_id, kind, title, held_on, attendance FROM zb_activity")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('zb_meeting', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM zb_meeting), 0) + 1, false)")
    op.execute(
        "INSERT INTO zb_training_event (committee_id, general_branch_id, branch_id, held_on, hours, online, topic, "
        "organizer) "
        "SELECT DISTINCT g.committee_id, g.id, b.id, t.held_on, t.hours, t.online, t.topic, t.organizer "
        "FROM zb_training t JOIN zb_member m ON m.id = t.member_id JOIN zb_branch b ON b.id = m.branch_id "
        "JOIN zb_general_branch g ON g.id = b.general_branch_id")
    op.execute(
        "INSERT INTO zb_training_attendance (event_id, member_id) "
        "SELECT DISTINCT e.id, t.member_id "
        "FROM zb_training t JOIN zb_member m ON m.id = t.member_id "
        "JOIN zb_training_event e ON e.branch_id = m.branch_id AND e.held_on = t.held_on AND e.hours = t.hours "
        "AND e.online = t.online AND e.topic = t.topic "
        "AND (e.organizer = t.organizer OR (e.organizer IS NULL AND t.organizer IS NULL))")


def downgrade():
    with op.batch_alter_table('zb_secretary_violation', schema=None) as batch_op:
        batch_op.drop_column('major')

    with op.batch_alter_table('zb_funding', schema=None) as batch_op:
        batch_op.drop_column('note')

    # committee-level cadres (no general branch) cannot go back: the old table requires one
    op.execute("DELETE FROM zb_cadre_branch WHERE cadre_id IN "
               "(SELECT id FROM zb_contact_cadre WHERE general_branch_id IS NULL)")
    op.execute("UPDATE zb_rectification SET contact_id = NULL WHERE contact_id IN "
               "(SELECT id FROM zb_contact_cadre WHERE general_branch_id IS NULL)")
    op.execute("DELETE FROM zb_meeting_guest WHERE cadre_id IN "
               "(SELECT id FROM zb_contact_cadre WHERE general_branch_id IS NULL)")
    op.execute("DELETE FROM zb_contact_cadre WHERE general_branch_id IS NULL")
    with op.batch_alter_table('zb_contact_cadre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended_meetings', sa.INTEGER(), nullable=False, server_default="0"))
        batch_op.drop_constraint('fk_zb_contact_cadre_committee_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_zb_contact_cadre_committee_id'))
        batch_op.alter_column('general_branch_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('committee_id')

    op.create_table('zb_activity',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('branch_id', sa.INTEGER(), nullable=False),
    sa.Column('held_on', sa.DATE(), nullable=False),
    sa.Column('kind', sa.VARCHAR(length=30), nullable=False),
    sa.Column('title', sa.VARCHAR(length=200), nullable=False),
    sa.Column('attendance', sa.INTEGER(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['zb_branch.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_activity_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_zb_activity_branch_id'), ['branch_id'], unique=False)

    op.create_table('zb_training',
    sa.Column('id', sa.INTEGER(), nullable=False),
    sa.Column('member_id', sa.INTEGER(), nullable=False),
    sa.Column('held_on', sa.DATE(), nullable=False),
    sa.Column('hours', sa.FLOAT(), nullable=False),
    sa.Column('online', sa.BOOLEAN(), nullable=False),
    sa.Column('topic', sa.VARCHAR(length=200), nullable=False),
    sa.Column('organizer', sa.VARCHAR(length=120), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['zb_member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('zb_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zb_training_member_id'), ['member_id'], unique=False)
    op.execute("INSERT INTO zb_activity (id, branch_id, held_on, kind, title, attendance) "
               "SELECT m.id, m.branch_id, m.held_on, CASE WHEN m.kind = 'other' THEN 'theme_day' ELSE m.kind END, "
               "m.title, COALESCE(NULLIF((SELECT COUNT(*) FROM zb_meeting_attendance a WHERE a.meeting_id = m.id "
               "AND a.present), 0), m.typed_present, 0) FROM zb_meeting m WHERE m.held_on IS NOT NULL")
    op.execute("INSERT INTO zb_training (member_id, held_on, hours, online, topic, organizer) "
               "SELECT a.member_id, e.held_on, e.hours, e.online, e.topic, e.organizer "
               "FROM zb_training_attendance a JOIN zb_training_event e ON e.id = a.event_id")

    with op.batch_alter_table('zb_meeting_guest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_meeting_guest_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_zb_meeting_guest_committee_member_id'))
        batch_op.drop_index(batch_op.f('ix_zb_meeting_guest_cadre_id'))

    op.drop_table('zb_meeting_guest')
    op.drop_table('zb_gb_committee_member_branch')
    with op.batch_alter_table('zb_training_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_training_attendance_member_id'))
        batch_op.drop_index(batch_op.f('ix_zb_training_attendance_event_id'))

    op.drop_table('zb_training_attendance')
    with op.batch_alter_table('zb_meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_meeting_attendance_member_id'))
        batch_op.drop_index(batch_op.f('ix_zb_meeting_attendance_meeting_id'))

    op.drop_table('zb_meeting_attendance')
    with op.batch_alter_table('zb_meeting_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_meeting_attachment_meeting_id'))

    op.drop_table('zb_meeting_attachment')
    with op.batch_alter_table('zb_gb_committee_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_gb_committee_member_member_id'))
        batch_op.drop_index(batch_op.f('ix_zb_gb_committee_member_general_branch_id'))

    op.drop_table('zb_gb_committee_member')
    with op.batch_alter_table('zb_training_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_training_event_held_on'))
        batch_op.drop_index(batch_op.f('ix_zb_training_event_general_branch_id'))
        batch_op.drop_index(batch_op.f('ix_zb_training_event_committee_id'))
        batch_op.drop_index(batch_op.f('ix_zb_training_event_branch_id'))

    op.drop_table('zb_training_event')
    with op.batch_alter_table('zb_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_meeting_held_on'))
        batch_op.drop_index(batch_op.f('ix_zb_meeting_branch_id'))

    op.drop_table('zb_meeting')
    with op.batch_alter_table('zb_handbook_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_handbook_check_branch_id'))

    op.drop_table('zb_handbook_check')
    with op.batch_alter_table('zb_branch_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zb_branch_document_branch_id'))

    op.drop_table('zb_branch_document')
