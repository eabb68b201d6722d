"""Every add_view / add_api / add_link, in one place (never an import side effect)."""
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.views.assessment import (
    AssessmentApi, AssessmentRoundApi, RoundView, ScoreSheetApi, ScoreSheetView, StandardView,
)
from app.views.audit import AuditLogApi, AuditLogView
from app.views.appraisals import MemberAppraisalApi, MemberAppraisalView
from app.views.ballots import BallotVoteView, BallotsView
from app.views.duty_reports import DutyReportView
from app.views.upward import UpwardView
from app.views.imports import RosterImportView
from app.views.imports import configure as configure_imports
from app.views.life import ActivityView, FundingView
from app.views.org import BranchApi, BranchView, CommitteeView, GeneralBranchApi, GeneralBranchView
from app.views.people import (
    ContactCadreApi, ContactCadreView, MemberApi, MemberView, SecretaryApi, SecretaryView, TrainingView,
)
from app.views.forms import FormsView, template_helpers
from app.views.rectification import RectificationApi, RectificationNoteView, RectificationView
from app.views.scoring import ScoringView

CATEGORIES = {
    "Organization": (_l("组织架构"), "fa-sitemap"),
    "Members": (_l("党员队伍"), "fa-users"),
    "Contact": (_l("联系干部"), "fa-handshake-o"),
    "Life": (_l("组织生活"), "fa-calendar"),
    "Assessment": (_l("考评定级"), "fa-check-square-o"),
}

# (view class, menu name, label, category, icon); names match security/roles.py.
MENU = [
    (CommitteeView, "Committees", _l("党委"), "Organization", "fa-flag"),
    (GeneralBranchView, "General branches", _l("党总支"), "Organization", "fa-university"),
    (BranchView, "Branches", _l("党支部"), "Organization", "fa-cubes"),
    (MemberView, "Members", _l("党员名册"), "Members", "fa-address-book"),
    (SecretaryView, "Secretaries", _l("支部书记"), "Members", "fa-user-circle"),
    (MemberAppraisalView, "Member appraisals", _l("民主评议党员"), "Members", "fa-thumbs-o-up"),
    (RosterImportView, "Roster import", _l("名册导入导出"), "Members", "fa-exchange"),
    (ContactCadreView, "Contact cadres", _l("联系干部"), "Contact", "fa-handshake-o"),
    (ActivityView, "Activities", _l("组织生活"), "Life", "fa-calendar-check-o"),
    (TrainingView, "Trainings", _l("培训记录"), "Life", "fa-graduation-cap"),
    (FundingView, "Fundings", _l("经费"), "Life", "fa-money"),
    (ScoringView, "Scoring", _l("评分汇总"), "Assessment", "fa-table"),
    (ScoreSheetView, "Score sheets", _l("评分表"), "Assessment", "fa-pencil-square-o"),
    (RectificationView, "Rectifications", _l("整改台账"), "Assessment", "fa-wrench"),
    (BallotsView, "Ballot campaigns", _l("匿名测评"), "Assessment", "fa-envelope-o"),
    (UpwardView, "Upward evaluation", _l("联评结果"), "Assessment", "fa-line-chart"),
    (DutyReportView, "Duty reports", _l("述职记录"), "Assessment", "fa-file-text-o"),
    (RoundView, "Rounds", _l("考评批次"), "Assessment", "fa-calendar-o"),
    (StandardView, "Standards", _l("考评标准"), "Assessment", "fa-book"),
    (AuditLogView, "Audit trail", _l("变更记录"), "Organization", "fa-history"),
]

APIS = [
    GeneralBranchApi, BranchApi, MemberApi, SecretaryApi, ContactCadreApi,
    AssessmentRoundApi, AssessmentApi, ScoreSheetApi, RectificationApi, MemberAppraisalApi, AuditLogApi,
]
NO_MENU = [RectificationNoteView, FormsView, BallotVoteView]


def register(appbuilder) -> None:
    """Register all views, menus and APIs of zhibu on one AppBuilder."""
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
    template_helpers(current_app._get_current_object())
    configure_imports()
