"""Roster import/export core (pure: no flask, no sqlalchemy, no other app package).

Two rosters, each one sheet of one row per record:
  党员名册 member roster  -> MemberRow, key: number (学号/工号)
  支部名册 branch roster  -> BranchRow, key: (general branch name, branch name)

Flow for the web layer:
  data = uploaded bytes
  try:
      parsed = parse_members(data)               # ImportFileError for whole-file problems
  except ImportFileError as exc:
      show exc.message_zh / exc.message_en (exc.code, exc.details)
  plan = plan_members(parsed, existing_by_number, branch_keys_in_scope)
  show plan.summary() and plan.errors; on confirmation apply plan.new / plan.updated
  in one transaction.

Templates put their two example rows on a separate sheet 示例 (Examples); the
data sheet holds only the header, so an unedited template imports zero rows.
Exports use the template's data-sheet layout, so export -> parse -> plan
against the same data is all "unchanged".
"""
from .errors import FILE_ERROR_CODES, ROW_ERROR_CODES, ImportFileError, RowError
from .plan import Plan, plan_appraisals, plan_branches, plan_members, plan_trainings
from .reader import ParseResult, parse, parse_appraisals, parse_branches, parse_members, parse_trainings
from .spec import (APPRAISAL_SPEC, AppraisalRow, BRANCH_SPEC, CATEGORY, GENDER, MEMBER_SPEC, MEMBER_TYPE, TRAINING_SPEC,
                   YES_NO, BranchRow, ColumnSpec, MemberRow, RosterSpec, TrainingRow)
from .writer import (appraisal_template, branch_template, export, export_appraisals, export_branches,
                     export_members, export_trainings, member_template, training_template)

__all__ = [
    "MEMBER_SPEC", "BRANCH_SPEC", "MemberRow", "BranchRow", "RowError", "ImportFileError",
    "ParseResult", "Plan", "member_template", "branch_template", "export_members",
    "export_branches", "parse_members", "parse_branches", "plan_members", "plan_branches",
    "parse", "export", "ColumnSpec", "RosterSpec", "GENDER", "MEMBER_TYPE", "CATEGORY", "YES_NO",
    "FILE_ERROR_CODES", "ROW_ERROR_CODES", "APPRAISAL_SPEC", "AppraisalRow", "parse_appraisals",
    "plan_appraisals", "appraisal_template", "export_appraisals", "TRAINING_SPEC", "TrainingRow", "parse_trainings",
    "plan_trainings", "training_template", "export_trainings",
]
