"""What the scoring view shows: the matrix of a round in a scope, counts, comparison."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, contains_eager

from app.extensions import db
from app.models import Assessment, AssessmentRound, Branch, GeneralBranch, RoundTally
from app.security.rules import WHOLE_GENERAL_BRANCHES, through_branch
from app.security.scope import current_org, scope_clause

GRADE_ORDER = {"A": 4, "B": 3, "C": 2, "D": 1}
SORT_KEYS = {
    "branch": lambda a: (a.branch.code, a.branch.name_key),   # the code, then pinyin (models/naming)
    "category": lambda a: (a.branch.category, a.branch.code, a.branch.name_key),
    "composite": lambda a: (a.composite is None, -(a.composite or 0)),
    "grade": lambda a: -GRADE_ORDER.get(a.final_grade or "", 0),
}


@dataclass
class GroupReport:
    """One general branch of the matrix: its grade counts, and its rows when shown."""

    general_branch_id: int
    name: str
    rows: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    movement: Counter = field(default_factory=Counter)  # 复评: up / same / down
    undergrad_total: int = 0
    undergrad_good: int = 0
    expanded: bool = False

    @property
    def undergrad_share(self):
        return self.undergrad_good / self.undergrad_total if self.undergrad_total else None

    @property
    def branches(self) -> int:
        return sum(self.counts.values())


def rounds_in_scope(org) -> list[AssessmentRound]:
    """The rounds the user may open, newest first."""
    return db.session.scalars(
        select(AssessmentRound).where(scope_clause(AssessmentRound, org)).order_by(AssessmentRound.opens_on.desc())
    ).all()


def movement(current, base) -> str | None:
    """'up' / 'same' / 'down' of a grade against its base round's grade."""
    if not current or not base:
        return None
    diff = GRADE_ORDER[current] - GRADE_ORDER[base]
    return "up" if diff > 0 else "down" if diff < 0 else "same"


def _base_grade(round_):
    """The base round's assessment of the same branch (in scope whenever the row itself is)."""
    base = aliased(Assessment, name="base")
    on = and_(base.round_id == round_.base_round_id, base.branch_id == Assessment.branch_id)
    return base, on


def round_summary(round_: AssessmentRound) -> list[GroupReport]:
    """Grade counts, movement and the undergraduate goal per general branch, the names from the
    general branches in scope. The scope is the actor's, as the record-rule guard applies it to
    every read (a job acts as its starter).

    A committee or a general branch reads whole general branches, so a round without a base
    round is read from its tallies (zb_round_tally, kept by the database: 2,000 rows at city
    scale, not 50,000 assessments). Otherwise, a branch's view and every 复评 (its movement
    compares each row with the base round's grade of the same branch) are one query grouped by
    integer keys over the assessments read through their scoped branch (READ_THROUGH_BRANCH)."""
    org = current_org()
    if org is not None and org.kind in WHOLE_GENERAL_BRANCHES and not round_.base_round_id:
        found = _tallied(round_)
    else:
        found = _grouped(round_)
    groups = []
    if found:
        for gb_id, name in db.session.execute(select(GeneralBranch.id, GeneralBranch.name)
                                              .order_by(*GeneralBranch.by_name())):
            if gb_id in found:
                found[gb_id].name = name
                groups.append(found[gb_id])
    return groups


_TALLIED_GRADES = RoundTally.grade_columns()


def _tallied(round_) -> dict[int, GroupReport]:
    """general branch id -> its counts, from the round's tallies (a row left at zero by
    deletions or moves counts for nothing, as a general branch without assessments)."""
    t = RoundTally
    found = {}
    for gb_id, undergrads, good, *grades in db.session.execute(
            select(t.general_branch_id, t.undergraduate, t.undergraduate_good, *_TALLIED_GRADES.values())
            .where(t.round_id == round_.id, t.branches > 0)):
        counts = Counter({grade: n for grade, n in zip(_TALLIED_GRADES, grades) if n})
        found[gb_id] = GroupReport(gb_id, "", counts=counts, undergrad_total=undergrads, undergrad_good=good)
    return found


def _grouped(round_) -> dict[int, GroupReport]:
    """general branch id -> its counts (and movement), grouped from the assessments."""
    a = through_branch(Assessment)
    final = func.coalesce(a.c.override_grade, a.c.computed_grade)
    undergrad = Branch.category == "undergraduate"
    keys = [Branch.general_branch_id, final]
    stmt = (select(*keys, func.count(a.c.id), func.count(a.c.id).filter(undergrad))
            .select_from(a).join(Branch, Branch.id == a.c.branch_id)
            .where(a.c.round_id == round_.id))
    if round_.base_round_id:
        base = a.alias("base")
        base_grade = func.coalesce(base.c.override_grade, base.c.computed_grade)
        keys.append(base_grade)
        stmt = stmt.outerjoin(base, and_(base.c.round_id == round_.base_round_id,
                                         base.c.branch_id == a.c.branch_id)).add_columns(base_grade)
    found: dict[int, GroupReport] = {}
    for gb_id, grade, count, undergrads, *base_grade in db.session.execute(stmt.group_by(*keys)):
        base_grade = base_grade[0] if base_grade else None
        group = found.setdefault(gb_id, GroupReport(gb_id, ""))
        group.counts[grade or "none"] += count
        move = movement(grade, base_grade) if round_.base_round_id else None
        if move:
            group.movement[move] += count
        group.undergrad_total += undergrads
        if grade in ("A", "B"):
            group.undergrad_good += undergrads
    return found


def group_rows(round_: AssessmentRound, general_branch_id: int, sort: str = "branch") -> list:
    """One general branch's rows of the matrix: (assessment, base grade, movement), sorted."""
    stmt = (select(Assessment).join(Branch, Branch.id == Assessment.branch_id)
            .where(Assessment.round_id == round_.id, Branch.general_branch_id == general_branch_id)
            .options(contains_eager(Assessment.branch)))
    if round_.base_round_id:
        base, on = _base_grade(round_)
        rows = [(a, base_grade, movement(a.final_grade, base_grade))
                for a, base_grade in db.session.execute(stmt.outerjoin(base, on).add_columns(base.final_grade))]
    else:
        rows = [(a, None, None) for a in db.session.scalars(stmt)]
    key = SORT_KEYS.get(sort, SORT_KEYS["branch"])
    rows.sort(key=lambda row: key(row[0]))
    return rows


def round_report(round_: AssessmentRound, sort: str = "branch", expand=()) -> list[GroupReport]:
    """The matrix of a round within the user's scope: every general branch's counts, and the
    rows of those in `expand` (of the only one, when the scope holds one)."""
    groups = round_summary(round_)
    wanted = set(expand) or ({groups[0].general_branch_id} if len(groups) == 1 else set())
    for group in groups:
        if group.general_branch_id in wanted:
            group.expanded = True
            group.rows = group_rows(round_, group.general_branch_id, sort)
    return groups


def totals(groups) -> Counter:
    """Grade counts over all groups."""
    total = Counter()
    for g in groups:
        total.update(g.counts)
    return total


def undergrad_goal(groups) -> tuple[int, int]:
    """(graded 好 or 较好, all) undergraduate branches: the plan's goal line."""
    return sum(g.undergrad_good for g in groups), sum(g.undergrad_total for g in groups)

