"""What each role's home says is to be done next, from aggregate queries.

Every query groups over all rows in the actor's scope (the guard scopes them), or reads what the
database keeps per general branch (zb_round_tally) or branch (the member counts), so a home costs
the same number of statements for three branches as for fifty thousand.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, literal, select

from app.extensions import db
from app.models import (
    Assessment, Meeting, AssessmentRound, Branch, GeneralBranch, ImportRecord, Member, Rectification,
    RoundTally, ScoreSheet, Secretary, TrainingAttendance, TrainingEvent,
)
from app.security.rules import through_branch

# The numbers of the homes' to-do items (term notice, secretary hours, branch size, meetings a
# month) are the committee's health policy (app/rules/policy.py, Committee.health_profile,
# ZHIBU_HEALTH): the home asks for what the health check will check.
SECOND_TERM_NOTICE = 4         # months: the notice turns from info to warning (teacher-branch rules)
DUE_SOON_DAYS = 30
SOURCES = ("self", "members", "peer", "superior")


@dataclass(frozen=True)
class Todo:
    """One thing to do: what, how urgent ('danger' | 'warning' | 'info'), and where it is done."""

    text: str
    level: str
    endpoint: str
    args: dict = field(default_factory=dict)
    kind: str = ""


def months_between(day: date, later: date) -> int:
    """Whole months from day to later (negative when later is past)."""
    months = (later.year - day.year) * 12 + later.month - day.month
    return months - 1 if later.day < day.day else months


def term_end(elected_on: date | None, term_years: int | None) -> date | None:
    """elected_on + term years (29 February becomes the 28th)."""
    if elected_on is None:
        return None
    years = elected_on.year + (term_years or 3)
    try:
        return elected_on.replace(year=years)
    except ValueError:
        return elected_on.replace(year=years, day=28)


def open_rounds(today: date) -> list[AssessmentRound]:
    """The open rounds the actor may see, soonest deadline first."""
    return db.session.scalars(select(AssessmentRound).where(AssessmentRound.status == "open")
                              .order_by(AssessmentRound.deadline)).all()


def visible_rounds() -> list[AssessmentRound]:
    """Every round the actor may see, newest first."""
    return db.session.scalars(select(AssessmentRound).order_by(AssessmentRound.opens_on.desc())).all()


def sheet_counts(round_ids) -> dict:
    """(round id, branch id) -> Counter of sheet sources, over every branch in scope."""
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(Assessment.round_id, Assessment.branch_id, ScoreSheet.source, func.count(ScoreSheet.id))
        .join(ScoreSheet, ScoreSheet.assessment_id == Assessment.id)
        .where(Assessment.round_id.in_(round_ids))
        .group_by(Assessment.round_id, Assessment.branch_id, ScoreSheet.source))
    found = defaultdict(Counter)
    for round_id, branch_id, source, count in rows:
        found[(round_id, branch_id)][source] = count
    return found


def assessments_of(round_ids) -> dict:
    """(round id, branch id) -> (assessment id, final grade, confirmed?) for the rounds, in scope."""
    if not round_ids:
        return {}
    rows = db.session.execute(select(Assessment.round_id, Assessment.branch_id, Assessment.id,
                                     Assessment.final_grade, Assessment.confirmed_at.is_not(None))
                              .where(Assessment.round_id.in_(round_ids)))
    return {(r, b): (a, g, c) for r, b, a, g, c in rows}


def rectifications_due(today: date, horizon_days: int = DUE_SOON_DAYS) -> list:
    """(id, general branch id, branch name, due on, overdue?) of unfinished items due within the
    horizon, oldest first."""
    rows = db.session.execute(
        select(Rectification.id, Branch.general_branch_id, Branch.name, Rectification.due_on)
        .join(Branch, Branch.id == Rectification.branch_id)
        .where(Rectification.status != "done", Rectification.due_on.is_not(None),
               Rectification.due_on <= date.fromordinal(today.toordinal() + horizon_days))
        .order_by(Rectification.due_on))
    return [(i, gb, name, due, due < today) for i, gb, name, due in rows]


def overdue_per_general_branch(today: date) -> dict:
    """general branch id -> its unfinished items past their due day, most first (grouped in SQL:
    a committee's round can leave tens of thousands of items)."""
    r = _RECTIFICATION.c
    return dict(db.session.execute(
        select(Branch.general_branch_id, func.count(r.id))
        .select_from(_RECTIFICATION).join(Branch, Branch.id == r.branch_id)
        .where(r.status != "done", r.due_on < today)
        .group_by(Branch.general_branch_id)
        .order_by(func.count(r.id).desc(), Branch.general_branch_id)).all())


def _policy(profile):
    """The configured health policy of a profile (None: the 2012 plan's)."""
    from app.rules.policy import PROFILE_2012
    from app.services.health import configured_policies

    policies = configured_policies()
    return policies.get(profile or PROFILE_2012, policies[PROFILE_2012])


def policy_of(org):
    """The health policy of the actor's committee (its profile, with the configured overrides)."""
    from app.models import Committee

    profile = db.session.scalar(select(Committee.health_profile).where(Committee.id == org.committee_id)) \
        if org is not None and org.committee_id is not None else None
    return _policy(profile)


def committee_policies() -> dict:
    """committee id -> its health policy, for every committee (one statement; the notices' run)."""
    from app.models import Committee

    return {cid: _policy(profile) for cid, profile in db.session.execute(select(Committee.id, Committee.health_profile))}


def terms_due(today: date, notice_months: int) -> list:
    """(branch id, name, term end, months left) for branches whose term ends within the notice or has."""
    rows = db.session.execute(select(Branch.id, Branch.name, Branch.elected_on, Branch.term_years,
                                     Branch.election_exemption).order_by(*Branch.by_name()))
    due = []
    for bid, name, elected_on, years, exemption in rows:
        end = term_end(elected_on, years)
        if end is None or exemption:
            continue
        left = months_between(today, end)
        if left < notice_months:
            due.append((bid, name, end, left))
    return due


def large_branches(policy) -> list:
    """(branch id, name, members, limit) of the branches above the policy's split size for their
    category, largest first: filtered in SQL on the branches' stored member counts (kept by the
    database), so only the few large ones come back and the roster is not read."""
    size = Branch.formal_count + Branch.probationary_count
    teacher = policy.split_size_for("teacher")
    limit = case((Branch.category == "teacher", teacher), else_=policy.split_size) \
        if teacher != policy.split_size else literal(policy.split_size)
    return db.session.execute(
        select(Branch.id, Branch.name, size, limit).where(size > limit)
        .order_by(size.desc(), Branch.name)).all()


# The committee's overdue items are read through their scoped branch (app/security/rules.py,
# READ_THROUGH_BRANCH): each row's branch is tested once.
_RECTIFICATION = through_branch(Rectification)
_TALLY = (RoundTally.branches > 0)     # a row left at zero by deletions or moves counts for nothing


PROGRESS = ("branches", "self", "superior", "confirmed")   # committee_progress's counts


def committee_progress(round_ids) -> dict:
    """(round id, general branch id) -> {branches, self, superior, confirmed: n}, from the
    rounds' tallies (zb_round_tally, kept by the database: a row per general branch, not per
    assessment). A branch has its 自评 / 上级评价 in when its assessment has that source's score,
    which the scoring flush keeps from its sheets."""
    if not round_ids:
        return {}
    t = RoundTally
    rows = db.session.execute(
        select(t.round_id, t.general_branch_id, t.branches, t.with_self, t.with_superior, t.confirmed)
        .where(t.round_id.in_(round_ids), _TALLY))
    return {(r, gb): dict(zip(PROGRESS, counts)) for r, gb, *counts in rows}


def meetings_this_month(today: date) -> dict:
    """branch id -> {meeting kind: meetings held this month}."""
    first = today.replace(day=1)
    out = defaultdict(dict)
    for bid, kind, n in db.session.execute(
            select(Meeting.branch_id, Meeting.kind, func.count(Meeting.id))
            .where(Meeting.held_on >= first, Meeting.held_on <= today).group_by(Meeting.branch_id, Meeting.kind)):
        out[bid][kind] = n
    return out


def monthly_kinds_missing(policy, held: dict, formal: int) -> list:
    """The meeting kinds the policy asks for every month that this month has none of (ANY_MEETING:
    no meeting at all); a 支委会 only from the policy's number of formal members."""
    from app.rules.policy import ANY_MEETING

    missing = []
    for kind, period in policy.meetings.items():
        if period != "month" or (kind == "committee_meeting" and formal < policy.committee_meeting_min_formal):
            continue
        if not (sum(held.values()) if kind == ANY_MEETING else held.get(kind)):
            missing.append(kind)
    return missing


def secretary_hours(year: int) -> list:
    """(branch id, secretary name, hours this year) of every current secretary in scope."""
    hours = (select(TrainingAttendance.member_id, func.sum(TrainingEvent.hours).label("hours"))
             .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
             .where(TrainingEvent.held_on >= date(year, 1, 1), TrainingEvent.held_on <= date(year, 12, 31))
             .group_by(TrainingAttendance.member_id).subquery())
    rows = db.session.execute(
        select(Secretary.branch_id, Member.name, func.coalesce(hours.c.hours, 0.0))
        .join(Member, Member.id == Secretary.member_id)
        .outerjoin(hours, hours.c.member_id == Secretary.member_id)
        .where(Secretary.left_on.is_(None)))
    return [(b, n, float(h)) for b, n, h in rows]


def pending_imports(user_id) -> list:
    """(id, file name) of the user's clean dry runs waiting for confirmation."""
    return db.session.execute(select(ImportRecord.id, ImportRecord.filename)
                              .where(ImportRecord.user_id == user_id, ImportRecord.status == "dry_run",
                                     ImportRecord.errors == "[]")
                              .order_by(ImportRecord.id.desc())).all()


def weak_without_item(round_ids) -> list:
    """(round id, branch id, branch name, grade) graded 一般/较差 with no rectification item yet."""
    if not round_ids:
        return []
    has_item = (select(Rectification.id).where(Rectification.round_id == Assessment.round_id,
                                                Rectification.branch_id == Assessment.branch_id)
                .correlate(Assessment).exists())
    return db.session.execute(
        select(Assessment.round_id, Branch.id, Branch.name, Assessment.final_grade)
        .join(Branch, Branch.id == Assessment.branch_id)
        .where(Assessment.round_id.in_(round_ids), Assessment.final_grade.in_(("C", "D")), ~has_item)
        .order_by(*Branch.by_name())).all()


def latest_graded_round():
    """The newest round in scope in which a branch has a final grade (None: none has)."""
    return db.session.scalars(
        select(AssessmentRound).join(Assessment, Assessment.round_id == AssessmentRound.id)
        .where(Assessment.final_grade.is_not(None))
        .order_by(AssessmentRound.opens_on.desc()).limit(1)).first()


_GRADE_COLUMNS = RoundTally.grade_columns()
GRADES = tuple(_GRADE_COLUMNS)                            # latest_grades's counts: A B C D none


def latest_grades() -> tuple:
    """The newest graded round in scope: (round, {general branch id: {final grade: n}},
    (本科生 branches graded 好 or 较好, 本科生 branches)), from the rounds' tallies (a committee's
    or a general branch's: app/security/rules.py WHOLE_GENERAL_BRANCHES)."""
    t = RoundTally
    round_ = db.session.scalars(   # latest_graded_round(), from the tallies
        select(AssessmentRound).join(t, t.round_id == AssessmentRound.id).where(t.branches > t.grade_none)
        .order_by(AssessmentRound.opens_on.desc()).limit(1)).first()
    if round_ is None:
        return None, {}, (0, 0)
    rows = db.session.execute(
        select(t.general_branch_id, t.undergraduate_good, t.undergraduate, *_GRADE_COLUMNS.values())
        .where(t.round_id == round_.id, _TALLY))
    counts, good, total = {}, 0, 0
    for gb_id, ugood, utotal, *grades in rows:
        counts[gb_id] = dict(zip(GRADES, grades))
        good, total = good + ugood, total + utotal
    return round_, counts, (good, total)


def general_branch_names() -> dict:
    return dict(db.session.execute(select(GeneralBranch.id, GeneralBranch.name)
                                   .order_by(*GeneralBranch.by_name())).all())


def branch_names() -> dict:
    return dict(db.session.execute(select(Branch.id, Branch.name).order_by(*Branch.by_name())).all())
