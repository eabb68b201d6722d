"""Every add_view / add_api / add_link, in one place (never an import side effect)."""
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.views.assessment import (
    AssessmentApi, AssessmentRoundApi, AssessmentView, RoundView, ScoreSheetApi, ScoreSheetView, StandardView,
)
from app.views.account import AccountApi
from app.views.audit import AuditLogApi, AuditLogView
from app.views.appraisals import MemberAppraisalApi, MemberAppraisalView
from app.views.ballots import BallotVoteView, BallotsView
from app.views.duty_reports import DutyReportView
from app.views.upward import UpwardView
from app.views.imports import RosterImportView
from app.views.imports import configure as configure_imports
from app.views.life import (
    FundingApi, FundingView, HandbookCheckApi, HandbookCheckView, MeetingApi, MeetingAttendanceApi,
    MeetingAttendanceView, MeetingGuestApi, MeetingGuestView, MeetingView, TrainingAttendanceApi,
    TrainingAttendanceView, TrainingEventApi, TrainingEventView,
)
from app.views.peers import PeerAssignmentApi, PeerAssignmentView, PeerPlanView
from app.views.org import BranchApi, BranchView, CommitteeView, GeneralBranchApi, GeneralBranchView
from app.views.people import (
    ContactCadreApi, ContactCadreView, GeneralBranchCommitteeMemberApi, GeneralBranchCommitteeMemberView, MemberApi,
    MemberView, SecretaryApi, SecretaryView, SecretaryViolationApi, SecretaryViolationView,
)
from app.views.files import BranchDocumentApi, BranchDocumentView, MeetingAttachmentView
from app.views.forms import FormsView, template_helpers
from app.views.health import HealthView
from app.views.jobs import JobsView
from app.views.notices import NoticesView
from app.views.notices import template_helpers as notice_helpers
from app.views.rectification import RectificationApi, RectificationNoteView, RectificationView
from app.views.scoring import ScoringView

CATEGORIES = {
    "Organization": (_l("组织架构"), "fa-sitemap"),
    "Members": (_l("党员队伍"), "fa-users"),
    "Contact": (_l("联系干部"), "fa-handshake-o"),
    "Life": (_l("组织生活"), "fa-calendar"),
    "Assessment": (_l("考评定级"), "fa-check-square-o"),
    "Health": (_l("支部体检"), "fa-heartbeat"),
}

# (view class, menu name, label, category, icon); names match security/roles.py.
MENU = [
    (CommitteeView, "Committees", _l("党委"), "Organization", "fa-flag"),
    (GeneralBranchView, "General branches", _l("党总支"), "Organization", "fa-university"),
    (BranchView, "Branches", _l("党支部"), "Organization", "fa-cubes"),
    (MemberView, "Members", _l("党员名册"), "Members", "fa-address-book"),
    (SecretaryView, "Secretaries", _l("支部书记"), "Members", "fa-user-circle"),
    (SecretaryViolationView, "Secretary violations", _l("书记违纪违法记录"), "Members", "fa-exclamation-triangle"),
    (MemberAppraisalView, "Member appraisals", _l("民主评议党员"), "Members", "fa-thumbs-o-up"),
    (RosterImportView, "Roster import", _l("名册导入导出"), "Members", "fa-exchange"),
    (ContactCadreView, "Contact cadres", _l("联系干部"), "Contact", "fa-handshake-o"),
    (GeneralBranchCommitteeMemberView, "General branch committees", _l("党总支委员"), "Contact", "fa-users"),
    (MeetingView, "Meetings", _l("组织生活"), "Life", "fa-calendar-check-o"),
    (TrainingEventView, "Trainings", _l("培训"), "Life", "fa-graduation-cap"),
    (FundingView, "Fundings", _l("经费"), "Life", "fa-money"),
    (BranchDocumentView, "Branch documents", _l("工作计划和总结"), "Life", "fa-file-text-o"),
    (HandbookCheckView, "Handbook checks", _l("工作手册抽查"), "Life", "fa-check-circle-o"),
    (ScoringView, "Scoring", _l("评分汇总"), "Assessment", "fa-table"),
    (ScoreSheetView, "Score sheets", _l("评分表"), "Assessment", "fa-pencil-square-o"),
    (PeerAssignmentView, "Peer assignments", _l("互评安排"), "Assessment", "fa-random"),
    (RectificationView, "Rectifications", _l("整改台账"), "Assessment", "fa-wrench"),
    (BallotsView, "Ballot campaigns", _l("匿名测评"), "Assessment", "fa-envelope-o"),
    (UpwardView, "Upward evaluation", _l("联评结果"), "Assessment", "fa-line-chart"),
    (DutyReportView, "Duty reports", _l("述职记录"), "Assessment", "fa-file-text-o"),
    (RoundView, "Rounds", _l("考评批次"), "Assessment", "fa-calendar-o"),
    (StandardView, "Standards", _l("考评标准"), "Assessment", "fa-book"),
    (AuditLogView, "Audit trail", _l("变更记录"), "Organization", "fa-history"),
    (HealthView, "Health check", _l("支部体检"), "Health", "fa-heartbeat"),
]

APIS = [
    GeneralBranchApi, BranchApi, MemberApi, SecretaryApi, ContactCadreApi,
    AssessmentRoundApi, AssessmentApi, ScoreSheetApi, RectificationApi, MemberAppraisalApi, AuditLogApi,
    MeetingApi, MeetingAttendanceApi, MeetingGuestApi, TrainingEventApi, TrainingAttendanceApi, FundingApi,
    HandbookCheckApi, SecretaryViolationApi, GeneralBranchCommitteeMemberApi, BranchDocumentApi, PeerAssignmentApi,
]
NO_MENU = [RectificationNoteView, FormsView, BallotVoteView, MeetingAttendanceView, MeetingGuestView,
           TrainingAttendanceView, MeetingAttachmentView, JobsView, NoticesView, AssessmentView, PeerPlanView]

# The lists a show page carries below its record (FAB related_views), each through the rule
# table's read scope and paged; set here, where every view class is known.
RELATED = {
    BranchView: [MemberView, SecretaryView, AssessmentView, MeetingView, RectificationView],
    GeneralBranchView: [BranchView],
}


def register(appbuilder) -> None:
    """Register all views, menus and APIs of zhibu on one AppBuilder."""
    for view, related in RELATED.items():
        view.related_views = list(related)
    for view, name, label, category, icon in MENU:
        category_label, category_icon = CATEGORIES[category]
        appbuilder.add_view(
            view, name, label=label, icon=icon, category=category,
            category_label=category_label, category_icon=category_icon,
        )
    for view in NO_MENU:
        appbuilder.add_view_no_menu(view)
    for api in APIS:
        appbuilder.add_api(api)
    appbuilder.add_api(AccountApi)  # one's own password; no model, no role table row
    template_helpers(current_app._get_current_object())
    notice_helpers(current_app._get_current_object())
    configure_imports()
