"""A notice (提醒) in a user's inbox: a deadline that is near, an item overdue, a 换届 due.

Made by the system actor "notices" only (services/notices.generate_notices), never typed in.
It names its kind, the record it is about (table + id) and the parameters of its text (JSON);
the sentence itself is written in the reader's language when shown, from the kind. The
recipient's organization at the time is copied onto the row (as on a job), so the rule table
shows it to that user only, and no longer once the user has moved elsewhere. `dedupe_key` is
unique: the same notice is never made twice, whoever runs the generation and how often.
"""
import json
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.choices import ORG_KINDS

NOTICE_KINDS = {
    "round_deadline_7": _l("考评截止前 7 天"),
    "round_deadline_1": _l("考评截止前 1 天"),
    "rectification_overdue": _l("整改事项逾期"),
    "term_due_6": _l("换届提前 6 个月"),
    "term_due_4": _l("换届提前 4 个月"),
    "term_expired": _l("任期已满"),
}


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Notice(db.Model):
    """One notice for one user."""

    __tablename__ = "zb_notice"
    __table_args__ = (
        # the bell: a user's unread count; the inbox: a user's notices, newest first
        Index("ix_zb_notice_recipient_read", "recipient_id", "read_at"),
        UniqueConstraint("dedupe_key", name="uq_zb_notice_dedupe_key"),
    )
    id = Column(Integer, primary_key=True)
    recipient_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    recipient = relationship("User")
    kind = Column(String(30), nullable=False, info={"choices": NOTICE_KINDS})
    subject_table = Column(String(40), nullable=False)
    subject_id = Column(Integer, nullable=False)
    due_on = Column(Date)
    params = Column(Text, nullable=False, default="{}")
    dedupe_key = Column(String(200), nullable=False)
    org_kind = Column(String(20), nullable=False, info={"choices": ORG_KINDS})
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="SET NULL"), index=True)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="SET NULL"), index=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="SET NULL"), index=True)
    created_at = Column(DateTime, nullable=False, default=_now)
    read_at = Column(DateTime)
    emailed_at = Column(DateTime)

    def __str__(self):
        return f"#{self.id}"

    @property
    def params_dict(self) -> dict:
        try:
            return json.loads(self.params or "{}")
        except ValueError:
            return {}
