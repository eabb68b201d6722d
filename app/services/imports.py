"""Roster import and export: the database shell around the pure core in app/imports.

dry_run(user, kind, filename, data)  parse, plan against the rows in the user's scope,
                                     keep the file and the outcome as an ImportRecord
apply(user, record_id)               re-parse the stored file, re-plan against the
                                     database as it is now, and write everything in one
                                     transaction, or nothing if any row is in error
export_bytes(org, kind)              the rows in scope in the template's layout

Scope comes from the user's organization (app.security.scope): rows outside it are never
loaded, so the plan can neither update them nor say they exist. The one exception the
database forces: member numbers are unique in a committee, so a number used outside the
importer's scope is a row error that says only that it is taken.

Rows keyed by member number are looked up by the file's numbers, not read for the whole scope
(a committee holds a million members at city scale): each member stores its number's match
key (Member.number_key, app/models/naming), and the plan reads the rows whose key is among the
file's, LOOKUP_CHUNK keys per statement, so the statements grow with the file, not the scope.
The pure plan still compares the full match keys, so it finds exactly what it found in the
whole scope.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, not_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.naming import number_key, with_name_key, with_number_key
from app.imports import (
    APPRAISAL_SPEC, ATTENDANCE_SPEC, BRANCH_SPEC, MEMBER_SPEC, TRAINING_SPEC, AppraisalRow, AttendanceRow, BranchRow,
    ImportFileError, MemberRow, RowError, TrainingRow, export_appraisals, export_attendance, export_branches,
    export_members, export_trainings, parse_appraisals, parse_attendance, parse_branches, parse_members,
    parse_trainings, plan_appraisals, plan_attendance, plan_branches, plan_members, plan_trainings,
)
from app.imports.plan import event_key
from app.imports.errors import UNKNOWN_BRANCH, shorten
from app.imports.values import match_key
from app.models import (
    Branch, GeneralBranch, ImportRecord, Meeting, MeetingAttendance, Member, MemberAppraisal, TrainingAttendance,
    TrainingEvent,
)
from app.security.scope import OrgRef, org_of_user, scope_clause, unscoped
from app.errors import DomainError, Refused

KINDS = ("members", "branches", "appraisals", "trainings", "attendance")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_JOB_BYTES = 512 * 1024
MAX_STORED_ERRORS = 2000      # the core stops collecting at 1000 parse errors
MAX_PREVIEW = 200             # new / updated rows listed on the dry-run page
WRITE_CHUNK = 5000            # rows per executemany
LOOKUP_CHUNK = 500            # member number keys per IN list
NUMBER_TAKEN = "number_taken"
CONFLICT = "conflict"
RESOURCE = {"members": "Member", "branches": "Branch", "appraisals": "MemberAppraisal", "trainings": "Training",
            "attendance": "Meeting"}
SPEC_OF = {"members": MEMBER_SPEC, "branches": BRANCH_SPEC, "appraisals": APPRAISAL_SPEC, "trainings": TRAINING_SPEC,
           "attendance": ATTENDANCE_SPEC}


class ImportDenied(Refused):
    """The user may not run this import (role, organization, record state)."""


class RecordNotFound(DomainError):
    """No such import record in the user's scope."""


@dataclass
class Outcome:
    """What a dry run or an apply found; the view and the CLI print the same thing."""

    record: ImportRecord
    summary: dict
    errors: list = field(default_factory=list)      # [RowError]
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def max_import_bytes() -> int:
    """ZHIBU_IMPORT_MAX_BYTES, default 20 MB."""
    return int(current_app.config.get("ZHIBU_IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def job_threshold() -> int:
    """ZHIBU_IMPORT_JOB_BYTES: larger files are checked and applied as background jobs."""
    return int(current_app.config.get("ZHIBU_IMPORT_JOB_BYTES", DEFAULT_JOB_BYTES))


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------- who may import


def importer_org(user, kind: str) -> OrgRef:
    """The organization the user imports into; ImportDenied if the role or org forbids it."""
    if kind not in KINDS:
        raise ImportDenied(_("未知的导入类型。"))
    sm = current_app.appbuilder.sm
    if user is None or not sm._has_view_access(user, "can_write", "RosterImport") or not sm._has_view_access(
        user, "can_write", RESOURCE[kind]
    ):
        raise ImportDenied(_("您的角色没有导入此名册的权限。"))
    org = org_of_user(user)
    if org is None or org.kind == "all" or org.committee_id is None:
        raise ImportDenied(_("导入须以所属组织的账号进行（党委、党总支或党支部）；系统管理员账号不属于任何组织。"))
    return org


def may_export(user, kind: str) -> bool:
    """True when the user's role may read the roster of this kind."""
    sm = current_app.appbuilder.sm
    return kind in KINDS and sm._has_view_access(user, "can_read", RESOURCE[kind])


# ---------------------------------------------------------------- rows in scope


def file_keys(numbers) -> list[str]:
    """The stored match keys (Member.number_key) of the numbers a file names, each once."""
    return sorted({number_key(n) for n in numbers if n})


def _key_chunks(keys: list[str]):
    for start in range(0, len(keys), LOOKUP_CHUNK):
        yield keys[start:start + LOOKUP_CHUNK]


def _numbered(org: OrgRef, keys: list[str]):
    """The members of the importer's committee whose number key is one of keys (an index:
    committee_id, number_key); the scope is still tested on each."""
    return and_(Member.committee_id == org.committee_id, Member.number_key.in_(keys))


def _by_keys(stmt, org: OrgRef, keys):
    """stmt for every member (keys None: the export), or once per chunk of the file's keys."""
    if keys is None:
        yield stmt.execution_options(yield_per=5000)
        return
    for chunk in _key_chunks(keys):
        yield stmt.where(_numbered(org, chunk))


def _member_rows(org: OrgRef, keys: list[str] | None = None):
    """(id, MemberRow) of every member in scope, or of those whose number key is in keys; in
    roster order (within a chunk of keys: rows of one key are always in the same chunk)."""
    stmt = (
        select(Member.id, Member.number, Member.name, Member.gender, Member.member_type, Member.joined_on,
               Member.unit, Member.is_teacher_backbone, GeneralBranch.name, Branch.name)
        .join(Branch, Member.branch_id == Branch.id)
        .join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
        .where(scope_clause(Member, org))
        .order_by(*GeneralBranch.by_name(), *Branch.by_name(), Member.number)
    )
    for part in _by_keys(stmt, org, keys):
        for r in db.session.execute(part):
            yield r[0], MemberRow(r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9])


def _branch_rows(org: OrgRef):
    """(id, BranchRow) of every branch in scope, in roster order."""
    stmt = (
        select(Branch.id, GeneralBranch.name, Branch.name, Branch.category, Branch.is_joint, Branch.founded_on,
               Branch.elected_on, Branch.term_years, Branch.note)
        .join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
        .where(scope_clause(Branch, org))
        .order_by(*GeneralBranch.by_name(), *Branch.by_name())
    )
    for r in db.session.execute(stmt):
        yield r[0], BranchRow(r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8])


def _appraisal_rows(org: OrgRef, keys: list[str] | None = None):
    """(id, AppraisalRow) of every 民主评议 result in scope (or of the members whose number key is
    in keys), by number and year."""
    stmt = (
        select(MemberAppraisal.id, Member.number, Member.name, MemberAppraisal.year, MemberAppraisal.result,
               MemberAppraisal.note)
        .join(Member, MemberAppraisal.member_id == Member.id)
        .join(Branch, Member.branch_id == Branch.id)
        .join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
        .where(scope_clause(MemberAppraisal, org))
        .order_by(MemberAppraisal.year.desc(), *GeneralBranch.by_name(), *Branch.by_name(), Member.number)
    )
    for part in _by_keys(stmt, org, keys):
        for r in db.session.execute(part):
            yield r[0], AppraisalRow(r[1], r[2], r[3], r[4], r[5])


def _training_rows(org: OrgRef, keys: list[str] | None = None):
    """(id, TrainingRow) of every training credit in scope (or of the members whose number key is
    in keys), newest first."""
    stmt = (
        select(TrainingAttendance.id, Member.number, Member.name, TrainingEvent.held_on, TrainingEvent.topic,
               TrainingEvent.hours, TrainingEvent.online, TrainingEvent.organizer)
        .join(Member, TrainingAttendance.member_id == Member.id)
        .join(TrainingEvent, TrainingAttendance.event_id == TrainingEvent.id)
        .where(scope_clause(TrainingAttendance, org))
        .order_by(TrainingEvent.held_on.desc(), TrainingEvent.id, Member.number)
    )
    for part in _by_keys(stmt, org, keys):
        for r in db.session.execute(part):
            yield r[0], TrainingRow(r[1], r[2], r[3], r[4], float(r[5]), bool(r[6]), r[7])


def _attendance_rows(org: OrgRef, keys: list[str] | None = None):
    """(id, AttendanceRow) of the attendance at every held meeting in scope (or of the members
    whose number key is in keys), newest first."""
    stmt = (
        select(MeetingAttendance.id, Member.number, Member.name, Meeting.held_on, Meeting.title,
               MeetingAttendance.present, MeetingAttendance.absence_reason)
        .join(Member, MeetingAttendance.member_id == Member.id)
        .join(Meeting, MeetingAttendance.meeting_id == Meeting.id)
        .where(scope_clause(MeetingAttendance, org), Meeting.held_on.is_not(None))
        .order_by(Meeting.held_on.desc(), Meeting.id, Member.number)
    )
    for part in _by_keys(stmt, org, keys):
        for r in db.session.execute(part):
            yield r[0], AttendanceRow(r[1], r[2], r[3], r[4], bool(r[5]), r[6])


def _held_meetings(org: OrgRef, branch_ids) -> dict:
    """(branch id, day, match_key(title)) -> (meeting id, title) of the held meetings in scope of
    the given branches (the file's members'; a row names a meeting of its member's branch)."""
    found = {}
    branch_ids = sorted(set(branch_ids))
    for start in range(0, len(branch_ids), LOOKUP_CHUNK):
        stmt = (select(Meeting.id, Meeting.branch_id, Meeting.held_on, Meeting.title)
                .where(scope_clause(Meeting, org), Meeting.held_on.is_not(None),
                       Meeting.branch_id.in_(branch_ids[start:start + LOOKUP_CHUNK])).order_by(Meeting.id))
        for mid, branch_id, day, title in db.session.execute(stmt):
            found.setdefault((branch_id, day, match_key(title)), (mid, title))
    return found


def _members_in_scope(org: OrgRef, keys: list[str]) -> dict:
    """number -> (id, name, branch id) of the members the importer manages whose number key is in
    keys (the file's)."""
    stmt = select(Member.number, Member.id, Member.name, Member.branch_id).where(scope_clause(Member, org))
    return {number: (mid, name, branch_id)
            for part in _by_keys(stmt, org, keys)
            for number, mid, name, branch_id in db.session.execute(part)}


def _branch_ids(org: OrgRef) -> dict:
    """(general branch name, branch name) -> branch id, for the branches in scope."""
    stmt = (
        select(GeneralBranch.name, Branch.name, Branch.id)
        .join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
        .where(scope_clause(Branch, org))
    )
    return {(gb, b): bid for gb, b, bid in db.session.execute(stmt)}


def _general_branch_ids(org: OrgRef) -> dict:
    """General branch name -> id, for the general branches the org may add branches to."""
    stmt = select(GeneralBranch.name, GeneralBranch.id).where(scope_clause(GeneralBranch, org))
    return dict(db.session.execute(stmt).all())


def _numbers_outside(org: OrgRef, keys: list[str]) -> set:
    """match_key of the member numbers of the committee outside the scope whose number key is in
    keys (the file's new rows')."""
    if org.kind == "committee":
        return set()
    # unscoped: numbers outside the scope are only tested for being taken, never shown
    stmt = select(Member.number).where(not_(scope_clause(Member, org)))
    return {match_key(n) for part in _by_keys(stmt, org, keys) for n in db.session.scalars(unscoped(part))}


# ---------------------------------------------------------------- plan


@dataclass
class _Planned:
    parsed: object
    plan: object
    ids: dict          # key -> id of existing records
    parents: dict      # members: (gb, branch) -> branch id; branches: gb name -> gb id


def _number_taken(row_no: int, number: str) -> RowError:
    shown = shorten(number)
    col = MEMBER_SPEC.column("number")
    return RowError(
        row_no, col.header_zh, NUMBER_TAKEN,
        f"第 {row_no} 行：学号/工号“{shown}”已被本党委其他单位的党员使用，同一党委内编号不能重复。"
        "请核对编号；如确属同一人，请联系上级组织办理转接。",
        f'Row {row_no}: the number "{shown}" is already used by a member elsewhere in the committee; '
        "numbers are unique within a committee. Check the number; if it is the same person, ask "
        "the superior organization to transfer the member.")


def _not_own_branch(row_no: int, row: BranchRow) -> RowError:
    gb, name = shorten(row.general_branch), shorten(row.name)
    col = BRANCH_SPEC.column("name")
    return RowError(
        row_no, col.header_zh, UNKNOWN_BRANCH,
        f"第 {row_no} 行：党支部账号只能导入本支部，“{gb} / {name}”不是您所在的党支部。",
        f'Row {row_no}: a branch account imports its own branch only; "{gb} / {name}" is not your branch.')


def _sorted_errors(errors: list) -> list:
    return sorted(errors, key=lambda e: (e.row is None, e.row or 0))


def _no_progress(stage: str, rows: int) -> None:
    """progress(stage, rows): 'parsed' after reading the file, 'planned' after the check."""


def _plan(kind: str, org: OrgRef, data: bytes, progress=_no_progress) -> _Planned:
    """Parse and plan against the database now (ImportFileError for whole-file problems)."""
    limit = max_import_bytes()
    # the rows keyed by member number: those of the file's numbers only (see the module's doc)
    if kind == "appraisals":
        parsed = parse_appraisals(data, max_bytes=limit)
        progress("parsed", parsed.total_rows)
        keys = file_keys(row.number for _, row in parsed.rows)
        existing, ids = {}, {}
        for aid, row in _appraisal_rows(org, keys):
            existing[(row.number, row.year)] = row
            ids[(row.number, row.year)] = aid
        members = _members_in_scope(org, keys)
        plan = plan_appraisals(parsed, existing, {n: name for n, (_mid, name, _b) in members.items()},
                               max_year=date.today().year)
        return _Planned(parsed, plan, ids, {n: mid for n, (mid, _name, _b) in members.items()})
    if kind == "attendance":
        parsed = parse_attendance(data, max_bytes=limit)
        keys = file_keys(row.number for _, row in parsed.rows)
        existing, ids = {}, {}
        for aid, row in _attendance_rows(org, keys):
            key = (row.number, row.held_on, row.title)
            existing.setdefault(key, row)
            ids.setdefault(key, aid)
        members = _members_in_scope(org, keys)
        branch_of = {n: branch_id for n, (_mid, _name, branch_id) in members.items()}
        meetings = _held_meetings(org, branch_of.values())
        plan = plan_attendance(parsed, existing, {n: (name, b) for n, (_mid, name, b) in members.items()},
                               {k: title for k, (_id, title) in meetings.items()})
        parents = {"members": {n: mid for n, (mid, _name, _b) in members.items()}, "branch_of": branch_of,
                   "meetings": meetings}
        return _Planned(parsed, plan, ids, parents)
    if kind == "trainings":
        parsed = parse_trainings(data, max_bytes=limit)
        keys = file_keys(row.number for _, row in parsed.rows)
        credited = [(row.number, event_key(row)) for _id, row in _training_rows(org, keys)]
        members = _members_in_scope(org, keys)
        plan = plan_trainings(parsed, credited, {n: name for n, (_mid, name, _b) in members.items()},
                              today=date.today())
        return _Planned(parsed, plan, {}, {n: mid for n, (mid, _name, _b) in members.items()})
    if kind == "members":
        parsed = parse_members(data, max_bytes=limit)
        progress("parsed", parsed.total_rows)
        existing, ids = {}, {}
        for mid, row in _member_rows(org, file_keys(row.number for _, row in parsed.rows)):
            existing[row.number] = row
            ids[row.number] = mid
        parents = _branch_ids(org)
        plan = plan_members(parsed, existing, parents.keys())
        taken = _numbers_outside(org, file_keys(row.number for _, row in plan.new)) if plan.new else set()
        if taken and plan.new:
            keep, extra = [], []
            for row_no, row in plan.new:
                (extra.append(_number_taken(row_no, row.number)) if match_key(row.number) in taken
                 else keep.append((row_no, row)))
            if extra:
                plan.new = keep
                plan.errors = _sorted_errors(plan.errors + extra)
        return _Planned(parsed, plan, ids, parents)
    parsed = parse_branches(data, max_bytes=limit)
    progress("parsed", parsed.total_rows)
    existing, ids = {}, {}
    for bid, row in _branch_rows(org):
        key = (row.general_branch, row.name)
        existing[key] = row
        ids[key] = bid
    parents = _general_branch_ids(org)
    plan = plan_branches(parsed, existing, parents.keys())
    if org.kind == "branch" and plan.new:   # a branch imports into itself only
        plan.errors = _sorted_errors(plan.errors + [_not_own_branch(n, r) for n, r in plan.new])
        plan.new = []
    return _Planned(parsed, plan, ids, parents)


def _key_text(kind: str, row) -> str:
    if kind == "appraisals":
        return f"{row.number} · {row.year}"
    if kind == "trainings":
        return f"{row.number} · {row.held_on.isoformat()} {row.topic}"
    if kind == "attendance":
        return f"{row.number} · {row.held_on.isoformat()} {row.title}"
    return row.number if kind == "members" else f"{row.general_branch} / {row.name}"


def _summary(kind: str, planned: _Planned) -> dict:
    plan, parsed = planned.plan, planned.parsed
    spec = SPEC_OF[kind]
    headers = {c.field: c.header_zh for c in spec.columns}
    return {
        **plan.summary(),
        "total_rows": parsed.total_rows,
        "ignored_columns": list(parsed.ignored_columns),
        "sheet": parsed.sheet_name,
        "new_rows": [{"row": n, "key": _key_text(kind, r), "name": r.name or ""} for n, r in plan.new[:MAX_PREVIEW]],
        "updated_rows": [
            {"row": n, "key": _key_text(kind, new), "name": new.name, "fields": [headers[f] for f in changed]}
            for n, _old, new, changed in plan.updated[:MAX_PREVIEW]
        ],
    }


def _errors_json(errors: list) -> str:
    return json.dumps([e.to_dict() for e in errors[:MAX_STORED_ERRORS]], ensure_ascii=False)


# ---------------------------------------------------------------- dry run


def dry_run(user, kind: str, filename: str, data: bytes, progress=_no_progress) -> Outcome:
    """Check a file without changing the rosters; the file and outcome are kept as a record.

    Raises ImportDenied, or ImportFileError (nothing is recorded for a file that cannot be read).
    progress(stage, rows) is called between the steps, outside any write (background jobs).
    """
    org = importer_org(user, kind)
    planned = _plan(kind, org, data, progress)
    progress("planned", planned.parsed.total_rows)
    summary = _summary(kind, planned)
    errors = planned.plan.errors
    record = ImportRecord(
        user_id=user.id, username=user.username, kind=kind, filename=(filename or "")[-255:],
        file_size=len(data), file_sha256=hashlib.sha256(data).hexdigest(), file_data=bytes(data),
        created_at=_now(), status="dry_run", summary=json.dumps(summary, ensure_ascii=False, default=str),
        errors=_errors_json(errors), org_kind=org.kind, committee_id=org.committee_id,
        general_branch_id=org.general_branch_id, branch_id=org.branch_id,
    )
    db.session.add(record)
    db.session.commit()
    return Outcome(record, summary, errors[:MAX_STORED_ERRORS])


# ---------------------------------------------------------------- apply


def record_for(user, record_id: int) -> ImportRecord:
    """The record, if it is in the user's scope (RecordNotFound otherwise)."""
    org = org_of_user(user)
    record = db.session.scalar(
        select(ImportRecord).where(ImportRecord.id == record_id, scope_clause(ImportRecord, org))
    )
    if record is None:
        raise RecordNotFound(record_id)
    return record


def check_confirmable(user, record: ImportRecord) -> OrgRef:
    """Raise ImportDenied unless this user may confirm this record now; returns the importer's org."""
    if record.user_id != user.id:
        raise ImportDenied(_("只能确认自己上传的导入。"))
    if record.status != "dry_run":
        raise ImportDenied(_("这次导入已经处理过（%(status)s），不能再次确认。请重新上传文件。",
                             status=_status_label(record.status)))
    if record.error_list:
        raise ImportDenied(_("预检发现错误，不能确认导入。请改正后重新上传。"))
    return importer_org(user, record.kind)


def can_confirm(user, record: ImportRecord) -> bool:
    """True when the confirm button should be offered (the same checks apply() makes)."""
    try:
        check_confirmable(user, record)
    except ImportDenied:
        return False
    return True


def apply(user, record_id: int, progress=_no_progress) -> Outcome:
    """Apply a dry-run record: re-validate the stored file now, then all rows or none."""
    record = record_for(user, record_id)
    org = check_confirmable(user, record)
    data = db.session.scalar(select(ImportRecord.file_data).where(ImportRecord.id == record.id))
    try:
        planned = _plan(record.kind, org, data, progress)
    except ImportFileError as exc:   # the stored file read once; a newer limit may refuse it now
        err = RowError(None, None, exc.code, exc.message_zh, exc.message_en)
        return _fail(record, {**record.summary_dict, "errors": 1}, [err])
    summary = _summary(record.kind, planned)
    if planned.plan.errors:
        return _fail(record, summary, planned.plan.errors)
    progress("planned", planned.parsed.total_rows)
    try:
        claimed = db.session.execute(
            update(ImportRecord)
            .where(ImportRecord.id == record.id, ImportRecord.status == "dry_run")
            .values(status="applied", applied_at=_now(),
                    summary=json.dumps(summary, ensure_ascii=False, default=str), errors="[]")
        ).rowcount
        if claimed != 1:    # someone confirmed the same record a moment ago
            db.session.rollback()
            raise ImportDenied(_("这次导入已经处理过，不能再次确认。请重新上传文件。"))
        WRITERS[record.kind](planned, org)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        err = RowError(None, None, CONFLICT,
                       "导入期间名册被他人修改（编号或名称冲突），本次未导入任何数据。请重新上传文件。",
                       "The roster was changed by someone else during the import (a number or name "
                       "clash); nothing was imported. Upload the file again.")
        return _fail(db.session.get(ImportRecord, record_id), summary, [err])
    db.session.refresh(record)
    return Outcome(record, summary, [], applied=True)


def _fail(record: ImportRecord, summary: dict, errors: list) -> Outcome:
    record.status = "failed"
    record.summary = json.dumps({**summary, "errors": len(errors)}, ensure_ascii=False, default=str)
    record.errors = _errors_json(errors)
    db.session.commit()
    return Outcome(record, record.summary_dict, errors[:MAX_STORED_ERRORS])


def _member_values(row: MemberRow, branch_id: int) -> dict:
    return {"number": row.number, "name": row.name, "gender": row.gender, "member_type": row.member_type,
            "joined_on": row.joined_on, "unit": row.unit, "is_teacher_backbone": bool(row.is_teacher_backbone),
            "branch_id": branch_id}


def _write_members(planned: _Planned, org: OrgRef) -> None:
    plan, parents, ids = planned.plan, planned.parents, planned.ids
    _insert(Member, (
        {**_member_values(row, parents[(row.general_branch, row.branch)]), "committee_id": org.committee_id}
        for _, row in plan.new
    ))
    _update(Member, (
        {"_id": ids[old.number], **_member_values(new, parents[(new.general_branch, new.branch)])}
        for _, old, new, _changed in plan.updated
    ))


def _branch_values(row: BranchRow) -> dict:
    return {"name": row.name, "category": row.category, "is_joint": bool(row.is_joint),
            "founded_on": row.founded_on, "elected_on": row.elected_on, "term_years": row.term_years,
            "note": row.note}


def _write_branches(planned: _Planned, org: OrgRef) -> None:
    plan, parents, ids = planned.plan, planned.parents, planned.ids
    _insert(Branch, (
        {**_branch_values(row), "code": "", "general_branch_id": parents[row.general_branch]}
        for _, row in plan.new
    ))
    _update(Branch, (
        {"_id": ids[(old.general_branch, old.name)], **_branch_values(new)}
        for _, old, new, _changed in plan.updated
    ))


def _write_appraisals(planned: _Planned, org: OrgRef) -> None:
    plan, members, ids = planned.plan, planned.parents, planned.ids
    _insert(MemberAppraisal, (
        {"member_id": members[row.number], "year": row.year, "result": row.result, "note": row.note}
        for _, row in plan.new
    ))
    _update(MemberAppraisal, (
        {"_id": ids[(old.number, old.year)], "result": new.result, "note": new.note}
        for _, old, new, _changed in plan.updated
    ))


def _own_events(org: OrgRef) -> dict:
    """event_key -> id of the events the importer's organization holds."""
    t = TrainingEvent
    if org.kind == "committee":
        holder = and_(t.committee_id == org.committee_id, t.general_branch_id.is_(None))
    elif org.kind == "general_branch":
        holder = and_(t.general_branch_id == org.general_branch_id, t.branch_id.is_(None))
    else:
        holder = t.branch_id == org.branch_id
    stmt = select(t.id, t.held_on, t.topic, t.hours, t.online, t.organizer).where(holder)
    return {event_key(TrainingRow("", None, d, topic, float(h), bool(o), org_name)): eid
            for eid, d, topic, h, o, org_name in db.session.execute(stmt)}


def _write_trainings(planned: _Planned, org: OrgRef) -> None:
    """Credit each new row: to the importer's own event with the same date, topic, hours, mode and
    organizer, or to a new event it holds."""
    members, events = planned.parents, _own_events(org)
    wanted = {}
    for _, row in planned.plan.new:
        wanted.setdefault(event_key(row), row)
    missing = [(key, row) for key, row in wanted.items() if key not in events]
    for key, row in missing:
        event = TrainingEvent(
            committee_id=org.committee_id,
            general_branch_id=org.general_branch_id if org.kind in ("general_branch", "branch") else None,
            branch_id=org.branch_id if org.kind == "branch" else None, held_on=row.held_on, hours=row.hours,
            online=bool(row.online), topic=row.topic, organizer=row.organizer)
        db.session.add(event)
        db.session.flush()
        events[key] = event.id
    _insert(TrainingAttendance, (
        # the importer's members are its committee's (the credit carries the member's committee)
        {"event_id": events[event_key(row)], "member_id": members[row.number], "committee_id": org.committee_id}
        for _, row in planned.plan.new
    ))


def _write_attendance(planned: _Planned, org: OrgRef) -> None:
    """New rows add a member to a meeting's attendance; changed rows mark presence and reason."""
    parents, ids = planned.parents, planned.ids

    def meeting_id(row):
        return parents["meetings"][(parents["branch_of"][row.number], row.held_on, match_key(row.title))][0]

    _insert(MeetingAttendance, (
        {"meeting_id": meeting_id(row), "member_id": parents["members"][row.number], "present": bool(row.present),
         "absence_reason": row.absence_reason} for _, row in planned.plan.new
    ))
    _update(MeetingAttendance, (
        {"_id": ids[(old.number, old.held_on, old.title)], "present": bool(new.present),
         "absence_reason": new.absence_reason} for _, old, new, _changed in planned.plan.updated
    ))


WRITERS = {"members": _write_members, "branches": _write_branches, "appraisals": _write_appraisals,
           "trainings": _write_trainings, "attendance": _write_attendance}


def _chunks(values, size=WRITE_CHUNK):
    chunk = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(model, values) -> None:
    """Core executemany INSERTs in chunks (lean on memory; same transaction as the session)."""
    for chunk in _chunks(values):
        db.session.execute(model.__table__.insert(), chunk)


def _update(model, values) -> None:
    """Core executemany UPDATE ... SET <the dicts' other keys> WHERE id = :_id, in chunks."""
    table = model.__table__
    stmt = table.update().where(table.c.id == bindparam("_id"))
    for chunk in _chunks(values):
        db.session.execute(stmt, with_number_key(with_name_key(chunk)))


def _status_label(status: str) -> str:
    from app.models.imports import IMPORT_STATUSES

    return str(IMPORT_STATUSES.get(status, status))


# ---------------------------------------------------------------- export


def export_bytes(org: OrgRef, kind: str) -> bytes:
    """The roster in scope as an xlsx in the template's layout (round-trips unchanged)."""
    if kind == "appraisals":
        return export_appraisals(row for _id, row in _appraisal_rows(org))
    if kind == "trainings":
        return export_trainings(row for _id, row in _training_rows(org))
    if kind == "attendance":
        return export_attendance(row for _id, row in _attendance_rows(org))
    if kind == "members":
        return export_members(row for _id, row in _member_rows(org))
    return export_branches(row for _id, row in _branch_rows(org))


def error_message(error, lang: str) -> str:
    """The message of a RowError (or its stored dict) in the given language."""
    if isinstance(error, dict):
        return error.get("message_en" if lang == "en" else "message_zh") or ""
    return error.message(lang)
