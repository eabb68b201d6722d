"""Rectification (整改, 四、(二) 对标整改): what 附件3 reports."""
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.versioned import Versioned
from app.models.choices import RECTIFICATION_STATUSES


class Rectification(Versioned, db.Model):
    """One branch's rectification item for a round."""

    __tablename__ = "zb_rectification"
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    round_id = Column(Integer, ForeignKey("zb_round.id", ondelete="RESTRICT"), nullable=False, index=True)
    round = relationship("AssessmentRound")
    problems = Column(Text, nullable=False)
    measures = Column(Text, nullable=False, default="")
    due_on = Column(Date)
    contact_id = Column(Integer, ForeignKey("zb_contact_cadre.id", ondelete="RESTRICT"))
    contact = relationship("ContactCadre")
    remark = Column(Text)
    status = Column(String(20), nullable=False, default="not_started", info={"choices": RECTIFICATION_STATUSES})
    completed_on = Column(Date)
    notes = relationship("RectificationNote", back_populates="rectification", cascade="all, delete-orphan",
                         order_by="RectificationNote.noted_on")

    def __str__(self):
        return f"{self.branch} · {self.round}"

    def is_overdue(self, today: date | None = None) -> bool:
        """Past its due date and not completed."""
        today = today or date.today()
        return self.status != "done" and self.due_on is not None and self.due_on < today

    def due_flag(self):
        """The due date for lists, marked when overdue."""
        if self.due_on is None:
            return ""
        text = escape(self.due_on.isoformat())
        if self.is_overdue():
            from flask_babel import gettext as _

            return Markup('<span class="zhibu-overdue">%s %s</span>') % (text, _("已逾期"))
        return text


class RectificationNote(db.Model):
    """A dated progress entry on a rectification item."""

    __tablename__ = "zb_rectification_note"
    id = Column(Integer, primary_key=True)
    rectification_id = Column(Integer, ForeignKey("zb_rectification.id", ondelete="CASCADE"), nullable=False,
                              index=True)
    rectification = relationship("Rectification", back_populates="notes")
    noted_on = Column(Date, nullable=False)
    text = Column(Text, nullable=False)
    author_id = Column(Integer, ForeignKey("ab_user.id"))
    created_at = Column(DateTime)

    def __str__(self):
        return f"{self.noted_on} {self.text[:30]}"
