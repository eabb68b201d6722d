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
from .spec import BRANCH_SPEC, MEMBER_SPEC, BranchRow, MemberRow, RosterSpec
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


def _merge(parse_errors: list, plan_errors: list) -> list:
    """Row errors in row order (file-level entries, row None, last)."""
    if not plan_errors:
        return parse_errors
    return sorted(parse_errors + plan_errors,
                  key=lambda e: (e.row is None, e.row or 0))
