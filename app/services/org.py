"""Organization services: what blocks a delete, kept out of the views."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.security.scope import unscoped
from app.errors import DomainError
from app.models import (
    Assessment, AssessmentRound, Branch, BranchDocument, Committee, ContactCadre, DutyReport, Funding, GeneralBranch,
    GeneralBranchCommitteeMember, HandbookCheck, Meeting, MeetingAttendance, MeetingGuest, Member, MemberAppraisal,
    PeerAssignment, Rectification, Secretary, TrainingAttendance, TrainingEvent, UserOrg,
)

# Children that must be moved or deleted first: deleting never cascades them away.
DELETE_BLOCKERS = {
    Committee: [(GeneralBranch.committee_id, _l("党总支")), (UserOrg.committee_id, _l("登录账号")),
                (ContactCadre.committee_id, _l("联系干部")), (TrainingEvent.committee_id, _l("培训"))],
    ContactCadre: [(MeetingGuest.cadre_id, _l("列席人员"))],
    GeneralBranchCommitteeMember: [(MeetingGuest.committee_member_id, _l("列席人员"))],
    GeneralBranch: [
        (Branch.general_branch_id, _l("党支部")),
        (ContactCadre.general_branch_id, _l("联系干部")),
        (GeneralBranchCommitteeMember.general_branch_id, _l("党总支委员")),
        (TrainingEvent.general_branch_id, _l("培训")),
        (UserOrg.general_branch_id, _l("登录账号")),
        (DutyReport.general_branch_id, _l("述职记录")),
    ],
    Branch: [
        (Member.branch_id, _l("党员")),
        (Secretary.branch_id, _l("支部书记任职记录")),
        (Meeting.branch_id, _l("组织生活记录")),
        (TrainingEvent.branch_id, _l("培训")),
        (BranchDocument.branch_id, _l("支部工作计划和总结")),
        (HandbookCheck.branch_id, _l("工作手册抽查记录")),
        (Funding.branch_id, _l("经费记录")),
        (DutyReport.branch_id, _l("述职记录")),
        (UserOrg.branch_id, _l("登录账号")),
        (PeerAssignment.branch_id, _l("互评安排")),
        (PeerAssignment.rater_branch_id, _l("互评安排")),
    ],
    Member: [(Secretary.member_id, _l("支部书记任职记录")), (TrainingAttendance.member_id, _l("培训参加记录")),
             (MeetingAttendance.member_id, _l("组织生活出席记录")),
             (MemberAppraisal.member_id, _l("民主评议党员结果"))],
    # the foreign keys RESTRICT: without this a round with assessments fails as a 500
    AssessmentRound: [(Assessment.round_id, _l("考评记录")), (Rectification.round_id, _l("整改事项")),
                      (AssessmentRound.base_round_id, _l("考评批次")), (PeerAssignment.round_id, _l("互评安排"))],
}


class DeleteBlocked(DomainError):
    """The record still has children; the message says which."""


def delete_blockers(item) -> list[str]:
    """Human-readable reasons why item cannot be deleted (empty when it can)."""
    reasons = []
    for column, what in DELETE_BLOCKERS.get(type(item), []):
        # unscoped: children the user cannot see still block the delete (only counts are said)
        count = db.session.scalar(unscoped(select(func.count()).where(column == item.id)))
        if count:
            reasons.append(_("%(count)d 条%(what)s", count=count, what=what))
    return reasons


def check_deletable(item) -> None:
    """Raise DeleteBlocked naming the children that still hang below item."""
    reasons = delete_blockers(item)
    if reasons:
        raise DeleteBlocked(
            _("无法删除「%(name)s」：其下还有%(reasons)s。请先移走或删除它们。",
              name=str(item), reasons="、".join(reasons))
        )
