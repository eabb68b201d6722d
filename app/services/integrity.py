"""Uniqueness checked before saving, so users get a sentence instead of a database error."""
from flask_babel import gettext as _
from sqlalchemy import UniqueConstraint, and_, inspect, select

from app.extensions import db
from app.security.scope import unscoped
from app.errors import DomainError
from app.models.labels import COLUMN_LABELS


class DuplicateError(DomainError):
    """Another row already holds the same unique values."""


def _value(item, column):
    """The value a column will have once item is flushed (FKs read through relationships)."""
    mapper = inspect(type(item))
    for rel in mapper.relationships:
        if column in rel.local_columns:
            target = getattr(item, rel.key)
            if target is not None:
                return inspect(target).identity[0] if inspect(target).identity else None
    derive = getattr(item, f"derive_{column.key}", None)
    if derive is not None:
        return derive()
    return getattr(item, mapper.get_property_by_column(column).key)


def check_unique(item) -> None:
    """Raise DuplicateError naming the fields when a unique constraint would be broken."""
    with db.session.no_autoflush:
        _check_unique(item)


def _check_unique(item) -> None:
    table = type(item).__table__
    pk = inspect(item).identity
    for constraint in table.constraints:
        if not isinstance(constraint, UniqueConstraint):
            continue
        columns = list(constraint.columns)
        values = [_value(item, c) for c in columns]
        if any(v is None for v in values):
            continue
        stmt = select(table.c.id).where(and_(*[c == v for c, v in zip(columns, values)]))
        if pk is not None:
            stmt = stmt.where(table.c.id != pk[0])
        # unscoped: a key taken outside the user's scope is still taken (only that is said)
        if db.session.execute(unscoped(stmt.limit(1))).first() is not None:
            names = "、".join(str(COLUMN_LABELS.get(c.key.removesuffix("_id"), c.key)) for c in columns)
            raise DuplicateError(_("已存在相同的%(fields)s，不能重复。", fields=names))
