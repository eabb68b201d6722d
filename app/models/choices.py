"""Enumerations stored as short codes; labels are translated at display time."""
from flask_babel import lazy_gettext as _l

BRANCH_CATEGORIES = {
    "teacher": _l("教师"),
    "undergraduate": _l("本科生"),
    "graduate": _l("研究生"),
    "admin": _l("管理"),
    "service": _l("服务"),
    "retired": _l("离退休"),
}
STUDENT_CATEGORIES = ("undergraduate", "graduate")

GENDERS = {"M": _l("男"), "F": _l("女")}

MEMBER_TYPES = {"formal": _l("正式党员"), "probationary": _l("预备党员")}

TITLE_RANKS = {
    "senior": _l("正高"),
    "associate": _l("副高"),
    "intermediate": _l("中级"),
    "junior": _l("初级"),
    "none": _l("无"),
}

CADRE_LEVELS = {
    "school_leader": _l("校领导"),
    "dept_leader": _l("院系领导班子成员"),
    "office_cadre": _l("机关干部"),
    "gb_committee": _l("党总支委员"),
}

MEETING_KINDS = {
    "general_meeting": _l("支部党员大会"),
    "committee_meeting": _l("支委会"),
    "group_meeting": _l("党小组会"),
    "party_lecture": _l("党课"),
    "life_meeting": _l("组织生活会"),
    "appraisal": _l("民主评议党员"),
    "theme_day": _l("主题党日"),
    "other": _l("其他"),
}

DOCUMENT_KINDS = {"work_plan": _l("年度工作计划"), "work_summary": _l("年度工作总结")}

SEMESTER_TERMS = {"autumn": _l("秋季学期"), "spring": _l("春季学期")}

HANDBOOK_RESULTS = {"excellent": _l("优秀"), "good": _l("良好"), "pass": _l("合格"), "fail": _l("不合格")}

HEALTH_PROFILES = {"2012": _l("2012年工作方案"), "later": _l("后续全国性规定")}

HEALTH_STATUSES = {"pass": _l("达标"), "warn": _l("提醒"), "fail": _l("未达标"), "n/a": _l("不适用")}

ORG_KINDS = {
    "committee": _l("党委"),
    "general_branch": _l("党总支"),
    "branch": _l("党支部"),
}


def label(choices: dict, code) -> str:
    """The display label of a code, or the code itself when unknown."""
    if code is None:
        return ""
    return str(choices.get(code, code))

GRADE_LABELS = {"A": _l("好"), "B": _l("较好"), "C": _l("一般"), "D": _l("较差")}

ROUND_KINDS = {"initial": _l("初评"), "reassessment": _l("复评")}

ROUND_STATUSES = {"open": _l("进行中"), "closed": _l("已结束")}

SHEET_SOURCES = {
    "self": _l("党支部委员会自评"),
    "members": _l("支部党员评议"),
    "peer": _l("同类党支部互评"),
    "superior": _l("上级党组织考评"),
}

# who made a 分类互评 assignment: the general branch among its own branches, or the committee
# across general branches (where one has a single branch of a group)
PEER_ASSIGNERS = {"general_branch": _l("党总支"), "committee": _l("党委")}

RECTIFICATION_STATUSES = {"not_started": _l("未开始"), "in_progress": _l("整改中"), "done": _l("已完成")}

BALLOT_KINDS = {"members": _l("党员评议"), "masses": _l("群众满意度"), "upward": _l("联评")}

CAMPAIGN_STATUSES = {"open": _l("进行中"), "closed": _l("已结束")}

SATISFACTION_ANSWERS = {"satisfied": _l("满意"), "basic": _l("基本满意"), "unsatisfied": _l("不满意")}

APPRAISAL_RESULTS = {"excellent": _l("优秀"), "qualified": _l("合格"), "basic": _l("基本合格"),
                     "unqualified": _l("不合格")}

DUTY_LEVELS = {"branch": _l("党支部书记向党总支述职"), "general_branch": _l("党总支书记向党委述职")}

# The five items of a 联评 ballot (五、(三): representatives evaluate how the committee and
# the 院系 units lead branch building), each scored 0..20 like a branch standard; drawn from
# the plan's own tasks (三、(一)..(五)). zhibu's defaults, not the seed's words.
UPWARD_ITEMS = (
    (_l("抓党支部建设的责任落实"), _l("把党支部建设列入议事日程，书记带头抓，责任明确、检查考核到位。")),
    (_l("党支部设置与书记队伍建设"), _l("按规定设置和调整党支部，及时换届；选好配强支部书记并组织培训。")),
    (_l("对党支部工作的指导与支持"), _l("联系党支部、参加组织生活；保障活动经费和培训经费，帮助解决困难。")),
    (_l("组织生活与制度落实的督促"), _l("督促“三会一课”、组织生活会、民主评议党员等制度落实，抓好整改。")),
    (_l("党员群众的评价"), _l("作风务实，听取党员群众意见，党员群众对抓党建工作的总体满意程度。")),
)

# The audit trail (app/security/audit.py): what happened to a record, and the changes shown apart.
AUDIT_ACTIONS = {"create": _l("新建"), "update": _l("修改"), "delete": _l("删除")}
AUDIT_HIGHLIGHTS = {"override": _l("调整考评等次"), "confirm": _l("确认考评等次"), "reopen": _l("重新开启批次")}
