"""Values every write must respect, on every path (forms, REST, bulk edit, CLI, services).

The roster import refuses unknown codes and implausible dates and strips invisible
characters (app/imports/values.py); a before_flush listener applies the same rules to every
object of ours that is flushed, so no other path can store what the import would refuse.
The checks are pure functions; the listener only finds the changed columns.
"""
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Date, DateTime, Integer, String, Text, event, inspect

from app.errors import InvalidValue
from app.imports.values import MAX_DATE, MIN_DATE, clean_note, clean_text
from app.models.labels import COLUMN_LABELS

# Machine-written text (JSON summaries, audit trail): stored exactly as written.
RAW_TABLES = frozenset({"zb_import", "zb_audit_log"})
INT32, INT64 = 2**31 - 1, 2**63 - 1


def field_label(key: str) -> str:
    """The label users know a column by (branch_id is 所属党支部)."""
    return str(COLUMN_LABELS.get(key, COLUMN_LABELS.get(key.removesuffix("_id"), key)))


def clean_string(column, value):
    """A string as the import would store it: invisible characters out, white space tidied."""
    if not isinstance(value, str):
        return value
    return clean_note(value) if isinstance(column.type, Text) else clean_text(value)


def check_choice(key: str, column, value) -> None:
    """A code column holds one of its codes; an empty code only where the column may be null."""
    choices = column.info["choices"]
    if value is None or (value == "" and column.nullable):
        return
    if value not in choices:
        options = "、".join(f"{code}（{label}）" for code, label in choices.items())
        if value == "":
            raise InvalidValue(_("「%(field)s」不能为空，可选：%(options)s。", field=field_label(key), options=options))
        raise InvalidValue(_("「%(field)s」不能是“%(value)s”，可选：%(options)s。",
                             field=field_label(key), value=str(value)[:40], options=options))


def check_date(key: str, value) -> None:
    """A date between 1900-01-01 and 2100-12-31, as the import requires."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not (MIN_DATE <= day <= MAX_DATE):
        raise InvalidValue(_("「%(field)s」的日期 %(value)s 超出合理范围（1900-01-01 至 2100-12-31）。",
                             field=field_label(key), value=day.isoformat()))


def check_integer(key: str, column, value) -> None:
    """An integer the column's database type can hold (PostgreSQL's integer is 32-bit)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return
    limit = INT64 if isinstance(column.type, BigInteger) else INT32
    if not -limit - 1 <= value <= limit:
        raise InvalidValue(_("「%(field)s」的数值 %(value)s 超出范围。", field=field_label(key), value=value))


def check_value(key: str, column, value):
    """The value to store for one column, or InvalidValue; strings come back cleaned."""
    if "choices" in column.info:
        if isinstance(value, str):
            value = clean_text(value)
        check_choice(key, column, value)
        return None if value == "" else value
    if isinstance(column.type, String) and column.table.name not in RAW_TABLES:
        return clean_string(column, value)
    if isinstance(column.type, (Date, DateTime)):
        check_date(key, value)
    elif isinstance(column.type, Integer):
        check_integer(key, column, value)
    return value


def _ours(obj) -> bool:
    return type(obj).__module__.startswith("app.models")


def check_object(obj) -> None:
    """Check (and clean) the columns of obj that are new or changed."""
    state = inspect(obj)
    for prop in state.mapper.column_attrs:
        if len(prop.columns) != 1 or prop.columns[0].table is not state.mapper.local_table:
            continue  # derived column_property (a secretary's name), not stored
        column = prop.columns[0]
        attr = state.attrs[prop.key]
        if state.persistent and not attr.history.has_changes():
            continue
        if prop.key not in state.dict:
            continue  # never set: the column default applies
        value = state.dict[prop.key]
        cleaned = check_value(prop.key, column, value)
        if cleaned != value:
            setattr(obj, prop.key, cleaned)


def before_flush(session, _flush_context, _instances) -> None:
    """Every new or changed object of ours is checked before it reaches the database."""
    for obj in list(session.new) + list(session.dirty):
        if _ours(obj):
            check_object(obj)


def register() -> None:
    """Listen on Flask-SQLAlchemy's session class (once, however many apps are created)."""
    from flask_sqlalchemy.session import Session

    if not event.contains(Session, "before_flush", before_flush):
        event.listen(Session, "before_flush", before_flush)
