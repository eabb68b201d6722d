"""Bulk edit of roster rows: the same values set on many rows in one transaction."""
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.errors import DomainError


class BulkEditError(DomainError):
    """Nothing was changed; the message says why."""


def bulk_update(items: list, changes: dict, checks) -> int:
    """Set every attribute of `changes` on every item; all rows or none. Returns the count.

    The items must have been fetched through the scope; `checks(item)` (the view's write
    checks: scope of related rows, uniqueness, its own rules) runs on each changed item
    before the database sees any of them.
    """
    if not items or not changes:
        raise BulkEditError(_("没有要修改的内容。"))
    try:
        for item in items:
            for name, value in changes.items():
                setattr(item, name, value)
        with db.session.no_autoflush:
            for item in items:
                checks(item)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise BulkEditError(str(exc)) from exc
    except IntegrityError as exc:
        db.session.rollback()
        raise BulkEditError(_("所选记录修改后会相互重复（如同一党总支下出现同名党支部），未做任何修改。")) from exc
    return len(items)
