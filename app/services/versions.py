"""Concurrent edits: a write based on an older version of a record is refused, nothing overwritten.

The version a user read travels with the write (the edit form's hidden field, the API body's
`version` or its `If-Match` header); the message says who changed the record since, and when,
from the audit trail. SQLAlchemy's version counter refuses the same at the UPDATE itself when
two writes race (StaleDataError), which `conflict_of` turns into the same sentence.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import inspect

from app.errors import InvalidValue, VersionConflict
from app.extensions import db
from app.models.labels import MODEL_LABELS
from app.services.audit_trail import last_change


def versioned(model) -> bool:
    return inspect(model).version_id_col is not None


def parse_version(text) -> int | None:
    """The version of a form field, a body or an ETag (`3`, `"3"`, `W/"3"`); None: not given."""
    if text is None or text == "" or text == "*":   # If-Match: * is "any version"
        return None
    if isinstance(text, bool):
        raise InvalidValue(_("版本号无效：应为整数。"))
    if isinstance(text, int):
        return text
    cleaned = str(text).strip().removeprefix("W/").strip('"')
    if not cleaned.isdigit():
        raise InvalidValue(_("版本号无效：应为整数。"))
    return int(cleaned)


def conflict_of(model, pk) -> VersionConflict:
    """The refusal of a stale write, naming the last change of the record (who and when)."""
    what = MODEL_LABELS.get(model.__name__, model.__name__)
    with db.session.no_autoflush:
        row = last_change(model, pk) if pk is not None else None
    if row is None:
        return VersionConflict(_("「%(what)s」已被其他用户修改，您的修改未保存。请重新打开后再修改。", what=what))
    return VersionConflict(_(
        "「%(what)s」已被 %(who)s 于 %(when)s 修改，您的修改未保存。请重新打开后再修改。",
        what=what, who=row.actor or _("其他用户"), when=f"{row.at:%Y-%m-%d %H:%M:%S}"))


def check_version(item, expected) -> None:
    """Refuse (and roll back) a write based on another version than the row's current one."""
    model = type(item)
    if not versioned(model):
        return
    wanted = parse_version(expected)
    if wanted is None:
        return
    state = inspect(item)
    current = state.committed_state.get("version", item.__dict__.get("version"))
    if current is not None and wanted != current:
        pk = state.identity[0] if state.identity else None
        conflict = conflict_of(model, pk)
        db.session.rollback()
        raise conflict
