"""The health check (支部体检) H1–H11 over every branch in the actor's scope.

One aggregate query per rule's facts over all branches in scope (the record-rule guard scopes
each one), never one per branch: a committee of fifty thousand branches costs the same number
of statements as a branch of one. The pure rules (app/rules) decide; this module only gathers.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import Float, and_, case, cast, distinct, extract, func, literal, or_, select

from app.extensions import db
from app.models import (
    Branch, BranchDocument, Committee, ContactCadre, Funding, GeneralBranch, GeneralBranchCommitteeMember,
    HandbookCheck, Meeting, MeetingGuest, Member, MemberAppraisal, Secretary, TrainingAttendance, TrainingEvent,
    cadre_branch, gb_committee_member_branch,
)
from app.rules import (
    RULE_IDS, BranchFacts, CommitteeMemberFacts, ContactFact, MeetingCount, MemberHours, MemberTraining, Period,
    SecretaryFacts, SpotCheck, check_branch, check_h3_share, check_h9_committee, policy_for, tally,
)
from app.rules.model import SENIOR_RANKS, STUDENT_CATEGORIES
from app.rules.policy import PROFILE_2012, HealthPolicy

SHORT_LISTED = 20      # members short of their training target named in H6's evidence


@dataclass
class BranchHealth:
    """One branch's row: who it is and its eleven results."""

    branch_id: int
    name: str
    code: str
    general_branch_id: int
    general_branch: str
    category: str
    results: dict          # rule -> Result

    def status(self, rule: str) -> str:
        return self.results[rule].status


@dataclass
class HealthReport:
    """Every branch in scope for a year, with roll-ups per general branch and for the scope."""

    year: int
    as_of: date
    branches: list                                  # BranchHealth, in general-branch then branch order
    general_branches: dict                          # id -> name, in order
    policies: dict                                  # committee id -> HealthPolicy
    h3_share: dict = field(default_factory=dict)    # general branch id -> Result; None -> the whole scope
    h9_committee: dict = field(default_factory=dict)  # general branch id -> Result
    meetings_per_month: dict = field(default_factory=dict)  # general branch id -> [12 counts]

    def __post_init__(self):
        self._by_gb, self._by_id, self._tallies = defaultdict(list), {}, {}
        for b in self.branches:
            self._by_gb[b.general_branch_id].append(b)
            self._by_id[b.branch_id] = b

    def rows_of(self, general_branch_id: int) -> list:
        return self._by_gb.get(general_branch_id, [])

    def tally(self, rule: str, general_branch_id: int | None = None) -> dict:
        key = (rule, general_branch_id)
        if key not in self._tallies:
            rows = self.branches if general_branch_id is None else self.rows_of(general_branch_id)
            self._tallies[key] = tally(b.status(rule) for b in rows)
        return self._tallies[key]

    def branch(self, branch_id: int) -> BranchHealth | None:
        return self._by_id.get(branch_id)

    def as_json(self) -> list:
        """The CLI's list: one object per branch and rule."""
        return [{"branch_id": b.branch_id, "branch": b.name, "rule": rule, "status": b.results[rule].status,
                 "evidence": b.results[rule].evidence} for b in self.branches for rule in RULE_IDS]


def configured_policies() -> dict:
    """profile -> HealthPolicy, from ZHIBU_HEALTH (validated at start-up)."""
    return current_app.extensions["zhibu_health_policies"]


def build_policies(config: dict | None) -> dict:
    """ZHIBU_HEALTH: overrides for both profiles at the top level, per profile under its name.

    {"secretary_hours": 48, "later": {"secretary_hours": 60}} -> 48 under the 2012 plan, 60 later."""
    from app.rules.policy import PROFILES

    config = dict(config or {})
    per_profile = {name: config.pop(name, None) or {} for name in PROFILES}
    return {name: policy_for(name, {**config, **per_profile[name]}, name=f"ZHIBU_HEALTH[{name!r}]" if per_profile[name]
                             else "ZHIBU_HEALTH") for name in PROFILES}


def _in_scope(column, general_branch_id, branch_id):
    """Narrow a branch id column to one general branch or one branch (the guard already scopes)."""
    if branch_id is not None:
        return column == branch_id
    if general_branch_id is not None:
        return column.in_(select(Branch.id).where(Branch.general_branch_id == general_branch_id))
    return literal(True)


def _year_bounds(year):
    return date(year, 1, 1), date(year, 12, 31)


@contextmanager
def _no_cyclic_gc():
    """Building hundreds of thousands of small long-lived objects (facts, results) sets off the
    cyclic collector again and again, each pass walking all of them (quadratic in branches);
    none of them form cycles, so pause it for the build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def health_report(year: int, as_of: date | None = None, general_branch_id: int | None = None,
                  branch_id: int | None = None, detail: bool = True) -> HealthReport:
    """H1–H11 for every branch the actor reads (optionally one general branch or one branch).

    detail=False leaves the names of the members short of their training out of H6's evidence
    (the committee's page counts them; naming them ranks every member of the committee)."""
    with _no_cyclic_gc():
        return _health_report(year, as_of, general_branch_id, branch_id, detail)


def _health_report(year, as_of, general_branch_id, branch_id, detail) -> HealthReport:
    as_of = as_of or date.today()
    period = Period(year, as_of)
    first, last = _year_bounds(year)
    last = min(last, as_of)
    scope = lambda column: _in_scope(column, general_branch_id, branch_id)  # noqa: E731
    policies_by_profile = configured_policies()

    # 1. the branches, their general branch and committee's profile
    rows = db.session.execute(
        select(Branch.id, Branch.name, Branch.code, Branch.general_branch_id, GeneralBranch.name, Branch.category,
               Branch.is_joint, Branch.founded_on, Branch.elected_on, Branch.term_years, Branch.election_exemption,
               GeneralBranch.committee_id, Committee.health_profile)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .join(Committee, Committee.id == GeneralBranch.committee_id)
        .where(scope(Branch.id))
        .order_by(GeneralBranch.code, GeneralBranch.name, Branch.code, Branch.name)).all()
    policy_of_branch, policies, gb_names = {}, {}, {}
    for r in rows:
        policy = policies_by_profile.get(r[12] or PROFILE_2012, policies_by_profile[PROFILE_2012])
        policy_of_branch[r[0]] = policy
        policies[r[11]] = policy
        gb_names.setdefault(r[3], r[4])
    category_of = {r[0]: r[5] for r in rows}

    # 2. roster counts by type
    counts = defaultdict(lambda: [0, 0])
    for bid, mtype, n in db.session.execute(
            select(Member.branch_id, Member.member_type, func.count(Member.id))
            .where(scope(Member.branch_id)).group_by(Member.branch_id, Member.member_type)):
        counts[bid][0 if mtype == "formal" else 1] += n

    # 3. H1: formal members per unit of the joint branches
    units = defaultdict(list)
    for bid, unit, n in db.session.execute(
            select(Member.branch_id, Member.unit, func.count(Member.id))
            .join(Branch, Branch.id == Member.branch_id)
            .where(Branch.is_joint.is_(True), Member.member_type == "formal", scope(Member.branch_id))
            .group_by(Member.branch_id, Member.unit).order_by(Member.branch_id, Member.unit)):
        units[bid].append(((unit or "").strip(), n))

    secretaries = _secretaries(first, last, as_of, scope)
    training = _member_training(first, last, scope, policies_by_profile, detail)
    meetings, per_month = _meetings(first, last, scope, {r[0]: r[3] for r in rows})
    appraised = _appraised(year, scope, {p.appraisal_every_years for p in policies.values()} or {2})
    funding = {bid: (fid, float(a), float(t)) for bid, fid, a, t in db.session.execute(
        select(Funding.branch_id, Funding.id, Funding.activity_funds, Funding.training_funds)
        .where(Funding.year == year, scope(Funding.branch_id)))}
    contacts = _contacts(first, last, scope)
    documents = defaultdict(dict)
    for bid, kind, did in db.session.execute(
            select(BranchDocument.branch_id, BranchDocument.kind, BranchDocument.id)
            .where(BranchDocument.year == year, scope(BranchDocument.branch_id))):
        documents[bid][kind] = did
    checks = defaultdict(list)
    for bid, cid, day, result in db.session.execute(
            select(HandbookCheck.branch_id, HandbookCheck.id, HandbookCheck.checked_on, HandbookCheck.result)
            .where(HandbookCheck.checked_on >= first, HandbookCheck.checked_on <= date(year, 12, 31),
                   scope(HandbookCheck.branch_id))
            .order_by(HandbookCheck.checked_on)):
        checks[bid].append(SpotCheck(cid, day, result != "fail"))

    branches = []
    for (bid, name, code, gb_id, gb_name, category, is_joint, founded_on, elected_on, term_years, exemption,
         _committee_id, _profile) in rows:
        policy = policy_of_branch[bid]
        formal, probationary = counts.get(bid, (0, 0))
        facts = BranchFacts(
            branch_id=bid, name=name, general_branch_id=gb_id, category=category, period=period,
            is_joint=bool(is_joint), formal=formal, probationary=probationary, founded_on=founded_on,
            units=tuple(units.get(bid, ())), secretary=secretaries.get(bid), training=training.get(bid),
            meetings=tuple(meetings.get(bid, ())), appraised=appraised.get((bid, policy.appraisal_every_years), 0),
            activity_funds=funding[bid][1] if bid in funding else None,
            training_funds=funding[bid][2] if bid in funding else None,
            funding_id=funding[bid][0] if bid in funding else None,
            contacts=tuple(contacts.get(bid, ())), elected_on=elected_on, term_years=term_years or 3,
            election_exemption=exemption, plan_id=documents[bid].get("work_plan") if bid in documents else None,
            summary_id=documents[bid].get("work_summary") if bid in documents else None,
            spot_checks=tuple(checks.get(bid, ())))
        results = {r.rule: r for r in check_branch(facts, policy)}
        branches.append(BranchHealth(bid, name, code or "", gb_id, gb_name, category, results))

    report = HealthReport(year, as_of, branches, gb_names, policies, meetings_per_month=per_month)
    _roll_up(report, secretaries, category_of, policy_of_branch, first, last, general_branch_id, branch_id)
    return report


def _secretaries(first, last, as_of, scope) -> dict:
    """branch id -> SecretaryFacts of its current secretary, with hours, courses and first training."""
    rows = db.session.execute(
        select(Secretary.branch_id, Secretary.id, Secretary.member_id, Member.name, Secretary.appointed_on,
               Secretary.title_rank)
        .join(Member, Member.id == Secretary.member_id)
        .where(Secretary.left_on.is_(None), scope(Secretary.branch_id))
        .order_by(Secretary.branch_id, Secretary.appointed_on)).all()
    current = {r[0]: r for r in rows}           # the newest appointment of each branch
    hours = {sid: (float(h or 0), int(c or 0)) for sid, h, c in db.session.execute(
        select(Secretary.id, func.sum(TrainingEvent.hours),
               func.sum(case((TrainingEvent.online.is_(False), 1), else_=0)))
        .join(TrainingAttendance, TrainingAttendance.member_id == Secretary.member_id)
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
        .where(Secretary.left_on.is_(None), TrainingEvent.held_on >= first, TrainingEvent.held_on <= last,
               scope(Secretary.branch_id))
        .group_by(Secretary.id))}
    # H5: the first training of each secretary appointed recently enough to be "new" in the year
    # (up to the day of the check: a December appointment may be trained in the next January)
    recent = date.fromordinal(first.toordinal() - 400)
    first_training = {}
    for sid, eid, day in db.session.execute(
            select(Secretary.id, TrainingEvent.id, TrainingEvent.held_on)
            .join(TrainingAttendance, TrainingAttendance.member_id == Secretary.member_id)
            .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
            .where(Secretary.left_on.is_(None), Secretary.appointed_on >= recent,
                   TrainingEvent.held_on >= Secretary.appointed_on, TrainingEvent.held_on <= as_of,
                   scope(Secretary.branch_id))
            .order_by(Secretary.id, TrainingEvent.held_on, TrainingEvent.id)):
        first_training.setdefault(sid, (day, eid))
    out = {}
    for bid, sid, mid, name, appointed_on, rank in current.values():
        h, c = hours.get(sid, (0.0, 0))
        day, eid = first_training.get(sid, (None, None))
        out[bid] = SecretaryFacts(sid, mid, name, appointed_on, rank or "none", h, c, day, eid)
    return out


def _member_training(first, last, scope, policies_by_profile, detail=True) -> dict:
    """branch id -> MemberTraining: members on target counted in SQL, each against the target of
    its branch's category under its committee's profile (a CASE over the few pairs)."""
    per_member = (
        select(TrainingAttendance.member_id.label("member_id"),
               func.sum(TrainingEvent.hours).label("hours"),
               func.sum(case((TrainingEvent.online.is_(True), TrainingEvent.hours), else_=0.0)).label("online"))
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
        .where(TrainingEvent.held_on >= first, TrainingEvent.held_on <= last)
        .group_by(TrainingAttendance.member_id).subquery())
    whens_h, whens_o = [], []
    for profile, policy in policies_by_profile.items():
        for category, target in policy.member_hours.items():
            if target is not None:
                when = and_(Branch.category == category, Committee.health_profile == profile)
                whens_h.append((when, target[0]))
                whens_o.append((when, target[1]))
    if not whens_h:
        return {}
    target_h, target_o = case(*whens_h, else_=None), case(*whens_o, else_=None)
    hours = cast(func.coalesce(per_member.c.hours, 0.0), Float)
    online = cast(func.coalesce(per_member.c.online, 0.0), Float)
    short = or_(hours < target_h - 1e-9, online < target_o - 1e-9)
    counted = (select(Member.branch_id.label("branch_id"), Member.id.label("id"), Member.name.label("name"),
                      hours.label("hours"), online.label("online"), short.label("short"))
               .join(Branch, Branch.id == Member.branch_id)
               .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
               .join(Committee, Committee.id == GeneralBranch.committee_id)
               .outerjoin(per_member, per_member.c.member_id == Member.id)
               .where(scope(Member.branch_id), target_h.is_not(None))
               .subquery())
    totals = db.session.execute(
        select(counted.c.branch_id, func.count(), func.sum(case((counted.c.short, 1), else_=0)))
        .group_by(counted.c.branch_id)).all()
    if not detail:
        return {bid: MemberTraining(n, n - int(s or 0)) for bid, n, s in totals}
    ranked = (select(counted.c.branch_id, counted.c.id, counted.c.name, counted.c.hours, counted.c.online,
                     func.row_number().over(partition_by=counted.c.branch_id,
                                            order_by=(counted.c.hours, counted.c.id)).label("rn"))
              .where(counted.c.short).subquery())
    listed = defaultdict(list)
    for bid, mid, name, h, o, _rn in db.session.execute(
            select(ranked).where(ranked.c.rn <= SHORT_LISTED).order_by(ranked.c.branch_id, ranked.c.rn)):
        listed[bid].append(MemberHours(mid, name, float(h or 0), float(o or 0)))
    return {bid: MemberTraining(n, n - int(s or 0), tuple(listed.get(bid, ()))) for bid, n, s in totals}


def _meetings(first, last, scope, gb_of) -> tuple:
    """branch id -> MeetingCount per month and kind; general branch id -> meetings in each month."""
    month = extract("month", Meeting.held_on)
    out, per_month = defaultdict(list), defaultdict(lambda: [0] * 12)
    for bid, m, kind, n in db.session.execute(
            select(Meeting.branch_id, month, Meeting.kind, func.count(Meeting.id))
            .where(Meeting.held_on >= first, Meeting.held_on <= last, scope(Meeting.branch_id))
            .group_by(Meeting.branch_id, month, Meeting.kind)):
        out[bid].append(MeetingCount(int(m), kind, n))
        if bid in gb_of:
            per_month[gb_of[bid]][int(m) - 1] += n
    return out, dict(per_month)


def _appraised(year, scope, windows) -> dict:
    """(branch id, window years) -> members of the roster with a 民主评议 result in the window."""
    windows = sorted(windows)
    columns = [func.count(distinct(case((MemberAppraisal.year >= year - w + 1, Member.id)))) for w in windows]
    out = {}
    for row in db.session.execute(
            select(Member.branch_id, *columns)
            .join(MemberAppraisal, MemberAppraisal.member_id == Member.id)
            .where(MemberAppraisal.year <= year, MemberAppraisal.year >= year - windows[-1] + 1,
                   scope(Member.branch_id))
            .group_by(Member.branch_id)):
        for w, n in zip(windows, row[1:]):
            out[(row[0], w)] = n
    return out


def _contacts(first, last, scope) -> dict:
    """branch id -> ContactFact of each linked cadre, with the branch's meetings it attended."""
    attended = (select(MeetingGuest.cadre_id.label("cadre_id"), Meeting.branch_id.label("branch_id"),
                       func.count(distinct(Meeting.id)).label("n"))
                .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
                .where(MeetingGuest.cadre_id.is_not(None), Meeting.held_on >= first, Meeting.held_on <= last)
                .group_by(MeetingGuest.cadre_id, Meeting.branch_id).subquery())
    out = defaultdict(list)
    for bid, cid, name, n in db.session.execute(
            select(cadre_branch.c.branch_id, ContactCadre.id, ContactCadre.name, func.coalesce(attended.c.n, 0))
            .join(ContactCadre, ContactCadre.id == cadre_branch.c.cadre_id)
            .outerjoin(attended, and_(attended.c.cadre_id == ContactCadre.id,
                                      attended.c.branch_id == cadre_branch.c.branch_id))
            .where(scope(cadre_branch.c.branch_id))
            .order_by(cadre_branch.c.branch_id, ContactCadre.name)):
        out[bid].append(ContactFact(cid, name, int(n)))
    return out


def _committee_members(first, last, gb_filter) -> dict:
    """general branch id -> CommitteeMemberFacts: linked student branches and meetings attended there."""
    links = defaultdict(list)
    people = {}
    for mid, name, gb_id, bid, category in db.session.execute(
            select(GeneralBranchCommitteeMember.id, GeneralBranchCommitteeMember.name,
                   GeneralBranchCommitteeMember.general_branch_id, gb_committee_member_branch.c.branch_id,
                   Branch.category)
            .outerjoin(gb_committee_member_branch,
                       gb_committee_member_branch.c.committee_member_id == GeneralBranchCommitteeMember.id)
            .outerjoin(Branch, Branch.id == gb_committee_member_branch.c.branch_id)
            .where(gb_filter(GeneralBranchCommitteeMember.general_branch_id))
            .order_by(GeneralBranchCommitteeMember.general_branch_id, GeneralBranchCommitteeMember.id)):
        people[mid] = (name, gb_id)
        if bid is not None and category in STUDENT_CATEGORIES:
            links[mid].append(bid)
    attended = defaultdict(int)
    for mid, bid, n in db.session.execute(
            select(MeetingGuest.committee_member_id, Meeting.branch_id, func.count(distinct(Meeting.id)))
            .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
            .where(MeetingGuest.committee_member_id.is_not(None), Meeting.held_on >= first, Meeting.held_on <= last)
            .group_by(MeetingGuest.committee_member_id, Meeting.branch_id)):
        if bid in links.get(mid, ()):
            attended[mid] += n
    out = defaultdict(list)
    for mid, (name, gb_id) in people.items():
        out[gb_id].append(CommitteeMemberFacts(mid, name, gb_id, tuple(links.get(mid, ())), attended[mid]))
    return out


def _roll_up(report, secretaries, category_of, policy_of_branch, first, last, general_branch_id, branch_id):
    """H3's 80% per general branch and for the scope; H9's 党总支委员 per general branch."""
    ranks = defaultdict(list)
    for bid, category in category_of.items():
        if category == "teacher" and bid in secretaries:
            ranks[report.branch(bid).general_branch_id].append(secretaries[bid].title_rank)
    any_policy = next(iter(report.policies.values()), policy_for(PROFILE_2012))
    for gb_id in report.general_branches:
        report.h3_share[gb_id] = check_h3_share(ranks.get(gb_id, ()), any_policy)
    report.h3_share[None] = check_h3_share([r for rs in ranks.values() for r in rs], any_policy)
    if branch_id is not None:
        return
    gb_filter = (lambda column: column == general_branch_id) if general_branch_id is not None else \
        (lambda column: literal(True))
    members = _committee_members(first, last, gb_filter)
    period = Period(report.year, report.as_of)
    for gb_id in report.general_branches:
        has_students = any(b.category in STUDENT_CATEGORIES for b in report.rows_of(gb_id))
        report.h9_committee[gb_id] = check_h9_committee(members.get(gb_id, ()), has_students, any_policy, period)


def senior_share_policy(report: HealthReport) -> HealthPolicy:
    return next(iter(report.policies.values()), policy_for(PROFILE_2012))


__all__ = ["BranchHealth", "HealthReport", "build_policies", "configured_policies", "health_report",
           "SENIOR_RANKS"]


def grade_distribution(general_branch_id: int | None = None) -> dict:
    """The newest graded round in scope: grade counts per general branch and the undergraduate
    goal line (share of 本科生 branches graded 好 or 较好), from one grouped query."""
    from app.models import Assessment, AssessmentRound

    round_id = db.session.scalar(
        select(AssessmentRound.id).join(Assessment, Assessment.round_id == AssessmentRound.id)
        .where(Assessment.final_grade.is_not(None)).order_by(AssessmentRound.opens_on.desc()).limit(1))
    names = dict(db.session.execute(
        select(GeneralBranch.id, GeneralBranch.name)
        .where(_gb_only(GeneralBranch.id, general_branch_id)).order_by(GeneralBranch.code, GeneralBranch.name)).all())
    counts = {gb: {"A": 0, "B": 0, "C": 0, "D": 0, "ug_good": 0, "ug_total": 0} for gb in names}
    if round_id is not None:
        for gb_id, grade, category, n in db.session.execute(
                select(Branch.general_branch_id, Assessment.final_grade, Branch.category, func.count(Assessment.id))
                .join(Branch, Branch.id == Assessment.branch_id)
                .where(Assessment.round_id == round_id, _gb_only(Branch.general_branch_id, general_branch_id))
                .group_by(Branch.general_branch_id, Assessment.final_grade, Branch.category)):
            row = counts.setdefault(gb_id, {"A": 0, "B": 0, "C": 0, "D": 0, "ug_good": 0, "ug_total": 0})
            if grade in ("A", "B", "C", "D"):
                row[grade] += n
            if category == "undergraduate":
                row["ug_total"] += n
                row["ug_good"] += n if grade in ("A", "B") else 0
    rows = [{"name": names.get(gb, str(gb)), **c} for gb, c in counts.items()]
    goal = [{"name": r["name"], "value": round(100 * r["ug_good"] / r["ug_total"], 1) if r["ug_total"] else None}
            for r in rows]
    return {"round_id": round_id, "rows": rows, "goal": goal}


def _gb_only(column, general_branch_id):
    return column == general_branch_id if general_branch_id is not None else literal(True)


def default_year(today: date | None = None) -> int:
    """The year a health page opens on: this year, or the newest earlier year with meetings in
    scope when this year has none yet (a demo, or a new year's first days)."""
    today = today or date.today()
    newest = db.session.scalar(select(func.max(Meeting.held_on)).where(Meeting.held_on <= today))
    return newest.year if newest is not None else today.year
