"""Where each health rule's records live: the list views, filtered to one branch (and year)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

# H1–H11 as the pages name them (DOMAIN.md "Health check")
RULE_NAMES = {
    "H1": _l("单位建支部"), "H2": _l("支部规模"), "H3": _l("书记副高以上"), "H4": _l("书记培训学时"),
    "H5": _l("新任书记培训"), "H6": _l("党员培训学时"), "H7": _l("组织生活"), "H8": _l("活动与培训经费"),
    "H9": _l("联系干部"), "H10": _l("按时换届"), "H11": _l("计划总结与手册"),
}


def _between(year: int, column: str, first_index: int = 1) -> dict:
    """FAB list filters for a date column inside a year (greater than the eve, smaller than the morrow)."""
    return {f"_flt_{first_index}_{column}": f"{year - 1}-12-31", f"_flt_{first_index + 1}_{column}": f"{year + 1}-01-01"}


def records_url(rule: str, branch_id: int, year: int, evidence: dict | None = None) -> str:
    """The list of the records that decide a rule for a branch."""
    evidence = evidence or {}
    branch = {"_flt_0_branch": branch_id}
    if rule in ("H1", "H2", "H6"):
        return url_for("MemberView.list", **branch)
    if rule == "H3":
        return url_for("SecretaryView.list", **branch)
    if rule in ("H4", "H5"):
        member_id = evidence.get("member_id")
        if member_id:
            return url_for("TrainingAttendanceView.list", _flt_0_member=member_id)
        return url_for("SecretaryView.list", **branch)
    if rule == "H7":
        return url_for("MeetingView.list", **branch, **_between(year, "held_on"))
    if rule == "H8":
        return url_for("FundingView.list", **branch, _flt_0_year=year)
    if rule == "H9":
        return url_for("ContactCadreView.list", _flt_0_branches=branch_id)
    if rule == "H10":
        return url_for("BranchView.show", pk=branch_id)
    return url_for("HandbookCheckView.list", **branch)


EVIDENCE_LABELS = {
    "is_joint": _l("联合党支部"), "units": _l("单位（正式党员）"), "threshold": _l("单独建支部人数"),
    "units_needing_own_branch": _l("应单独建支部的单位"), "max_units": _l("联合党支部最多单位数"),
    "members": _l("党员人数"), "formal": _l("正式党员"), "probationary": _l("预备党员"), "limit": _l("上限"),
    "category": _l("类别"), "secretary_id": _l("书记记录"), "name": _l("姓名"), "title_rank": _l("职称"),
    "senior": _l("副高以上"), "member_id": _l("党员记录"), "hours": _l("学时"), "target": _l("目标"),
    "centralized_courses": _l("集中培训次数"), "centralized_target": _l("集中培训要求"), "year": _l("年度"),
    "appointed_on": _l("任职日期"), "deadline": _l("期限"), "limit_days": _l("期限天数"),
    "first_training_on": _l("首次培训日期"), "first_training_id": _l("首次培训记录"), "day": _l("任职第几天"),
    "on_target": _l("达标人数"), "short": _l("未达标人数"), "target_hours": _l("目标学时"),
    "target_online": _l("其中在线学时"), "short_members": _l("未达标党员"), "meetings": _l("组织生活次数"),
    "per_month": _l("每月次数"), "missing": _l("缺少"), "appraised": _l("已评议党员"),
    "appraisal_members": _l("应评议党员"), "appraisal_every_years": _l("评议周期（年）"), "funding_id": _l("经费记录"),
    "activity_target": _l("活动经费人均标准"), "training_target": _l("培训经费人均标准"),
    "activity_funds": _l("活动经费"), "training_funds": _l("培训经费"), "activity_per_member": _l("活动经费人均"),
    "training_per_member": _l("培训经费人均"), "contacts": _l("联系干部"), "attended": _l("列席次数"),
    "elected_on": _l("换届日期"), "term_years": _l("任期（年）"), "exemption": _l("延期理由"), "as_of": _l("截至"),
    "term_end": _l("任期届满"), "extension_until": _l("延期至"), "allowed_terms": _l("允许任期"),
    "months_left": _l("剩余月数"), "plan_id": _l("年度计划记录"), "summary_id": _l("年度总结记录"),
    "spot_checks": _l("手册抽查"), "semesters_missing": _l("缺少抽查的学期"),
    "semesters_pending": _l("本学期待抽查"), "committee_members": _l("党总支委员"),
    "teacher_secretaries": _l("教师党支部书记"), "target_share": _l("目标比例"), "share": _l("比例"),
    "unit": _l("单位"), "online_hours": _l("在线学时"), "cadre_id": _l("联系干部记录"), "check_id": _l("抽查记录"),
    "checked_on": _l("抽查日期"), "passed": _l("通过"), "student_branches": _l("联系的学生党支部"),
}


def _text(key, value, labels) -> str:
    """One evidence value in words: yes/no, code labels, lists and nested records."""
    from app.models import BRANCH_CATEGORIES, TITLE_RANKS, label
    from flask_babel import gettext as _

    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if key == "category":
        return label(BRANCH_CATEGORIES, value)
    if key == "title_rank":
        return label(TITLE_RANKS, value)
    if isinstance(value, dict):
        return _("，").join(f"{labels.get(k, k)}: {_text(k, v, labels)}"
                        for k, v in value.items() if v not in (None, [], {}))
    if isinstance(value, (list, tuple)):
        return _("；").join(_text(key, v, labels) for v in value)
    return str(value)


def evidence_rows(evidence: dict) -> list:
    """(label, text) of each evidence item worth showing (empty ones left out)."""
    labels = {k: str(v) for k, v in EVIDENCE_LABELS.items()}
    return [(labels.get(k, k), _text(k, v, labels)) for k, v in evidence.items() if v not in (None, [], {}, "")]
