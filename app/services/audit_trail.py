"""Reading the audit trail: a record's changes, in words (labels, names), never raw values.

The rows are read through the session, so the rule table scopes them (rules.py: AuditLog) and
the records they name are shown only where the reader may read them.
"""
from __future__ import annotations

import functools
import json

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import AuditLog, label
from app.models.labels import COLUMN_LABELS, MODEL_LABELS

PANEL_ROWS = 50


@functools.lru_cache(maxsize=None)
def _models_by_table() -> dict:
    return {m.__tablename__: m for m in db.Model.registry._class_registry.values()
            if getattr(m, "__tablename__", "").startswith("zb_")}


def model_of(table_name: str):
    return _models_by_table().get(table_name)


def noun(table_name: str) -> str:
    """What a record of the table is called (党员, 党支部, ...)."""
    model = model_of(table_name)
    return str(MODEL_LABELS.get(model.__name__, "")) if model is not None else ""


def field_label(key: str) -> str:
    return str(COLUMN_LABELS.get(key, COLUMN_LABELS.get(key.removesuffix("_id"), key)))


@functools.lru_cache(maxsize=None)
def _targets(model) -> dict:
    """Foreign key attribute -> the model it names; many-to-many key -> its model."""
    out = {}
    for rel in inspect(model).relationships:
        if rel.secondary is not None:
            out[rel.key] = rel.mapper.class_
        elif rel.direction.name == "MANYTOONE":
            for col in rel.local_columns:
                out[col.key] = rel.mapper.class_
    return out


def _name(target, pk) -> str | None:
    """The name of a related record the reader may read (scoped), else None."""
    if pk is None or not isinstance(pk, int):
        return None
    if target.__tablename__ == "ab_user":
        return None
    row = db.session.get(target, pk)
    return str(row) if row is not None else None


def value_text(model, key, value) -> str:
    """One value in words: a choice's label, 是/否, a related record's name, a date as written."""
    if value is None or value == "" or value == []:
        return "—"
    column = inspect(model).columns.get(key) if model is not None else None
    target = _targets(model).get(key) if model is not None else None
    if isinstance(value, list):
        names = [_name(target, v) for v in value] if target is not None else [str(v) for v in value]
        return "、".join(n for n in names if n) or "—"
    if target is not None:
        if target.__tablename__ == "ab_user":
            return _("用户 #%(id)s", id=value)
        return _name(target, value) or _("（无权查看的记录）")
    if column is not None and "choices" in column.info:
        return label(column.info["choices"], value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return value[:19].replace("T", " ")
    return str(value)


def change_lines(row: AuditLog) -> list:
    """[(field label, old text, new text)] of one audit row."""
    model = model_of(row.table_name)
    try:
        changes = json.loads(row.changes or "{}")
    except ValueError:
        changes = {}
    return [(field_label(key), value_text(model, key, old), value_text(model, key, new))
            for key, (old, new) in sorted(changes.items())]


def changes_html(row: AuditLog) -> Markup:
    """The changes of a row for a page: 「字段」 old → new, one per line."""
    lines = change_lines(row)
    if not lines:
        return Markup("—")
    return Markup("<br>").join(
        Markup("<b>{}</b>：{} → {}").format(escape(f), escape(old), escape(new)) for f, old, new in lines)


def record_trail(model, pk, limit: int = PANEL_ROWS) -> list:
    """The newest changes of one record that the reader may read (the rule table scopes them).

    pk may come from the URL as text: PostgreSQL compares an integer column with an integer only."""
    return db.session.scalars(select(AuditLog).where(
        AuditLog.table_name == model.__tablename__, AuditLog.record_id == int(pk))
        .order_by(AuditLog.id.desc()).limit(limit)).all()


def last_change(model, pk) -> AuditLog | None:
    """The newest change of a record (who changed it last, and when)."""
    rows = record_trail(model, pk, limit=1)
    return rows[0] if rows else None
