"""The end of a business action: commit, or roll back and re-raise the refusal."""
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app.errors import DomainError, VersionConflict
from app.extensions import db


def commit() -> None:
    """Commit; a refusal (a record rule, a value) rolls everything back and is raised again;
    a row another write changed meanwhile (its version moved) is a VersionConflict."""
    try:
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    except StaleDataError as exc:
        db.session.rollback()
        raise VersionConflict(_("记录已被其他用户修改，您的修改未保存。请重新打开后再修改。")) from exc
