"""Records people edit together carry a version: a stale write is refused, never a silent overwrite."""
from sqlalchemy import Column, Integer, text
from sqlalchemy.orm import declared_attr


class Versioned:
    """SQLAlchemy's version counter (version_id_col): every UPDATE says `WHERE version = <read>`
    and moves it on; the views carry the version read into the form (or the API's If-Match) and
    refuse a write based on an older one (app/services/versions.py)."""

    version = Column(Integer, nullable=False, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}
