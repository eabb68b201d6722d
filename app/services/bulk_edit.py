"""Bulk edit of roster rows: the same values set on many rows in one transaction."""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.security.scope import ScopeError, check_related_in_scope
from app.services.integrity import DuplicateError, check_unique


class BulkEditError(Exception):
    """Nothing was changed; the message says why."""


def bulk_update(items: list, changes: dict) -> int:
    """Set every attribute of `changes` on every item; all rows or none. Returns the count.

    The items must have been fetched through the scope; the targets of relationships are
    checked against the scope again here, and uniqueness before the database sees it.
    """
    if not items or not changes:
        raise BulkEditError(_("没有要修改的内容。"))
    try:
        for item in items:
            for name, value in changes.items():
                setattr(item, name, value)
        for item in items:
            check_related_in_scope(item)
            check_unique(item)
        db.session.commit()
    except (ScopeError, DuplicateError) as exc:
        db.session.rollback()
        raise BulkEditError(str(exc)) from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise BulkEditError(_("所选记录修改后会相互重复（如同一党总支下出现同名党支部），未做任何修改。")) from exc
    return len(items)
