"""分类互评 assignments (附件1 三、; DOMAIN.md "Assessment", source "peer"): who reviews whom."""
from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.choices import PEER_ASSIGNERS


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class PeerAssignment(db.Model):
    """In one round, the rater branch reviews the branch (same peer group, never itself).

    The two branches' names and their general branches' names are copied onto the row when it
    is made and never change: the rater of a cross assignment (another general branch's branch)
    reads whom it reviews from this row, without any read rule of Branch being widened."""

    __tablename__ = "zb_peer_assignment"
    __table_args__ = (
        UniqueConstraint("round_id", "branch_id", "rater_branch_id"),
        CheckConstraint("branch_id <> rater_branch_id", name="ck_zb_peer_assignment_not_self"),
    )
    id = Column(Integer, primary_key=True)
    round_id = Column(Integer, ForeignKey("zb_round.id", ondelete="RESTRICT"), nullable=False, index=True)
    round = relationship("AssessmentRound")
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch", foreign_keys=[branch_id])
    rater_branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    rater_branch = relationship("Branch", foreign_keys=[rater_branch_id])
    # frozen at creation (see the docstring)
    branch_name = Column(String(120), nullable=False)
    general_branch_name = Column(String(120), nullable=False)
    rater_branch_name = Column(String(120), nullable=False)
    rater_general_branch_name = Column(String(120), nullable=False)
    peer_group = Column(String(40), nullable=False)
    assigned_by = Column(String(20), nullable=False, info={"choices": PEER_ASSIGNERS})
    note = Column(Text)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_at = Column(DateTime, nullable=False, default=_now)

    def __str__(self):
        return f"{self.rater_branch_name} → {self.branch_name}"
