"""What the scoring view shows: the matrix of a round in a scope, counts, comparison."""
from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Assessment, AssessmentRound, Branch, GeneralBranch
from app.security.scope import scope_clause

GRADE_ORDER = {"A": 4, "B": 3, "C": 2, "D": 1}
SORT_KEYS = {
    "branch": lambda a: (a.branch.code, a.branch.name_key),   # the code, then pinyin (models/naming)
    "category": lambda a: (a.branch.category, a.branch.code, a.branch.name_key),
    "composite": lambda a: (a.composite is None, -(a.composite or 0)),
    "grade": lambda a: -GRADE_ORDER.get(a.final_grade or "", 0),
}


@dataclass
class GroupReport:
    """One general branch's rows of the matrix with its grade counts."""

    general_branch: GeneralBranch
    rows: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    movement: Counter = field(default_factory=Counter)  # 复评: up / same / down
    undergrad_total: int = 0
    undergrad_good: int = 0

    @property
    def undergrad_share(self):
        return self.undergrad_good / self.undergrad_total if self.undergrad_total else None


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


def round_report(round_: AssessmentRound, org, sort: str = "branch") -> list[GroupReport]:
    """The matrix of a round within the user's scope, grouped per general branch."""
    assessments = db.session.scalars(
        select(Assessment)
        .join(Branch, Branch.id == Assessment.branch_id)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .where(Assessment.round_id == round_.id, scope_clause(Assessment, org))
        .options(joinedload(Assessment.branch).joinedload(Branch.general_branch))
        .order_by(*GeneralBranch.by_name(), *Branch.by_name())
    ).all()
    base = {}
    if round_.base_round_id:
        rows = db.session.execute(
            select(Assessment.branch_id, Assessment.final_grade)
            .where(Assessment.round_id == round_.base_round_id, scope_clause(Assessment, org))
        )
        base = dict(rows.all())
    groups: "OrderedDict[int, GroupReport]" = OrderedDict()
    for a in assessments:
        group = groups.setdefault(a.branch.general_branch_id, GroupReport(a.branch.general_branch))
        grade = a.final_grade
        group.counts[grade or "none"] += 1
        move = movement(grade, base.get(a.branch_id)) if round_.base_round_id else None
        if move:
            group.movement[move] += 1
        if a.branch.category == "undergraduate":
            group.undergrad_total += 1
            group.undergrad_good += grade in ("A", "B")
        group.rows.append((a, base.get(a.branch_id), move))
    key = SORT_KEYS.get(sort, SORT_KEYS["branch"])
    for group in groups.values():
        group.rows.sort(key=lambda row: key(row[0]))
    return list(groups.values())


def totals(groups) -> Counter:
    """Grade counts over all groups."""
    total = Counter()
    for g in groups:
        total.update(g.counts)
    return total


def undergrad_goal(groups) -> tuple[int, int]:
    """(graded 好 or 较好, all) undergraduate branches: the plan's goal line."""
    return sum(g.undergrad_good for g in groups), sum(g.undergrad_total for g in groups)

