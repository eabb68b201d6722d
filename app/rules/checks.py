"""H1–H11 (DOMAIN.md "Health check"): one small function per rule, facts and policy in, a Result out.

A rule fails when something that is due has not been done; it warns when the thing is not yet
due (the year, month or semester is still running), when the plan names a collective target
the branch contributes to (H3), or when the text allows an exception (an exemption on record).
Every Result carries its evidence (numbers, ISO dates, record ids) and one sentence in zh and
en saying what to do next.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

from .model import (
    Bi, FAIL, NA, PASS, RULE_IDS, SENIOR_RANKS, STUDENT_CATEGORIES, WARN, BranchFacts, MeetingSummary, Result,
)
from .policy import ANY_MEETING, HealthPolicy
from .texts import KIND_NAMES, NEXT as _NEXT, PIECES as _PIECES, RANK_NAMES

EPSILON = 1e-9
SHORT_LIST = 20          # members listed by name in H6's evidence


def _say(rule, key, status, evidence, branch_id=None, **values) -> Result:
    zh, en = _NEXT[(rule, key)]
    return Result(rule, status, evidence, ((zh, en, values),), branch_id)


def _joined(rule, status, evidence, pieces, branch_id):
    """A Result whose next step lists several problems (each a _piece)."""
    return Result(rule, status, evidence, tuple(pieces), branch_id, _NEXT[(rule, "problems")])


def _names(names) -> Bi:
    return Bi(("、".join(names), ", ".join(names)))


def _piece(key, **values):
    zh, en = _PIECES[key]
    return zh, en, values


def _num(value: float):
    """12.0 -> 12, 39.5 -> 39.5 (evidence and sentences show no spurious decimals)."""
    if type(value) is int:
        return value
    if value.is_integer():
        return int(value)
    value = round(value, 2)
    return int(value) if value.is_integer() else value


def _pct(share: float) -> str:
    return f"{_num(share * 100)}%"


def _worst(statuses) -> str:
    statuses = set(statuses)
    for status in (FAIL, WARN, PASS):
        if status in statuses:
            return status
    return NA


# -- H1 三、(一): units of 3+ formal members get their own branch; fewer joint branches -------------

def check_h1(f: BranchFacts, p: HealthPolicy) -> Result:
    units = [(unit, formal) for unit, formal in f.units if unit]
    evidence = {"is_joint": f.is_joint, "units": [{"unit": u, "formal": n} for u, n in units],
                "threshold": p.own_branch_formal}
    if not f.is_joint:
        return _say("H1", "na", NA, evidence, f.branch_id)
    own = [u for u, n in units if n >= p.own_branch_formal]
    evidence["units_needing_own_branch"] = own
    if own:
        return _say("H1", "own", FAIL, evidence, f.branch_id, units=_names(own), n=p.own_branch_formal)
    if p.joint_max_units and len(units) > p.joint_max_units:
        evidence["max_units"] = p.joint_max_units
        return _say("H1", "units", FAIL, evidence, f.branch_id, count=len(units), max=p.joint_max_units)
    return _say("H1", "pass", PASS, evidence, f.branch_id, n=p.own_branch_formal)


# -- H2 三、(一): large branches are split -----------------------------------------------------------

def check_h2(f: BranchFacts, p: HealthPolicy) -> Result:
    limit = p.split_size_for(f.category)
    evidence = {"members": f.members, "formal": f.formal, "probationary": f.probationary, "limit": limit}
    key, status = ("fail", FAIL) if f.members > limit else ("pass", PASS)
    return _say("H2", key, status, evidence, f.branch_id, members=f.members, limit=limit)


# -- H3 三、(二): >= 80% of teacher-branch secretaries hold 副高 or above ------------------------------

def check_h3(f: BranchFacts, p: HealthPolicy) -> Result:
    """Per branch: the collective target is the scope's (check_h3_share); a branch below warns."""
    if f.category != "teacher":
        return _say("H3", "na", NA, {"category": f.category}, f.branch_id)
    s = f.secretary
    if s is None:
        return _say("H3", "none", WARN, {"secretary_id": None}, f.branch_id)
    evidence = {"secretary_id": s.secretary_id, "name": s.name, "title_rank": s.title_rank,
                "senior": s.title_rank in SENIOR_RANKS}
    if s.title_rank in SENIOR_RANKS:
        return _say("H3", "pass", PASS, evidence, f.branch_id)
    rank = Bi(RANK_NAMES.get(s.title_rank, (s.title_rank, s.title_rank)))
    return _say("H3", "warn", WARN, evidence, f.branch_id, rank=rank, share=_pct(p.senior_title_share))


def check_h3_share(ranks, p: HealthPolicy) -> Result:
    """The collective target over a scope: ranks are the title ranks of its teacher-branch secretaries."""
    ranks = list(ranks)
    total = len(ranks)
    senior = sum(1 for r in ranks if r in SENIOR_RANKS)
    evidence = {"teacher_secretaries": total, "senior": senior, "target_share": p.senior_title_share}
    if not total:
        return _say("H3", "scope_na", NA, evidence)
    share = senior / total
    evidence["share"] = round(share, 4)
    values = {"senior": senior, "total": total, "pct": _pct(share), "share": _pct(p.senior_title_share)}
    if senior >= p.senior_title_share * total - EPSILON:
        return _say("H3", "scope_pass", PASS, evidence, **values)
    missing = 0
    while senior + missing < p.senior_title_share * total - EPSILON:
        missing += 1
    return _say("H3", "scope_fail", FAIL, evidence, missing=missing, **values)


# -- H4 三、(二): each secretary trains >= 40 h a year ----------------------------------------------

def check_h4(f: BranchFacts, p: HealthPolicy) -> Result:
    s = f.secretary
    if s is None:
        return _say("H4", "na", NA, {"secretary_id": None}, f.branch_id)
    evidence = {"secretary_id": s.secretary_id, "member_id": s.member_id, "name": s.name,
                "hours": _num(s.hours), "target": _num(p.secretary_hours),
                "centralized_courses": s.centralized_courses, "centralized_target": p.secretary_centralized_courses,
                "year": f.period.year}
    late = FAIL if f.period.over else WARN
    if s.hours < p.secretary_hours - EPSILON:
        return _say("H4", "short", late, evidence, f.branch_id, hours=_num(s.hours),
                    missing=_num(p.secretary_hours - s.hours), target=_num(p.secretary_hours))
    if s.centralized_courses < p.secretary_centralized_courses:
        return _say("H4", "courses", late, evidence, f.branch_id, courses=s.centralized_courses,
                    target=p.secretary_centralized_courses)
    return _say("H4", "pass", PASS, evidence, f.branch_id, hours=_num(s.hours), target=_num(p.secretary_hours))


# -- H5 三、(二): a new secretary is trained within six months (半年) --------------------------------

def check_h5(f: BranchFacts, p: HealthPolicy) -> Result:
    s = f.secretary
    if s is None:
        return _say("H5", "na", NA, {"secretary_id": None}, f.branch_id)
    deadline = s.appointed_on + timedelta(days=p.new_secretary_days)
    evidence = {"secretary_id": s.secretary_id, "name": s.name, "appointed_on": s.appointed_on.isoformat(),
                "deadline": deadline.isoformat(), "limit_days": p.new_secretary_days,
                "first_training_on": s.first_training_on.isoformat() if s.first_training_on else None,
                "first_training_id": s.first_training_id}
    if deadline < f.period.start or s.appointed_on > f.period.last_day:
        return _say("H5", "na", NA, evidence, f.branch_id)
    limit = p.new_secretary_days
    if s.first_training_on is not None:
        day = (s.first_training_on - s.appointed_on).days
        evidence["day"] = day
        if s.first_training_on <= deadline:
            return _say("H5", "pass", PASS, evidence, f.branch_id, day=day, limit=limit)
        return _say("H5", "late", FAIL, evidence, f.branch_id, day=day, limit=limit)
    if f.period.as_of > deadline:
        return _say("H5", "overdue", FAIL, evidence, f.branch_id, limit=limit, deadline=deadline.isoformat())
    return _say("H5", "due", WARN, evidence, f.branch_id, deadline=deadline.isoformat())


# -- H6 附表 党员队伍好 3: member training hours ----------------------------------------------------

def _hours_label(target) -> Bi:
    hours, online = target
    zh = f"{_num(hours)} 学时" + (f"（其中在线 {_num(online)} 学时）" if online else "")
    en = f"{_num(hours)} h" + (f" ({_num(online)} h online)" if online else "")
    return Bi((zh, en))


def check_h6(f: BranchFacts, p: HealthPolicy) -> Result:
    target = p.hours_for(f.category)
    t = f.training
    if target is None or t is None or not t.members:
        return _say("H6", "na", NA, {"category": f.category, "members": t.members if t else 0}, f.branch_id)
    hours, online = target
    short = t.members - t.on_target
    evidence = {"members": t.members, "on_target": t.on_target, "short": short, "target_hours": _num(hours),
                "target_online": _num(online), "year": f.period.year,
                "short_members": [{"member_id": m.member_id, "name": m.name, "hours": _num(m.hours),
                                   "online_hours": _num(m.online_hours)} for m in t.short_members[:SHORT_LIST]]}
    label = _hours_label(target)
    if not short:
        return _say("H6", "pass", PASS, evidence, f.branch_id, members=t.members, target=label)
    status = WARN if not f.period.over or t.on_target >= p.member_hours_warn_share * t.members - EPSILON else FAIL
    return _say("H6", "short", status, evidence, f.branch_id, target=label, short=short,
                on_target=t.on_target, members=t.members)


# -- H7 附表 工作机制好 2: monthly organizational life, 组织生活会 yearly, 民主评议 ---------------------

_STEP = {"month": 1, "quarter": 3, "year": 12}


def _index(month: int, period: str) -> int:
    """The period (1-based) a month falls in."""
    return (month - 1) // _STEP[period] + 1


@lru_cache(maxsize=4096)
def _label(year: int, index: int, period: str) -> str:
    if period == "month":
        return f"{year}-{index:02d}"
    if period == "quarter":
        return f"{year}-Q{index}"
    return str(year)


@lru_cache(maxsize=4096)
def _schedule(year: int, as_of: date, first_month: int, period: str) -> tuple:
    """(index, elapsed?) of each period of the year from first_month up to the day of the check."""
    step = _STEP[period]
    out = []
    last = min(as_of, date(year, 12, 31))
    for index in range(_index(first_month, period), 12 // step + 1):
        start_month = (index - 1) * step + 1
        if date(year, start_month, 1) > last:
            break
        end_month = start_month + step - 1
        end = date(year, 12, 31) if end_month == 12 else date(year, end_month + 1, 1) - timedelta(days=1)
        out.append((index, as_of >= end))
    return tuple(out)


@lru_cache(maxsize=16384)
def _gaps(year: int, as_of: date, first_month: int, period: str, bits: int) -> tuple:
    """(missing labels, pending labels) of the periods with no meeting, for month bits held."""
    held = {m for m in range(1, 13) if bits >> (m - 1) & 1}
    if period != "month":
        held = {_index(m, period) for m in held}
    missing, pending = [], []
    for index, elapsed in _schedule(year, as_of, first_month, period):
        if index not in held:
            (missing if elapsed else pending).append(_label(year, index, period))
    return tuple(missing), tuple(pending)


@lru_cache(maxsize=64)
def _month_labels(year: int) -> tuple:
    return tuple(_label(year, m, "month") for m in range(1, 13))


def check_h7(f: BranchFacts, p: HealthPolicy) -> Result:
    year = f.period.year
    s = f.meetings if isinstance(f.meetings, MeetingSummary) else MeetingSummary.of(f.meetings)
    total = sum(s.per_month)
    labels = _month_labels(year)
    evidence = {"year": year, "meetings": total,
                "per_month": {labels[i]: n for i, n in enumerate(s.per_month) if n}}
    if f.founded_on and f.founded_on > f.period.last_day:
        return _say("H7", "na", NA, evidence, f.branch_id)
    first_month = f.founded_on.month if f.founded_on and f.founded_on.year == year else 1
    statuses, pieces, missing_all = [], [], {}
    for kind, period in p.meetings.items():
        if kind == "committee_meeting" and f.formal < p.committee_meeting_min_formal:
            continue
        bits = s.any_months if kind == ANY_MEETING else s.months_of(kind)
        missing, pending = _gaps(year, f.period.as_of, first_month, period, bits)
        missing_all[kind] = list(missing)
        if missing or pending:
            zh, en = KIND_NAMES.get(kind, (kind, kind))
        if missing:
            statuses.append(FAIL)
            pieces.append(_piece("no_meeting_month", months=_names(missing)) if kind == ANY_MEETING
                          else _piece("missing_kind", kind=zh, kind_en=en, periods=_names(missing)))
        if pending:
            statuses.append(WARN)
            pieces.append(_piece("pending_month", months=_names(pending)) if kind == ANY_MEETING
                          else _piece("pending_kind", kind=zh, kind_en=en, periods=_names(pending)))
    evidence["missing"] = missing_all
    members = f.members
    evidence.update(appraised=f.appraised, appraisal_members=members, appraisal_every_years=p.appraisal_every_years)
    if f.appraised < members:
        statuses.append(FAIL if f.period.over else WARN)
        pieces.append(_piece("appraisal", missing=members - f.appraised, years=p.appraisal_every_years))
    status = _worst(statuses) if statuses else PASS
    if status == PASS:
        return _say("H7", "pass", PASS, evidence, f.branch_id, count=total)
    return _joined("H7", status, evidence, pieces, f.branch_id)


# -- H8 三、(五): 100 元 per member a year, for activities and for training ----------------------------

def check_h8(f: BranchFacts, p: HealthPolicy) -> Result:
    members = f.members
    evidence = {"members": members, "funding_id": f.funding_id, "year": f.period.year,
                "activity_target": _num(p.activity_funds_per_member),
                "training_target": _num(p.training_funds_per_member)}
    if not members:
        return _say("H8", "na", NA, evidence, f.branch_id)
    if f.funding_id is None:
        return _say("H8", "none", FAIL, evidence, f.branch_id, activity=_num(p.activity_funds_per_member),
                    training=_num(p.training_funds_per_member))
    activity, training = float(f.activity_funds or 0), float(f.training_funds or 0)
    evidence.update(activity_funds=_num(activity), training_funds=_num(training),
                    activity_per_member=_num(activity / members), training_per_member=_num(training / members))
    short = [_say("H8", "short", FAIL, evidence, f.branch_id, which=Bi(_PIECES[key]), limit=_num(limit),
                  missing=_num(limit * members - funds))
             for key, funds, limit in (("activity", activity, p.activity_funds_per_member),
                                       ("training", training, p.training_funds_per_member))
             if funds < limit * members - EPSILON]
    if short:
        return Result("H8", FAIL, evidence, tuple(part for r in short for part in r.message), f.branch_id)
    return _say("H8", "pass", PASS, evidence, f.branch_id, activity_pm=_num(activity / members),
                training_pm=_num(training / members))


# -- H9 五、(二): every branch has a contact person who attends its organizational life ----------------

def check_h9(f: BranchFacts, p: HealthPolicy) -> Result:
    contacts = list(f.contacts)
    attended = sum(c.attended for c in contacts)
    evidence = {"contacts": [{"cadre_id": c.cadre_id, "name": c.name, "attended": c.attended} for c in contacts],
                "attended": attended, "target": p.contact_attendance, "year": f.period.year}
    if not contacts:
        return _say("H9", "none", FAIL, evidence, f.branch_id)
    if attended < p.contact_attendance:
        return _say("H9", "absent", FAIL if f.period.over else WARN, evidence, f.branch_id)
    return _say("H9", "pass", PASS, evidence, f.branch_id, attended=attended)


def check_h9_committee(members, has_student_branches: bool, p: HealthPolicy, period=None) -> Result:
    """The general branch's side of H9: each 党总支委员 contacts a student branch and attends it."""
    members = list(members)
    evidence = {"committee_members": [{"member_id": m.member_id, "name": m.name,
                                       "student_branches": list(m.student_branches), "attended": m.attended}
                                      for m in members]}
    if not has_student_branches:
        return _say("H9", "gb_na", NA, evidence)
    if not members:
        return _say("H9", "gb_empty", FAIL, evidence)
    unlinked = [m.name for m in members if not m.student_branches]
    if unlinked:
        return _say("H9", "gb_unlinked", FAIL, evidence, names=_names(unlinked))
    absent = [m.name for m in members if m.attended < p.contact_attendance]
    if absent:
        over = period.over if period is not None else True
        return _say("H9", "gb_absent", FAIL if over else WARN, evidence, names=_names(absent))
    return _say("H9", "gb_pass", PASS, evidence)


# -- H10 附表 支部班子好 1: re-elected on time --------------------------------------------------------

def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _months_until(day: date, later: date) -> int:
    months = (later.year - day.year) * 12 + later.month - day.month
    return months - 1 if later.day < day.day else months


def check_h10(f: BranchFacts, p: HealthPolicy) -> Result:
    today = f.period.last_day
    evidence = {"elected_on": f.elected_on.isoformat() if f.elected_on else None, "term_years": f.term_years,
                "exemption": f.election_exemption or None, "as_of": today.isoformat()}
    if f.elected_on is None:
        return _say("H10", "nodate", FAIL, evidence, f.branch_id)
    end = _add_months(f.elected_on, 12 * f.term_years)
    evidence["term_end"] = end.isoformat()
    allowed = p.terms_for(f.category)
    if today > end:
        limit = _add_months(end, p.term_extension_months)
        evidence["extension_until"] = limit.isoformat()
        if f.election_exemption and (not p.term_extension_months or today <= limit):
            return _say("H10", "exempt", WARN, evidence, f.branch_id, term_end=end.isoformat(),
                        reason=f.election_exemption)
        return _say("H10", "late", FAIL, evidence, f.branch_id, term_end=end.isoformat())
    if f.term_years not in allowed:
        evidence["allowed_terms"] = list(allowed)
        return _say("H10", "term", WARN, evidence, f.branch_id, years=f.term_years,
                    allowed="/".join(str(y) for y in allowed))
    months = _months_until(today, end)
    evidence["months_left"] = months
    if months < p.term_notice_months:
        return _say("H10", "soon", WARN, evidence, f.branch_id, term_end=end.isoformat(), months=months)
    return _say("H10", "pass", PASS, evidence, f.branch_id, term_end=end.isoformat())


# -- H11 附表 工作机制好 3, 三、(三): plan and summary on file, handbook checked each semester -----------

SEMESTERS = (("S1", 1, 6), ("S2", 7, 12))     # calendar halves: spring (Jan–Jun), autumn (Jul–Dec)
PLAN_DUE_DAYS = 90                              # a year's plan is expected within its first quarter


@lru_cache(maxsize=256)
def _semesters(year: int, as_of: date) -> tuple:
    """(label, first day, last day, elapsed?) of each semester begun by the day of the check."""
    out = []
    for name, first, last in SEMESTERS:
        start = date(year, first, 1)
        if start > min(as_of, date(year, 12, 31)):
            continue
        end = date(year, 12, 31) if last == 12 else date(year, last + 1, 1) - timedelta(days=1)
        out.append((f"{year}-{name}", start, end, as_of >= end))
    return tuple(out)


def check_h11(f: BranchFacts, p: HealthPolicy) -> Result:
    period = f.period
    evidence = {"year": period.year, "plan_id": f.plan_id, "summary_id": f.summary_id,
                "spot_checks": [{"check_id": c.check_id, "checked_on": c.checked_on.isoformat(), "passed": c.passed}
                                for c in f.spot_checks]}
    statuses, pieces = [], []
    if f.plan_id is None:
        due = period.as_of > period.start + timedelta(days=PLAN_DUE_DAYS)
        statuses.append(FAIL if due else WARN)
        pieces.append(_piece("no_plan" if due else "plan_due"))
    if f.summary_id is None:
        statuses.append(FAIL if period.over else WARN)
        pieces.append(_piece("no_summary" if period.over else "summary_due"))
    missing, pending = [], []
    for label, start, end, elapsed in _semesters(period.year, period.as_of):
        checks = sum(1 for c in f.spot_checks if start <= c.checked_on <= end)
        if checks < p.spot_checks_per_semester:
            (missing if elapsed else pending).append(label)
    evidence.update(semesters_missing=missing, semesters_pending=pending)
    if missing:
        statuses.append(FAIL)
        pieces.append(_piece("no_check", semesters=_names(missing)))
    if pending:
        statuses.append(WARN)
        pieces.append(_piece("check_due", semesters=_names(pending)))
    if any(not c.passed for c in f.spot_checks):
        statuses.append(WARN)
        pieces.append(_piece("check_failed"))
    if not statuses:
        return _say("H11", "pass", PASS, evidence, f.branch_id)
    return _joined("H11", _worst(statuses), evidence, pieces, f.branch_id)


CHECKS = {
    "H1": check_h1, "H2": check_h2, "H3": check_h3, "H4": check_h4, "H5": check_h5, "H6": check_h6,
    "H7": check_h7, "H8": check_h8, "H9": check_h9, "H10": check_h10, "H11": check_h11,
}
assert tuple(CHECKS) == RULE_IDS


def check_branch(facts: BranchFacts, policy: HealthPolicy) -> tuple:
    """H1..H11 for one branch, in order."""
    return tuple(CHECKS[rule](facts, policy) for rule in RULE_IDS)


def tally(statuses) -> dict:
    """{'pass': n, 'warn': n, 'fail': n, 'n/a': n, 'compliance': share of pass among checked or None}."""
    return tally_counts(Counter(statuses))


def tally_counts(counts) -> dict:
    """tally() from counts already made: {status: n}."""
    out = {s: counts.get(s, 0) for s in (PASS, WARN, FAIL, NA)}
    checked = out[PASS] + out[WARN] + out[FAIL]
    out["compliance"] = round(out[PASS] / checked, 4) if checked else None
    return out


def is_student(category: str) -> bool:
    return category in STUDENT_CATEGORIES
