"""SQLAlchemy tables, split by concern; import everything from here."""
from sqlalchemy import and_, event, func, select
from sqlalchemy.orm import column_property

from app.extensions import db
from app.models.choices import (  # noqa: F401
    APPRAISAL_RESULTS, HEALTH_PROFILES, HEALTH_STATUSES, DOCUMENT_KINDS, HANDBOOK_RESULTS, MEETING_KINDS, SEMESTER_TERMS, BALLOT_KINDS, DUTY_LEVELS, BRANCH_CATEGORIES, CADRE_LEVELS, CAMPAIGN_STATUSES, GENDERS, GRADE_LABELS,
    MEMBER_TYPES, ORG_KINDS, SATISFACTION_ANSWERS,
    RECTIFICATION_STATUSES, ROUND_KINDS, ROUND_STATUSES, SHEET_SOURCES, STUDENT_CATEGORIES, TITLE_RANKS, label,
)
from app.models.appraisals import DutyReport, MemberAppraisal
from app.models.assessment import Assessment, AssessmentRound, AuditLog, RoundTally, ScoreSheet, StandardItem
from app.models.ballots import Ballot, BallotCampaign, BallotCode, BallotThrottle
from app.models.imports import ImportRecord
from app.models.health import HealthMark, HealthState, HealthStatus
from app.models.jobs import Job
from app.models.notices import Notice
from app.models.life import (
    BranchDocument, Funding, GeneralBranchCommitteeMember, HandbookCheck, Meeting, MeetingAttachment,
    MeetingAttendance, MeetingGuest, TrainingAttendance, TrainingEvent, gb_committee_member_branch,
)
from app.models.org import Branch, Committee, GeneralBranch
from app.models.peers import PeerAssignment
from app.models.rectification import Rectification, RectificationNote
from app.models.people import (
    ContactCadre, Member, Secretary, SecretaryViolation, cadre_branch,
)
from app.models.users import AccountGuard, LoginSession, UserOrg
from app.models import counts as _counts  # noqa: F401,E402  (sessions expire stale member counts)

__all__ = [
    "Assessment", "AssessmentRound", "AuditLog", "ScoreSheet", "StandardItem",
    "Rectification", "RectificationNote", "Ballot", "BallotCampaign", "BallotCode", "BallotThrottle",
    "DutyReport", "MemberAppraisal", "HealthMark", "HealthState", "HealthStatus", "RoundTally", "Branch", "Committee", "ImportRecord", "Job", "Notice", "ContactCadre", "Funding", "GeneralBranch", "Member",
    "Secretary", "SecretaryViolation", "AccountGuard", "LoginSession", "UserOrg", "cadre_branch",
    "BranchDocument", "GeneralBranchCommitteeMember", "HandbookCheck", "Meeting", "MeetingAttachment",
    "MeetingAttendance", "MeetingGuest", "TrainingAttendance", "TrainingEvent", "gb_committee_member_branch",
    "PeerAssignment",
]


# Derived, never typed in: the current secretary's name. Deferred: a list loads it for the rows
# it shows only, in one statement (derived_values), never as a subquery per sorted row. (The
# member counts are stored columns kept by database triggers: models/org.py, models/counts.py.)
Branch.secretary_name = column_property(
    select(Member.name)
    .join(Secretary, Secretary.member_id == Member.id)
    .where(and_(Secretary.branch_id == Branch.id, Secretary.left_on.is_(None)))
    .order_by(Secretary.appointed_on.desc())
    .limit(1)
    .correlate_except(Member, Secretary)
    .scalar_subquery(),
    deferred=True,
)

# model -> its derived (deferred) columns, filled per page by derived_values
DERIVED = {Branch: ("secretary_name",)}


def derived_values(session, model, ids) -> dict:
    """id -> {derived column: value} for these rows, in one statement."""
    if model is not Branch or not ids:
        return {}
    secretary = (select(Member.name).join(Secretary, Secretary.member_id == Member.id)
                 .where(Secretary.branch_id == Branch.id, Secretary.left_on.is_(None))
                 .order_by(Secretary.appointed_on.desc()).limit(1)
                 .correlate(Branch).scalar_subquery())
    rows = session.execute(select(Branch.id, secretary).where(Branch.id.in_(list(ids))))
    return {bid: {"secretary_name": name} for bid, name in rows}


def _guest_meetings(column):
    """The held meetings a cadre (or 党总支委员) sat in on, read from the guests (列席)."""
    return column_property(
        select(func.count(MeetingGuest.id))
        .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
        .where(and_(column, Meeting.held_on.is_not(None)))
        .correlate_except(MeetingGuest, Meeting)
        .scalar_subquery(),
        deferred=True,
    )


ContactCadre.attended_meetings = _guest_meetings(MeetingGuest.cadre_id == ContactCadre.id)
GeneralBranchCommitteeMember.attended_meetings = _guest_meetings(
    MeetingGuest.committee_member_id == GeneralBranchCommitteeMember.id)


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _member_committee(mapper, connection, member):
    """Keep the denormalised committee id equal to the branch's committee."""
    branch_id = member.branch.id if member.branch is not None and member.branch.id else member.branch_id
    if branch_id is None:
        return
    member.committee_id = connection.execute(
        select(GeneralBranch.committee_id)
        .join(Branch, Branch.general_branch_id == GeneralBranch.id)
        .where(Branch.id == branch_id)
    ).scalar_one()


def _audit_table_choices() -> dict:
    """The audit trail names a record by its table; a page names it by its noun (党员, 党支部)."""
    from app.models.labels import MODEL_LABELS

    return {m.__tablename__: MODEL_LABELS[m.__name__] for m in db.Model.registry._class_registry.values()
            if getattr(m, "__tablename__", "").startswith("zb_") and m.__name__ in MODEL_LABELS}


AuditLog.__table__.c.table_name.info["choices"] = _audit_table_choices()
@event.listens_for(TrainingAttendance, "before_insert")
@event.listens_for(TrainingAttendance, "before_update")
def _attendance_committee(mapper, connection, attendance):
    """A credit carries its member's committee (denormalised for the committee's read rule)."""
    member_id = attendance.member.id if attendance.member is not None and attendance.member.id \
        else attendance.member_id
    if member_id is None:
        return
    if attendance.member is not None and attendance.member.committee_id is not None:
        attendance.committee_id = attendance.member.committee_id
        return
    attendance.committee_id = connection.execute(
        select(Member.committee_id).where(Member.id == member_id)).scalar_one()


@event.listens_for(ContactCadre, "before_insert")
@event.listens_for(ContactCadre, "before_update")
def _cadre_committee(mapper, connection, cadre):
    """A general branch's cadre belongs to that general branch's committee."""
    gb_id = cadre.general_branch.id if cadre.general_branch is not None and cadre.general_branch.id \
        else cadre.general_branch_id
    if gb_id is None:
        if cadre.committee is not None and cadre.committee.id:
            cadre.committee_id = cadre.committee.id
        return
    cadre.committee_id = connection.execute(
        select(GeneralBranch.committee_id).where(GeneralBranch.id == gb_id)).scalar_one()


@event.listens_for(TrainingEvent, "before_insert")
@event.listens_for(TrainingEvent, "before_update")
def _training_owner(mapper, connection, event_row):
    """An event held by a branch carries its general branch and committee; one held by a
    general branch its committee (so each level's rule is one comparison)."""
    branch_id = event_row.branch.id if event_row.branch is not None and event_row.branch.id else event_row.branch_id
    if branch_id is not None:
        event_row.general_branch_id, event_row.committee_id = connection.execute(
            select(GeneralBranch.id, GeneralBranch.committee_id)
            .join(Branch, Branch.general_branch_id == GeneralBranch.id).where(Branch.id == branch_id)).one()
        return
    gb_id = event_row.general_branch.id if event_row.general_branch is not None and event_row.general_branch.id \
        else event_row.general_branch_id
    if gb_id is not None:
        event_row.committee_id = connection.execute(
            select(GeneralBranch.committee_id).where(GeneralBranch.id == gb_id)).scalar_one()
