"""The record rules, enforced below every path (rules.py says what; this module makes it hold).

- Reads: every ORM query of a ruled model run for an actor gets the actor's read condition
  (`with_loader_criteria`, so relationship loads and nested REST columns are scoped too).
  `unscoped(stmt)` is the explicit, greppable opt-out.
- Writes: a `before_flush` listener checks every new, changed and deleted object against the
  table (role may create/change/delete, fields it may change, frozen fields) and the old row
  against the write condition; an `after_flush` listener checks the new rows, and the rows
  they point at, with SQL inside the same transaction. Bulk INSERT/UPDATE/DELETE statements
  sent through the session get the same checks on the rows they touch.
A refusal is RuleViolation (rights: 403), ScopeRefused (a row pointing outside the scope: 400) or
StateRefused (a closed round: 400); the web shows the sentence, the CLI prints it and exits 1.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from contextvars import ContextVar

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import event, inspect, literal, not_, select
from sqlalchemy.orm import RelationshipDirection, with_loader_criteria
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, TextClause

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import AssessmentRound, AuditLog
from app.models.labels import COLUMN_LABELS, MODEL_LABELS
from app.security import audit, rules
from app.security.scope import UNSCOPED, current_org

PENDING = "zhibu_guard_pending"
# Execution option of a bulk UPDATE by id: an SQL condition every row it writes satisfies (one
# round's rows); the guard checks the rules once for that set instead of once per 500 ids.
WITHIN = "zhibu_within"


class RuleViolation(Refused):
    """A write the record rules refuse; the message says what and why (HTTP 403)."""


class StateRefused(DomainError):
    """A write to something a closed round has made final (HTTP 400)."""


def _noun(model) -> str:
    return str(MODEL_LABELS.get(model.__name__, model.__name__))


def _field(name: str) -> str:
    return str(COLUMN_LABELS.get(name.removesuffix("_id"), name))


# -- reads --------------------------------------------------------------------------------

RULED = frozenset(rules.ruled_models())
_resolving: ContextVar[bool] = ContextVar("zhibu_resolving_actor", default=False)


def _actor():
    """The current actor; queries made while finding it (the user's row) are not scoped."""
    token = _resolving.set(True)
    try:
        return current_org()
    finally:
        _resolving.reset(token)


@functools.lru_cache(maxsize=256)
def _reachable(models: tuple) -> frozenset:
    """The ruled models a statement on these entities can load: themselves and their relations."""
    found = set()
    for model in models:
        found.add(model)
        found.update(rel.mapper.class_ for rel in inspect(model).relationships)
    return frozenset(found) & RULED


def _read_options(actor):
    """with_loader_criteria for every ruled model, built once per actor and request."""
    cache = g.setdefault("_zhibu_read_options", {}) if has_request_context() else {}
    if actor not in cache:
        cache[actor] = [with_loader_criteria(model, rules.condition(model, actor, "read"))
                        for model in rules.ruled_models()]
    return cache[actor]


def _scope_reads(state):
    if not (state.is_select or state.is_relationship_load or state.is_column_load):
        return
    if state.execution_options.get(UNSCOPED) or state.statement.get_execution_options().get(UNSCOPED):
        return
    if _resolving.get():
        return  # loading the user who is the actor (flask-login): no ruled model is read
    mappers = [m.class_ for m in state.all_mappers]
    if mappers and not any(m in RULED for m in mappers):
        return  # FAB's users and roles; a count over a subquery names no mapper and is scoped
    actor = _actor()
    if actor is None and not has_request_context():
        return  # an operator's console or script outside any request, with no actor: unscoped
    if actor is not None and actor.kind in ("all", "system"):
        return
    options = _read_options(actor)
    if mappers:  # the statement's own entities (and what they eager-load); else every model
        wanted = _reachable(tuple(mappers))
        options = [o for o, model in zip(options, rules.ruled_models()) if model in wanted]
    state.statement = state.statement.options(*options)


def read_scoped(stmt):
    """stmt with the actor's read rules as options, for SQL built here but sent as text (EXPLAIN)."""
    actor = _actor()
    if actor is None and not has_request_context():
        return stmt
    if actor is not None and actor.kind in ("all", "system"):
        return stmt
    return stmt.options(*_read_options(actor))


# -- helpers ------------------------------------------------------------------------------

def _pk(obj):
    return inspect(type(obj)).primary_key_from_instance(obj)[0]


def _changed_fields(obj) -> set:
    """Column keys (FK columns for many-to-one relationships) whose value changes in this flush."""
    state, mapper = inspect(obj), inspect(type(obj))
    changed = set()
    for attr in mapper.column_attrs:
        if state.attrs[attr.key].history.has_changes():
            changed.add(attr.key)
    for rel in mapper.relationships:
        if rel.direction is RelationshipDirection.ONETOMANY or rel.viewonly:
            continue
        if state.attrs[rel.key].history.has_changes():
            if rel.direction is RelationshipDirection.MANYTOONE:
                changed.update(c.key for c in rel.local_columns)
            else:
                changed.add(rel.key)
    return changed


def _ids_matching(connection, model, ids, cond) -> set:
    pk = inspect(model).primary_key[0]
    found = set()
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(connection.execute(select(pk).where(pk.in_(chunk), cond)).scalars())
    return found


def _refuse_missing(connection, model, ids, cond, message, error=None):
    ids = {i for i in ids if i is not None}
    if ids and _ids_matching(connection, model, ids, cond) != ids:
        raise (error or RuleViolation)(message)


def _outside(model) -> str:
    return _("这条「%(what)s」不在您的管理范围内，或您的角色不能这样修改它。", what=_noun(model))


def _closed(model) -> str:
    return _("考评批次已结束：其「%(what)s」不能再修改。", what=_noun(model))


def _state_cond(model):
    make = rules.STATE.get(model)
    return make() if make else None


def row_allows(model, pk, verb: str = "write") -> bool:
    """Whether the current actor may `verb` this row now, as the guard would judge the old row:
    its role has the verb with fields to change, the row meets the role's condition and no
    closed round has made it final. What a page asks before offering a button; the guard still
    decides on save."""
    actor = _actor()
    if actor is None or pk is None or model in rules.UNRULED or model not in rules.RULES:
        return False
    if actor.kind != "system" and not rules.may(model, actor, verb):
        return False
    fields = rules.writable_fields(model, actor) if verb == "write" else None
    if fields is not None and not fields:
        return False
    cond = [rules.condition(model, actor, verb)] if actor.kind not in ("all", "system") else []
    state = _state_cond(model)
    if state is not None:
        cond.append(state)
    if model is AssessmentRound and actor.kind not in rules.REOPEN_ROLES:
        cond.append(AssessmentRound.status != "closed")
    key = inspect(model).primary_key[0]
    return db.session.execute(select(key).where(key == pk, *cond)).first() is not None


# -- the unit of work ---------------------------------------------------------------------

def _check_trail(actor, verb):
    """The audit trail is written by the guard alone: no session path adds, changes or deletes
    a row of it, the operator's neither; only the system (a restore: any change) may."""
    system = actor is not None and actor.kind == "system"
    if system and (verb == "create" or actor.name == rules.AUDIT_RESTORER):
        return
    raise RuleViolation(_("审计日志只能查看，不能新建、修改或删除。"))


def _check_allowed(model, actor, verb):
    if model in rules.UNRULED or not rules.is_domain_model(model):
        return False
    if model is AuditLog:
        _check_trail(actor, verb)
    if model not in rules.RULES:
        raise RuleViolation(_("「%(what)s」不在记录规则表中，不能写入。", what=_noun(model)))
    if actor is None:
        raise RuleViolation(_("没有操作者：请登录，或在命令行用 --as 指定用户。"))
    if actor.kind != "system" and not rules.may(model, actor, verb):
        verbs = {"create": _("新建"), "write": _("修改"), "delete": _("删除")}
        raise RuleViolation(_("您的角色不能%(verb)s「%(what)s」。", verb=verbs[verb], what=_noun(model)))
    return True


def _check_maintained(model, changed):
    maintained = changed & rules.MAINTAINED.get(model, frozenset())
    if maintained:
        raise RuleViolation(_("「%(field)s」由系统根据党员名册自动统计，不能填写或修改。",
                              field=_field(sorted(maintained)[0])))


def _check_fields(model, actor, changed):
    _check_maintained(model, changed)
    frozen = changed & rules.FROZEN.get(model, frozenset())
    if frozen and actor.kind != "system":
        raise RuleViolation(_("「%(field)s」在创建后不能修改。", field=_field(sorted(frozen)[0])))
    allowed = rules.writable_fields(model, actor) if actor.kind != "system" else None
    if allowed is not None and changed - allowed:
        raise RuleViolation(_("您的角色不能修改「%(field)s」。", field=_field(sorted(changed - allowed)[0])))


def _round_change(session, obj, actor, changed):
    """A closed round only reopens, by the committee or the operator."""
    table = AssessmentRound.__table__
    old_status = session.connection().execute(
        select(table.c.status).where(table.c.id == inspect(obj).identity[0])).scalar()
    if old_status != "closed":
        return
    if changed <= rules.REOPEN_FIELDS and obj.status == "open" and actor.kind in rules.REOPEN_ROLES:
        return
    raise StateRefused(_("考评批次「%(name)s」已结束，不能再修改；只有党委可以重新开启。", name=obj.name))


def _before_flush(session, _context, _instances):
    actor = current_org()
    pending = defaultdict(lambda: {"create": set(), "write": set(), "targets": []})
    old = defaultdict(lambda: defaultdict(set))  # model -> verb -> ids (old rows)
    for obj in list(session.new):
        model = type(obj)
        if _check_allowed(model, actor, "create"):
            changed = _changed_fields(obj)
            _check_maintained(model, changed)
            pending[model]["create"].add(obj)
            pending[model]["targets"].append((obj, changed))
    for obj in list(session.dirty):
        model = type(obj)
        if obj in session.deleted or not session.is_modified(obj):
            continue
        changed = _changed_fields(obj) - rules.COMPUTED.get(model, frozenset())
        if not changed:
            continue
        if not _check_allowed(model, actor, "write"):
            continue
        _check_fields(model, actor, changed)
        if model is AssessmentRound:
            _round_change(session, obj, actor, changed)
        pending[model]["write"].add(obj)
        pending[model]["targets"].append((obj, changed))
        old[model]["write"].add(inspect(obj).identity[0])
    for obj in list(session.deleted):
        model = type(obj)
        if _check_allowed(model, actor, "delete"):
            if model is AssessmentRound and obj.status == "closed" and actor.kind != "system":
                raise StateRefused(_("考评批次「%(name)s」已结束，不能删除。", name=obj.name))
            old[model]["delete"].add(inspect(obj).identity[0])
    if old:
        connection = session.connection()
        for model, by_verb in old.items():
            for verb, ids in by_verb.items():
                state = _state_cond(model)
                if state is not None:
                    _refuse_missing(connection, model, ids, state, _closed(model), StateRefused)
                if actor.kind != "system":
                    _refuse_missing(connection, model, ids, rules.condition(model, actor, verb), _outside(model))
    session.info[PENDING] = (actor, dict(pending))
    audit.before_flush(session, actor)


def _after_flush(session, _context):
    actor, pending = session.info.pop(PENDING, (None, {}))
    if pending:
        _check_new_rows(session, actor, pending)
    audit.after_flush(session, actor)


def _check_new_rows(session, actor, pending):
    connection = session.connection()
    for model, todo in pending.items():
        state = _state_cond(model)
        for verb in ("create", "write"):
            # identities are registered after this event; the primary key is already set
            ids = {_pk(o) for o in todo[verb]}
            if state is not None:
                _refuse_missing(connection, model, ids, state, _closed(model), StateRefused)
            if actor.kind != "system":
                _refuse_missing(connection, model, ids, rules.condition(model, actor, verb), _outside(model))
        if actor.kind not in ("system", "all"):
            _check_targets(connection, model, actor, todo["targets"])


def _check_targets(connection, model, actor, objs_changed):
    """Every row a new or changed row points at must be one the actor may read."""
    wanted = defaultdict(set)  # (target model, field) -> ids
    mapper = inspect(model)
    for obj, changed in objs_changed:
        for rel in mapper.relationships:
            target = rel.mapper.class_
            if rel.direction is RelationshipDirection.ONETOMANY or rel.viewonly or target not in rules.RULES:
                continue
            keys = {c.key for c in rel.local_columns} if rel.direction is RelationshipDirection.MANYTOONE \
                else {rel.key}
            if not keys & changed:
                continue
            value = getattr(obj, rel.key)
            for item in (value if rel.uselist else [value]) or []:
                if item is not None and _pk(item) is not None:
                    wanted[(target, rel.key)].add(_pk(item))
    for (target, key), ids in wanted.items():
        cond = rules.condition(target, actor, "read")
        if _ids_matching(connection, target, ids, cond) != ids:
            raise ScopeRefused(_("所选的「%(field)s」不在您的管理范围内。", field=_field(key)))


class ScopeRefused(DomainError):
    """A new or changed row points at a row outside the actor's scope (HTTP 400)."""


# -- bulk statements ----------------------------------------------------------------------

_TABLES = {}


def _model_of_table(table):
    if not _TABLES:
        _TABLES.update({m.__table__: m for m in db.Model.registry._class_registry.values()
                        if hasattr(m, "__table__")})
    return _TABLES.get(table)


def _bulk_ids(session, model, stmt, params):
    """The primary keys an UPDATE or DELETE touches: from executemany params or its WHERE."""
    pk = inspect(model).primary_key[0]
    if isinstance(params, list):
        if params and pk.key in params[0]:
            return {p[pk.key] for p in params}
        where = stmt.whereclause
        if isinstance(where, BinaryExpression) and isinstance(where.right, BindParameter) \
                and getattr(where.left, "key", None) == pk.key:
            return {p[where.right.key] for p in params}
        raise RuleViolation(_("批量写入须按主键进行。"))
    where = stmt.whereclause
    query = select(pk) if where is None else select(pk).where(where)
    return set(session.connection().execute(query, params or {}).scalars())


def _guard_bulk(state):
    stmt = state.statement
    model = _model_of_table(getattr(stmt, "table", None))
    if model is None:
        return None
    verb = "create" if state.is_insert else "delete" if state.is_delete else "write"
    actor = current_org()
    if not _check_allowed(model, actor, verb):
        return None
    params = state.parameters
    if isinstance(params, dict):
        params = [params] if state.is_insert else params
    if verb != "delete":
        _check_maintained(model, _written_keys(model, stmt, params))
    connection = state.session.connection()
    state_cond = _state_cond(model)
    if verb == "create":
        pk = inspect(model).primary_key[0]
        result = state.invoke_statement(statement=stmt.returning(pk))
        frozen = result.freeze()
        ids = {row[0] for row in frozen().all()}
        _post_check(connection, model, actor, verb, ids, state_cond)
        audit.bulk_after(state.session, connection, model, verb, ids, None, actor)
        return frozen()
    ids = _bulk_ids(state.session, model, stmt, params)
    within = _within(state)
    if within is not None and verb == "write":
        return _guard_within(state, model, actor, stmt, params, ids, within, state_cond)
    if verb == "write":
        keys = set(params[0]) if isinstance(params, list) and params else set()
        keys |= {getattr(c, "key", str(c)) for c in (stmt._values or {})}
        keys -= {inspect(model).primary_key[0].key, "_id"}
        changed = keys - rules.COMPUTED.get(model, frozenset())
        if changed and actor.kind != "system":
            _check_fields(model, actor, changed)
    if state_cond is not None:
        _refuse_missing(connection, model, ids, state_cond, _closed(model), StateRefused)
    if actor.kind != "system":
        _refuse_missing(connection, model, ids, rules.condition(model, actor, verb), _outside(model))
    before = audit.bulk_before(connection, model, verb, ids, actor)
    result = state.invoke_statement(statement=_bump_version(model, stmt) if verb == "write" else stmt)
    if verb == "write":
        _post_check(connection, model, actor, verb, ids, state_cond)
    audit.bulk_after(state.session, connection, model, verb, ids, before, actor)
    return result


def _written_keys(model, stmt, params) -> set:
    keys = set(params[0]) if isinstance(params, list) and params else set()
    keys |= {getattr(c, "key", str(c)) for c in (stmt._values or {})}
    return keys - {inspect(model).primary_key[0].key, "_id"}


def _every_row_holds(connection, within, cond) -> bool:
    """No row inside `within` fails `cond`: one statement for the whole set."""
    return connection.execute(select(literal(1)).where(within, not_(cond)).limit(1)).first() is None


def _check_within(connection, model, actor, within, state_cond):
    if state_cond is not None and not _every_row_holds(connection, within, state_cond):
        raise StateRefused(_closed(model))
    if actor.kind != "system" and not _every_row_holds(connection, within, rules.condition(model, actor, "write")):
        raise RuleViolation(_outside(model))


def _guard_within(state, model, actor, stmt, params, ids, within, state_cond):
    """An UPDATE by id whose rows all lie inside `within` (one round's assessments).

    The state rule and the actor's write condition are checked once for the whole set, before
    and after (two statements each, not one per 500 ids); the statement itself is limited to
    `within`, and an id outside it is refused; the audit trail is the same as any bulk write's."""
    connection = state.session.connection()
    changed = _written_keys(model, stmt, params) - rules.COMPUTED.get(model, frozenset())
    if changed and actor.kind != "system":
        _check_fields(model, actor, changed)
    _check_within(connection, model, actor, within, state_cond)
    # a few ids: their rows by id; many: the whole set in one statement each
    whole = within if len(ids) > 4 * audit.CHUNK else None
    before = audit.bulk_before(connection, model, "write", ids, actor, whole)
    inside = set(before[0]) if before is not None and whole is not None \
        else _ids_matching(connection, model, ids, within)
    if ids - inside:
        raise RuleViolation(_outside(model))
    result = state.invoke_statement(statement=_bump_version(model, stmt.where(within)))
    _check_within(connection, model, actor, within, state_cond)
    audit.bulk_after(state.session, connection, model, "write", ids, before, actor, whole)
    return result


def _within(state):
    return state.execution_options.get(WITHIN, state.statement.get_execution_options().get(WITHIN))


def _bump_version(model, stmt):
    """A bulk UPDATE moves the version counter too, so a form read before it is stale after it."""
    version = inspect(model).version_id_col
    if version is None or any(getattr(c, "key", c) == version.key for c in (stmt._values or {})):
        return stmt
    return stmt.values({version.key: version + 1})


def _post_check(connection, model, actor, verb, ids, state_cond):
    if state_cond is not None:
        _refuse_missing(connection, model, ids, state_cond, _closed(model), StateRefused)
    if actor.kind != "system":
        _refuse_missing(connection, model, ids, rules.condition(model, actor, verb), _outside(model))


_WRITE_WORDS = ("insert", "update", "delete", "replace", "merge", "truncate", "drop", "alter", "create")


def _refuse_raw_writes(state):
    """SQL text cannot be checked against the table: only the system actor may send it."""
    if isinstance(state.statement, TextClause):
        words = state.statement.text.lstrip().split(None, 1)
        actor = current_org()
        if words and words[0].lower() in _WRITE_WORDS and (actor is None or actor.kind != "system"):
            raise RuleViolation(_("写入须经过记录规则：原始 SQL 写入只允许系统操作。"))
        if words and words[0].lower() in _WRITE_WORDS and AuditLog.__tablename__ in state.statement.text.lower() \
                and actor.name != rules.AUDIT_RESTORER:
            _check_trail(actor, "write")


def _do_orm_execute(state):
    if state.is_insert or state.is_update or state.is_delete:
        return _guard_bulk(state)
    _refuse_raw_writes(state)
    _scope_reads(state)
    return None


def install(session_class) -> None:
    """Attach the guard to the application's session class (once per process)."""
    for name, fn in (("before_flush", _before_flush), ("after_flush", _after_flush),
                     ("do_orm_execute", _do_orm_execute)):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
