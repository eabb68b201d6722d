"""The audit trail, written by the write guard (guard.py) at the single point every write passes.

Every create, update and delete of an audited domain record (rules.py: every ruled zb_* model
but rules.AUDIT_EXCLUDED) becomes one zb_audit_log row in the same transaction: who (the user
or the system actor's name), when, from which address, which record (table, id, its name), each
changed field's old and new value (JSON), and the org columns of the record so the rule table
scopes the trail like the records. Rows are inserted with one executemany per model and flush
(or bulk statement), never one statement per row.

A reason that belongs to a change (an override's, a reopening's) is attached with
`with audit_reason(reason): commit()`.
"""
from __future__ import annotations

import functools
import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request
from sqlalchemy import Column, LargeBinary, inspect, literal, select

from app.extensions import db
from app.models import Assessment, AssessmentRound, AuditLog, Branch, GeneralBranch, HealthMark, Member, Secretary
from app.models.labels import MODEL_LABELS
from app.security import rules

REASON = "zhibu_audit_reason"
BEFORE = "zhibu_audit_before"
CHUNK = 500
_BR, _GB = Branch.__table__, GeneralBranch.__table__


def audited(model) -> bool:
    """The record's changes are written to the trail."""
    return model in rules.RULES and model not in rules.AUDIT_EXCLUDED


def silent(actor) -> bool:
    """Writes of this actor leave no trail (rules.AUDIT_SILENT_ACTORS: the anonymous vote)."""
    return actor is not None and actor.kind == "system" and actor.name in rules.AUDIT_SILENT_ACTORS


@contextmanager
def audit_reason(reason: str):
    """Attach a reason to the changes flushed inside the block (an override, a reopening)."""
    session = db.session()
    session.info[REASON] = reason
    try:
        yield
    finally:
        session.info.pop(REASON, None)


@functools.lru_cache(maxsize=None)
def columns(model) -> tuple:
    """(attribute key, column) of the row's own columns worth showing: no id, version, blob or
    derived column (a name's pinyin sort key)."""
    mapper, table = inspect(model), model.__table__
    version = mapper.version_id_col
    out = []
    for attr in mapper.column_attrs:
        col = attr.columns[0]
        if not isinstance(col, Column) or col.table is not table or col.primary_key or col is version:
            continue
        if isinstance(col.type, LargeBinary) or col.info.get("computed"):   # blobs; sort keys kept by the models
            continue
        out.append((attr.key, col))
    return tuple(out)


def _m2m(model) -> tuple:
    return tuple(rel for rel in inspect(model).relationships if rel.secondary is not None and not rel.viewonly)


def jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows_of(connection, model, ids, within=None) -> dict:
    """id -> {key: value} of the rows as they are in the database now (this transaction).

    `within`: an SQL condition holding for every id (one round's rows): read in one statement."""
    pk = inspect(model).primary_key[0]
    cols = columns(model)
    out = {}
    if within is not None:
        wanted = ids if isinstance(ids, (set, frozenset)) else set(ids)
        for row in connection.execute(select(pk, *(c for _k, c in cols)).where(within)).all():
            if row[0] in wanted:
                out[row[0]] = {key: value for (key, _c), value in zip(cols, row[1:])}
        return out
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for row in connection.execute(select(pk, *(c for _k, c in cols)).where(pk.in_(chunk))):
            out[row[0]] = {key: value for (key, _c), value in zip(cols, row[1:])}
    return out


def _chunked(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def orgs_of(connection, model, ids, actor, within=None) -> dict:
    """id -> (committee_id, general_branch_id, branch_id) of where each row hangs.

    `within`: an SQL condition holding for every id: the rows are read in one statement."""
    exprs = rules.AUDIT_ORG.get(model, (None, None, None))
    own = (getattr(actor, "committee_id", None), None, None)
    if all(e is None for e in exprs):
        return {i: own for i in ids}
    pk = inspect(model).primary_key[0]
    found = {}
    stmt = select(pk, *((literal(None) if e is None else e).label(f"o{n}") for n, e in enumerate(exprs)))
    if within is not None:
        wanted = ids if isinstance(ids, (set, frozenset)) else set(ids)
        for row in connection.execute(stmt.where(within)).all():
            if row[0] in wanted:
                found[row[0]] = list(row[1:])
    else:
        for chunk in _chunked(ids):
            for row in connection.execute(stmt.where(pk.in_(chunk))):
                found[row[0]] = list(row[1:])
    branches = {o[2] for o in found.values() if o[2] is not None and o[1] is None}
    if branches:
        up = {}
        for chunk in _chunked(branches):
            up.update({b: (gb, c) for b, gb, c in connection.execute(
                select(_BR.c.id, _BR.c.general_branch_id, _GB.c.committee_id)
                .join(_GB, _BR.c.general_branch_id == _GB.c.id).where(_BR.c.id.in_(chunk)))})
        for o in found.values():
            if o[2] in up and o[1] is None:
                o[1], o[0] = up[o[2]][0], o[0] or up[o[2]][1]
    gbs = {o[1] for o in found.values() if o[1] is not None and o[0] is None}
    if gbs:
        up = {}
        for chunk in _chunked(gbs):
            up.update({g: c for g, c in connection.execute(
                select(_GB.c.id, _GB.c.committee_id).where(_GB.c.id.in_(chunk)))})
        for o in found.values():
            if o[0] is None:
                o[0] = up.get(o[1])
    return {i: tuple(found.get(i, own)) for i in ids}


def _highlight(model, changes) -> str | None:
    if model is Assessment:
        if "override_grade" in changes or "override_reason" in changes:
            return "override"
        if "confirmed_at" in changes:
            return "confirm"
    if model is AssessmentRound and changes.get("status") == ["closed", "open"]:
        return "reopen"
    return None


def _label(model, pk, text, noun=None) -> str:
    text = (text or "").strip()
    if not text or "None" in text:
        text = f"{noun or MODEL_LABELS.get(model.__name__, model.__name__)} #{pk}"
    return text[:200]


def _str(obj) -> str:
    try:
        return str(obj)
    except Exception:  # a label that needs a row the actor cannot load: the noun and id instead
        return ""


def bulk_label(model, values: dict) -> str:
    """A readable name from a row's values (bulk statements have no object to ask): a transient
    object holding them, made without the constructor's per-attribute events."""
    try:
        obj = inspect(model).class_manager.new_instance()
        obj.__dict__.update({k: v for k, v in values.items() if v is not None})
        return str(obj)
    except Exception:
        return ""


def diff(action, old, new) -> dict:
    """{field: [old, new]}: every set value of a new or deleted row, the changed ones of an update."""
    if action == "create":
        return {k: [None, jsonable(v)] for k, v in new.items() if v is not None and v != []}
    if action == "delete":
        return {k: [jsonable(v), None] for k, v in old.items() if v is not None and v != []}
    return {k: [jsonable(old.get(k)), jsonable(v)] for k, v in new.items() if k in old and old.get(k) != v}


class Trail:
    """The audit rows of one flush or bulk statement, inserted with one executemany."""

    def __init__(self, session, actor):
        self.session, self.actor, self.rows = session, actor, []
        self.at = datetime.utcnow()
        self.address = request.remote_addr if has_request_context() else None
        self.reason = session.info.get(REASON)
        self.nouns = {}

    def add(self, model, action, pk, changes, label, org):
        if not changes:
            return
        if model not in self.nouns:   # translated once per trail, not once per row
            self.nouns[model] = str(MODEL_LABELS.get(model.__name__, model.__name__))
        self.rows.append({
            "at": self.at, "user_id": getattr(self.actor, "user_id", None),
            "actor": (getattr(self.actor, "name", "") or "")[:100], "address": self.address,
            "action": action, "table_name": model.__tablename__, "record_id": pk, "label": _label(model, pk, label, self.nouns[model]),
            "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True), "reason": self.reason,
            "highlight": _highlight(model, changes),
            "committee_id": org[0], "general_branch_id": org[1], "branch_id": org[2],
        })

    def write(self, connection):
        if self.rows:
            connection.execute(AuditLog.__table__.insert(), self.rows)
            marks = health_marks(connection, self.rows)
            if marks:
                connection.execute(HealthMark.__table__.insert(), marks)
            self.rows = []


_IGNORED_TABLES = None
_ATTENDANCE = "zb_training_attendance"
_LINKED = frozenset({"zb_contact_cadre", "zb_gb_committee_member"})   # their "branches" links
_MOVING = ('"branch_id"', '"general_branch_id"', '"branches"', '"member_id"')


def health_marks(connection, rows) -> list:
    """The health marks of trail rows: one per place a health fact may have moved; none where the
    record hangs in no committee or no health rule reads it (rules.HEALTH_IGNORED).

    A record counts where it hangs now and also where it hung: an update that moved it (any
    record's branch, a general-branch record's general branch: a meeting moved to another branch
    takes its month from the one it left) marks the old place too; a cadre's or 党总支委员's links
    mark the branches linked or unlinked (a cadre of one general branch may contact a branch of
    another); a training credit marks its member's branch and every branch whose secretary that
    member is (H4 reads the secretary's branch, which need not be the member's), the member it
    was moved from too."""
    global _IGNORED_TABLES
    if _IGNORED_TABLES is None:
        _IGNORED_TABLES = frozenset(m.__tablename__ for m in rules.HEALTH_IGNORED)
    marks, credited = {}, {}

    def mark(r, general_branch_id, branch_id):
        key = (r["committee_id"], general_branch_id, branch_id, r["table_name"], r["record_id"], r["action"])
        marks[key] = {"committee_id": key[0], "general_branch_id": key[1], "branch_id": key[2],
                      "table_name": key[3], "record_id": key[4], "action": key[5]}

    for r in rows:
        if r["committee_id"] is None or r["table_name"] in _IGNORED_TABLES:
            continue
        mark(r, r["general_branch_id"], r["branch_id"])
        if not any(name in r["changes"] for name in _MOVING):
            continue
        changes = json.loads(r["changes"])
        if r["action"] == "update" and "branch_id" in changes:
            for branch_id in changes["branch_id"]:
                if branch_id is not None and branch_id != r["branch_id"]:
                    mark(r, None, branch_id)
        if r["action"] == "update" and r["branch_id"] is None and "general_branch_id" in changes:
            for gb_id in changes["general_branch_id"]:
                if gb_id is not None and gb_id != r["general_branch_id"]:
                    mark(r, gb_id, None)
        if r["table_name"] in _LINKED and "branches" in changes:
            old, new = (set(side or ()) for side in changes["branches"])
            for branch_id in sorted(old ^ new):
                mark(r, None, branch_id)
        if r["table_name"] == _ATTENDANCE:
            for member_id in changes.get("member_id") or ():
                if member_id is not None:
                    credited.setdefault(member_id, []).append(r)
    if credited:
        found = []
        for chunk in _chunked(sorted(credited)):
            found += connection.execute(select(Member.id, Member.branch_id).where(Member.id.in_(chunk))).all()
            found += connection.execute(select(Secretary.member_id, Secretary.branch_id)
                                        .where(Secretary.member_id.in_(chunk))).all()
        for member_id, branch_id in found:
            for r in credited[member_id]:
                if branch_id != r["branch_id"]:
                    mark(r, None, branch_id)
    return list(marks.values())


# -- the unit of work (guard.py's flush hooks) ---------------------------------------------

def _pk(obj):
    return inspect(type(obj)).primary_key_from_instance(obj)[0]


def before_flush(session, actor):
    """Keep the old rows of what this flush changes or deletes, and where deleted rows hang."""
    by_model = {}
    if silent(actor):
        session.info[BEFORE] = {}
        return
    for obj in list(session.dirty) + list(session.deleted):
        model = type(obj)
        if audited(model) and inspect(obj).has_identity:
            by_model.setdefault(model, set()).add(inspect(obj).identity[0])
    if not by_model:
        session.info[BEFORE] = {}
        return
    connection = session.connection()
    deleted = {}
    for obj in session.deleted:
        if audited(type(obj)) and inspect(obj).has_identity:
            deleted.setdefault(type(obj), set()).add(inspect(obj).identity[0])
    session.info[BEFORE] = {
        model: (rows_of(connection, model, ids), orgs_of(connection, model, deleted.get(model, ()), actor))
        for model, ids in by_model.items()
    }


def _m2m_values(obj, rel, side):
    history = inspect(obj).attrs[rel.key].history
    kept = list(history.unchanged or ())
    items = kept + list(history.deleted or ()) if side == "old" else kept + list(history.added or ())
    return sorted(_pk(i) for i in items if _pk(i) is not None)   # ids: shown by name to those who may read them


def _object_values(obj) -> dict:
    state = inspect(obj)
    return {key: state.dict[key] for key, _c in columns(type(obj)) if key in state.dict}


def _old_from_history(obj) -> dict:
    out = {}
    for key, _c in columns(type(obj)):
        history = inspect(obj).attrs[key].history
        if history.deleted:
            out[key] = history.deleted[0]
        elif history.added:
            out[key] = None
    return out


def after_flush(session, actor):
    """One audit row per created, changed or deleted record of this flush."""
    before = session.info.pop(BEFORE, {})
    if silent(actor):
        return
    trail = Trail(session, actor)
    todo = {}   # model -> [(action, obj, pk)]
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            model = type(obj)
            if not audited(model) or (action == "update" and (obj in session.deleted or obj in session.new)):
                continue
            todo.setdefault(model, []).append((action, obj, _pk(obj)))
    if not todo:
        return
    connection = session.connection()
    for model, items in todo.items():
        old_rows, deleted_orgs = before.get(model, ({}, {}))
        live = [pk for action, _o, pk in items if action != "delete"]
        orgs = {**orgs_of(connection, model, live, actor), **deleted_orgs}
        for action, obj, pk in items:
            new = _object_values(obj) if action != "delete" else {}
            old = old_rows.get(pk) if action != "create" else {}
            if old is None:
                old = _old_from_history(obj) if action == "update" else _object_values(obj)
            for rel in _m2m(model):
                if action != "create":
                    old[rel.key] = _m2m_values(obj, rel, "old")
                if action != "delete":
                    new[rel.key] = _m2m_values(obj, rel, "new")
            org = orgs.get(pk) or (None, None, None)
            trail.add(model, action, pk, diff(action, old, new), _str(obj), org)
    trail.write(connection)


# -- bulk statements (guard.py's _guard_bulk) ----------------------------------------------

def bulk_before(connection, model, verb, ids, actor, within=None):
    """The old rows (and, for a delete, where they hang) before a bulk UPDATE or DELETE."""
    if not audited(model) or verb == "create" or silent(actor):
        return None
    orgs = orgs_of(connection, model, ids, actor, within) if verb == "delete" else {}
    return rows_of(connection, model, ids, within), orgs


def bulk_after(session, connection, model, verb, ids, before, actor, within=None):
    """The audit rows of a bulk statement: one per row it really changed."""
    if not audited(model) or silent(actor):
        return
    trail = Trail(session, actor)
    old_rows, orgs = before if before is not None else ({}, {})
    action = {"create": "create", "write": "update", "delete": "delete"}[verb]
    new_rows = rows_of(connection, model, ids, within) if verb != "delete" else {}
    changed = []
    for pk in sorted(ids):
        old, new = old_rows.get(pk, {}), new_rows.get(pk, {})
        changes = diff(action, old, new)
        if changes:
            changed.append((pk, changes, old, new))
    if verb != "delete" and changed:   # where the changed rows hang (unchanged ones leave no row)
        orgs = orgs_of(connection, model, [c[0] for c in changed], actor,
                       within if len(changed) > 4 * CHUNK else None)
    for pk, changes, old, new in changed:
        trail.add(model, action, pk, changes, bulk_label(model, new or old), orgs.get(pk, (None,) * 3))
    trail.write(connection)
