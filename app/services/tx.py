"""The end of a business action: commit, or roll back and re-raise the refusal."""
from app.errors import DomainError
from app.extensions import db


def commit() -> None:
    """Commit; a refusal (a record rule, a value) rolls everything back and is raised again."""
    try:
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
