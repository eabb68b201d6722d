"""A roster import: the uploaded file kept with who, when and what it did (for audit)."""
import json
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import deferred, relationship

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.choices import ORG_KINDS

IMPORT_KINDS = {"members": _l("党员名册"), "branches": _l("支部名册"), "appraisals": _l("民主评议党员结果"),
                "trainings": _l("培训参加人员")}
IMPORT_STATUSES = {"dry_run": _l("预检（未导入）"), "applied": _l("已导入"), "failed": _l("未导入（有错误）")}


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class ImportRecord(db.Model):
    """One upload of a roster file: dry run first, then applied (or failed).

    The uploader's organization is copied onto the record (kind + the ids of it and its
    ancestors), so the record stays scoped even if the user later moves; a deleted
    organization leaves the record to its superiors (SET NULL).
    """

    __tablename__ = "zb_import"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    user = relationship("User")
    username = Column(String(100), nullable=False, default="")
    kind = Column(String(20), nullable=False, info={"choices": IMPORT_KINDS})
    filename = Column(String(255), nullable=False, default="")
    file_size = Column(Integer, nullable=False, default=0)
    file_sha256 = Column(String(64), nullable=False, default="")
    file_data = deferred(Column(LargeBinary, nullable=False))
    created_at = Column(DateTime, nullable=False, default=_now)
    applied_at = Column(DateTime)
    status = Column(String(20), nullable=False, default="dry_run", info={"choices": IMPORT_STATUSES})
    summary = Column(Text, nullable=False, default="{}")
    errors = deferred(Column(Text, nullable=False, default="[]"))
    org_kind = Column(String(20), nullable=False, info={"choices": ORG_KINDS})
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="SET NULL"), index=True)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="SET NULL"), index=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="SET NULL"), index=True)

    def __str__(self):
        return f"#{self.id} {self.filename}"

    @property
    def summary_dict(self) -> dict:
        """The stored summary (counts, ignored columns) as a dict."""
        try:
            return json.loads(self.summary or "{}")
        except ValueError:
            return {}

    @property
    def error_list(self) -> list:
        """The stored row errors as dicts (row, column, code, message_zh, message_en)."""
        try:
            return json.loads(self.errors or "[]")
        except ValueError:
            return []
