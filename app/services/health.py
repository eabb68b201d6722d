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
from sqlalchemy import and_, func, literal, select, text

from app.extensions import db
from app.models import Branch, BranchDocument, Committee, Funding, GeneralBranch, HandbookCheck, Meeting, Member
from app.rules import (
    RULE_IDS, BranchFacts, Period, SpotCheck, check_branch, check_h3_share, check_h9_committee, policy_for, tally,
)
from app.rules.model import STUDENT_CATEGORIES, MeetingSummary
from app.rules.policy import ANY_MEETING, PROFILE_2012
from app.services.health_facts import (
    appraised_members, committee_members, contacts_of, meetings_of, member_training, secretaries_of,
)


NO_MEETINGS = MeetingSummary((0,) * 12)


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


def _in_scope(column, general_branch_id, branch_id, branch_ids=None, committee_id=None):
    """Narrow a branch id column to one general branch, one branch, a set of branches or one
    committee (the guard already scopes to the actor)."""
    if branch_ids is not None:
        ids = column.in_(sorted(branch_ids))
        return ids if committee_id is None else and_(ids, _in_scope(column, None, None, None, committee_id))
    if branch_id is not None:
        return column == branch_id
    if general_branch_id is not None:
        return column.in_(select(Branch.id).where(Branch.general_branch_id == general_branch_id))
    if committee_id is not None:
        return column.in_(select(Branch.id).join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
                          .where(GeneralBranch.committee_id == committee_id))
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
        gc.freeze()          # what was built is acyclic: keep later collections from walking it
        if enabled:
            gc.enable()


def health_report(year: int, as_of: date | None = None, general_branch_id: int | None = None,
                  branch_id: int | None = None, detail: bool = True, branch_ids=None,
                  committee_id: int | None = None) -> HealthReport:
    """H1–H11 for every branch the actor reads (optionally one general branch, one branch, the
    branches of a set of ids, or one committee's).

    detail=False leaves the names of the members short of their training out of H6's evidence
    (the committee's page counts them; naming them ranks every member of the committee)."""
    with _no_cyclic_gc():
        return _health_report(year, as_of, general_branch_id, branch_id, detail, branch_ids, committee_id)


# PostgreSQL sorts and hashes a committee's groups (50,000 branches, 400,000 month cells) in
# memory with this much instead of spilling them to disk in batches (work_mem's 4 MB default)
PG_WORK_MEM = "64MB"


def _health_report(year, as_of, general_branch_id, branch_id, detail, branch_ids, committee_id) -> HealthReport:
    as_of = as_of or date.today()
    if general_branch_id is None and branch_id is None and branch_ids is None \
            and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{PG_WORK_MEM}'"))   # this transaction only
    period = Period(year, as_of)
    first, last = _year_bounds(year)
    last = min(last, as_of)
    scope = lambda column: _in_scope(column, general_branch_id, branch_id, branch_ids, committee_id)  # noqa: E731
    policies_by_profile = configured_policies()

    # 1. the branches, their general branch and committee's profile, and (2.) their roster counts
    # by type: stored on the branch (kept by the database), not counted from the roster
    rows = db.session.execute(
        select(Branch.id, Branch.name, Branch.code, Branch.general_branch_id, GeneralBranch.name, Branch.category,
               Branch.is_joint, Branch.founded_on, Branch.elected_on, Branch.term_years, Branch.election_exemption,
               GeneralBranch.committee_id, Committee.health_profile, Branch.formal_count, Branch.probationary_count)
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
    counts = {r[0]: (r[13], r[14]) for r in rows}

    # 3. H1: formal members per unit of the joint branches
    units = defaultdict(list)
    for bid, unit, n in db.session.execute(
            select(Member.branch_id, Member.unit, func.count(Member.id))
            .join(Branch, Branch.id == Member.branch_id)
            .where(Branch.is_joint.is_(True), Member.member_type == "formal", scope(Member.branch_id))
            .group_by(Member.branch_id, Member.unit).order_by(Member.branch_id, Member.unit)):
        units[bid].append(((unit or "").strip(), n))

    secretaries = secretaries_of(first, last, as_of, scope)
    roster = {bid: (sum(counts[bid]), policy_of_branch[bid].hours_for(category))
              for bid, category in category_of.items()}
    narrowed = any(x is not None for x in (general_branch_id, branch_id, branch_ids, committee_id))
    training = member_training(first, last, scope, policies_by_profile, roster, detail, narrowed)
    kinds = {kind for p in policies_by_profile.values() for kind in p.meetings if kind != ANY_MEETING}
    meetings = meetings_of(first, last, scope, kinds)
    appraised = appraised_members(year, scope, {p.appraisal_every_years for p in policies.values()} or {2})
    funding = {bid: (fid, float(a), float(t)) for bid, fid, a, t in db.session.execute(
        select(Funding.branch_id, Funding.id, Funding.activity_funds, Funding.training_funds)
        .where(Funding.year == year, scope(Funding.branch_id)))}
    contacts = contacts_of(first, last, scope)
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
         _committee_id, _profile, formal, probationary) in rows:
        policy = policy_of_branch[bid]
        facts = BranchFacts(
            branch_id=bid, name=name, general_branch_id=gb_id, category=category, period=period,
            is_joint=bool(is_joint), formal=formal, probationary=probationary, founded_on=founded_on,
            units=tuple(units.get(bid, ())), secretary=secretaries.get(bid), training=training.get(bid),
            meetings=meetings.get(bid, NO_MEETINGS), appraised=appraised.get((bid, policy.appraisal_every_years), 0),
            activity_funds=funding[bid][1] if bid in funding else None,
            training_funds=funding[bid][2] if bid in funding else None,
            funding_id=funding[bid][0] if bid in funding else None,
            contacts=tuple(contacts.get(bid, ())), elected_on=elected_on, term_years=term_years or 3,
            election_exemption=exemption, plan_id=documents[bid].get("work_plan") if bid in documents else None,
            summary_id=documents[bid].get("work_summary") if bid in documents else None,
            spot_checks=tuple(checks.get(bid, ())))
        results = {r.rule: r for r in check_branch(facts, policy)}
        branches.append(BranchHealth(bid, name, code or "", gb_id, gb_name, category, results))

    report = HealthReport(year, as_of, branches, gb_names, policies)
    _roll_up(report, secretaries, category_of, first, last, general_branch_id,
             whole_general_branches=branch_id is None and branch_ids is None)
    return report


def _roll_up(report, secretaries, category_of, first, last, general_branch_id, whole_general_branches):
    """H3's 80% per general branch and for the scope; H9's 党总支委员 per general branch (when the
    report holds whole general branches)."""
    ranks = defaultdict(list)
    for bid, category in category_of.items():
        if category == "teacher" and bid in secretaries:
            ranks[report.branch(bid).general_branch_id].append(secretaries[bid].title_rank)
    any_policy = next(iter(report.policies.values()), policy_for(PROFILE_2012))
    for gb_id in report.general_branches:
        report.h3_share[gb_id] = check_h3_share(ranks.get(gb_id, ()), any_policy)
    report.h3_share[None] = check_h3_share([r for rs in ranks.values() for r in rs], any_policy)
    if not whole_general_branches:
        return
    gb_filter = (lambda column: column == general_branch_id) if general_branch_id is not None else \
        (lambda column: literal(True))
    members = committee_members(first, last, gb_filter)
    period = Period(report.year, report.as_of)
    for gb_id in report.general_branches:
        has_students = any(b.category in STUDENT_CATEGORIES for b in report.rows_of(gb_id))
        report.h9_committee[gb_id] = check_h9_committee(members.get(gb_id, ()), has_students, any_policy, period)


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
    rows = [{"id": gb, "name": names.get(gb, str(gb)), **c} for gb, c in counts.items()]
    goal = [{"id": r["id"], "name": r["name"], "value": round(100 * r["ug_good"] / r["ug_total"], 1) if r["ug_total"] else None}
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
