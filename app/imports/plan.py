"""The pure diff of parsed rows against existing data.

Matching is forgiving about form, never about content: keys and branch names
are compared after NFKC, without white space and case-blind (match_key), so
"计算机学院（研究生）党支部" matches "计算机学院(研究生)党支部". Rows in the plan carry the
existing spelling of every matched key, so the caller can look records up
with exact equality.

Fields whose column was absent from the file (ParseResult.present_fields) are
taken from the existing record and never count as changed; a blank cell in a
present column does clear the value.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Collection, Mapping

from . import errors as E
from .errors import RowError
from .reader import ParseResult
from .spec import (APPRAISAL_SPEC, BRANCH_SPEC, MEMBER_SPEC, TRAINING_SPEC, AppraisalRow, BranchRow, MemberRow,
                   RosterSpec, TrainingRow)
from .values import canonical, match_key


@dataclass
class Plan:
    new: list = field(default_factory=list)        # [(row_no, row)]
    updated: list = field(default_factory=list)    # [(row_no, old, new, changed_fields: tuple[str])]
    unchanged: list = field(default_factory=list)  # [(row_no, row)]  (row as existing, canonical)
    errors: list = field(default_factory=list)     # [RowError]: the parse's, then the plan's

    def summary(self) -> dict:
        return {"new": len(self.new), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "errors": len(self.errors)}

    @property
    def ok(self) -> bool:
        return not self.errors


def _index(keys, keyfunc) -> dict:
    out: dict = {}
    for k in keys:
        out.setdefault(keyfunc(k), k)
    return out


def _branch_mk(key: tuple[str, str]) -> tuple[str, str]:
    return (match_key(key[0]), match_key(key[1]))


def _diff(spec: RosterSpec, plan: Plan, row_no: int, row, old, present) -> None:
    """Classify one row against its existing record (old may be None)."""
    if old is None:
        plan.new.append((row_no, row))
        return
    fill = {}
    changed = []
    for col in spec.columns:
        if col.field in spec.key_fields:
            continue
        old_value = canonical(col, getattr(old, col.field))
        if present is not None and col.field not in present:
            fill[col.field] = old_value
            continue
        if canonical(col, getattr(row, col.field)) != old_value:
            changed.append(col.field)
    new_row = replace(row, **fill) if fill else row
    if changed:
        plan.updated.append((row_no, old, new_row, tuple(changed)))
    else:
        plan.unchanged.append((row_no, new_row))


def _check_rows(parsed: ParseResult, row_type: type) -> None:
    for _, row in parsed.rows[:1]:
        if not isinstance(row, row_type):
            raise TypeError(f"expected a parse of {row_type.__name__} rows, got {type(row).__name__}")


def plan_members(parsed: ParseResult, existing: Mapping[str, MemberRow],
                 branch_keys: Collection[tuple[str, str]]) -> Plan:
    """existing: the members the importer may change, by number. branch_keys:
    (general branch name, branch name) of the branches in the importer's scope
    only; a row naming any other branch is an error whose message repeats the
    typed names and says nothing of whether such a branch exists elsewhere."""
    _check_rows(parsed, MemberRow)
    plan = Plan(errors=list(parsed.errors))
    branches = _index(branch_keys, _branch_mk)
    members = _index(existing.keys(), match_key)
    present = parsed.present_fields
    gb_col = MEMBER_SPEC.column("general_branch")
    b_col = MEMBER_SPEC.column("branch")
    extra: list[RowError] = []
    for row_no, row in parsed.rows:
        bkey = branches.get(_branch_mk((row.general_branch, row.branch)))
        if bkey is None:
            gb, b = E.shorten(row.general_branch), E.shorten(row.branch)
            extra.append(RowError(
                row_no, b_col.header_zh, E.UNKNOWN_BRANCH,
                f"第 {row_no} 行：在您可管理的党支部中找不到“{gb} / {b}”。"
                f"请核对“{gb_col.header_zh}”和“{b_col.header_zh}”与系统中的名称是否一致。",
                f'Row {row_no}: "{gb} / {b}" is not among the branches you manage. Check that the '
                f"general branch and branch names match those in the system."))
            continue
        if bkey != (row.general_branch, row.branch):
            row = replace(row, general_branch=bkey[0], branch=bkey[1])
        number = members.get(match_key(row.number))
        if number is not None and number != row.number:
            row = replace(row, number=number)
        _diff(MEMBER_SPEC, plan, row_no, row, existing[number] if number is not None else None, present)
    plan.errors = _merge(plan.errors, extra)
    return plan


def plan_branches(parsed: ParseResult, existing: Mapping[tuple[str, str], BranchRow],
                  general_branches: Collection[str]) -> Plan:
    """existing: the branches the importer may change, by (general branch,
    name). general_branches: names of the general branches in the importer's
    scope; a row naming any other is an error (same wording whether or not it
    exists elsewhere)."""
    _check_rows(parsed, BranchRow)
    plan = Plan(errors=list(parsed.errors))
    gbs = _index(general_branches, match_key)
    branches = _index(existing.keys(), _branch_mk)
    present = parsed.present_fields
    gb_col = BRANCH_SPEC.column("general_branch")
    extra: list[RowError] = []
    for row_no, row in parsed.rows:
        gb = gbs.get(match_key(row.general_branch))
        if gb is None:
            shown = E.shorten(row.general_branch)
            extra.append(RowError(
                row_no, gb_col.header_zh, E.UNKNOWN_GENERAL_BRANCH,
                f"第 {row_no} 行：在您可管理的党总支中找不到“{shown}”。请核对名称是否与系统中一致。",
                f'Row {row_no}: "{shown}" is not among the general branches you manage. Check that '
                "the name matches the one in the system."))
            continue
        key = branches.get((match_key(gb), match_key(row.name)))
        if key is not None:
            row = replace(row, general_branch=key[0], name=key[1])
        elif gb != row.general_branch:
            row = replace(row, general_branch=gb)
        _diff(BRANCH_SPEC, plan, row_no, row, existing[key] if key is not None else None, present)
    plan.errors = _merge(plan.errors, extra)
    return plan


def plan_appraisals(parsed: ParseResult, existing: Mapping[tuple[str, int], AppraisalRow],
                    members: Mapping[str, str], max_year: int | None = None) -> Plan:
    """existing: the results the importer may change, by (number, year). members: number ->
    name of the members in the importer's scope only; a row naming any other number is an
    error that says nothing of whether such a member exists elsewhere. A name, when given,
    must be the roster's (a typo in a number must not give another member a result).
    max_year: the latest year a result may have (this year: results follow the meeting)."""
    _check_rows(parsed, AppraisalRow)
    plan = Plan(errors=list(parsed.errors))
    numbers = _index(members.keys(), match_key)
    results = _index(existing.keys(), lambda k: (match_key(k[0]), k[1]))
    present = parsed.present_fields
    num_col, name_col = APPRAISAL_SPEC.column("number"), APPRAISAL_SPEC.column("name")
    extra: list[RowError] = []
    for row_no, row in parsed.rows:
        number = numbers.get(match_key(row.number))
        shown = E.shorten(row.number)
        if number is None:
            extra.append(RowError(
                row_no, num_col.header_zh, E.UNKNOWN_MEMBER,
                f"第 {row_no} 行：在您管理的党员中找不到学号/工号“{shown}”。请核对编号。",
                f'Row {row_no}: the number "{shown}" is not among the members you manage. Check the number.'))
            continue
        if max_year is not None and row.year > max_year:
            year_col = APPRAISAL_SPEC.column("year")
            extra.append(RowError(
                row_no, year_col.header_zh, E.INVALID_INTEGER,
                f"第 {row_no} 行：年度 {row.year} 还没有到，民主评议会议开过之后才录入结果。",
                f"Row {row_no}: the year {row.year} has not come yet; results are entered after the meeting."))
            continue
        roster_name = members[number]
        if row.name and match_key(row.name) != match_key(roster_name):
            extra.append(RowError(
                row_no, name_col.header_zh, E.NAME_MISMATCH,
                f"第 {row_no} 行：学号/工号“{shown}”在名册中的姓名是“{E.shorten(roster_name)}”，"
                f"与填写的“{E.shorten(row.name)}”不一致。请核对编号和姓名。",
                f'Row {row_no}: the roster names "{shown}" "{E.shorten(roster_name)}", not '
                f'"{E.shorten(row.name)}". Check the number and the name.'))
            continue
        row = replace(row, number=number, name=roster_name)
        key = results.get((match_key(number), row.year))
        _diff(APPRAISAL_SPEC, plan, row_no, row, existing[key] if key is not None else None, present)
    plan.errors = _merge(plan.errors, extra)
    return plan


def event_key(row: TrainingRow) -> tuple:
    """What makes rows one training event: date, topic, hours, mode and organizer (as matched)."""
    return (row.held_on, match_key(row.topic), round(float(row.hours), 1), bool(row.online),
            match_key(row.organizer or ""))


def plan_trainings(parsed: ParseResult, credited: Collection[tuple], members: Mapping[str, str],
                   today=None) -> Plan:
    """credited: (number, event_key) of the credits the importer reads already. members:
    number -> name of the members in the importer's scope only (a number outside it is an error
    that says nothing of whether it exists elsewhere). A row already credited is unchanged;
    the others are new credits (their events are found or made when the plan is applied)."""
    _check_rows(parsed, TrainingRow)
    plan = Plan(errors=list(parsed.errors))
    numbers = _index(members.keys(), match_key)
    have = {(match_key(n), k) for n, k in credited}
    num_col, name_col = TRAINING_SPEC.column("number"), TRAINING_SPEC.column("name")
    date_col = TRAINING_SPEC.column("held_on")
    extra: list[RowError] = []
    seen: dict = {}
    for row_no, row in parsed.rows:
        number = numbers.get(match_key(row.number))
        shown = E.shorten(row.number)
        first = seen.setdefault((match_key(row.number), event_key(row)), row_no)
        if first != row_no:
            extra.append(RowError(
                row_no, num_col.header_zh, E.DUPLICATE_KEY,
                f"第 {row_no} 行：学号/工号“{shown}”在同一次培训中与第 {first} 行重复，同一次培训每人只记一次。",
                f'Row {row_no}: "{shown}" repeats row {first} for the same training event; a member is '
                "credited once per event."))
            continue
        if number is None:
            extra.append(RowError(
                row_no, num_col.header_zh, E.UNKNOWN_MEMBER,
                f"第 {row_no} 行：在您管理的党员中找不到学号/工号“{shown}”。请核对编号。",
                f'Row {row_no}: the number "{shown}" is not among the members you manage. Check the number.'))
            continue
        roster_name = members[number]
        if row.name and match_key(row.name) != match_key(roster_name):
            extra.append(RowError(
                row_no, name_col.header_zh, E.NAME_MISMATCH,
                f"第 {row_no} 行：学号/工号“{shown}”在名册中的姓名是“{E.shorten(roster_name)}”，"
                f"与填写的“{E.shorten(row.name)}”不一致。请核对编号和姓名。",
                f'Row {row_no}: the roster names "{shown}" "{E.shorten(roster_name)}", not '
                f'"{E.shorten(row.name)}". Check the number and the name.'))
            continue
        if today is not None and row.held_on > today:
            extra.append(RowError(
                row_no, date_col.header_zh, E.INVALID_DATE,
                f"第 {row_no} 行：培训日期 {row.held_on.isoformat()} 晚于今天。",
                f"Row {row_no}: the date {row.held_on.isoformat()} is later than today."))
            continue
        row = replace(row, number=number, name=roster_name)
        if (match_key(number), event_key(row)) in have:
            plan.unchanged.append((row_no, row))
        else:
            plan.new.append((row_no, row))
    plan.errors = _merge(plan.errors, extra)
    return plan


def _merge(parse_errors: list, plan_errors: list) -> list:
    """Row errors in row order (file-level entries, row None, last)."""
    if not plan_errors:
        return parse_errors
    return sorted(parse_errors + plan_errors,
                  key=lambda e: (e.row is None, e.row or 0))
