"""Organizational life and its funding."""
from sqlalchemy import Column, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.choices import ACTIVITY_KINDS


class Activity(db.Model):
    """组织生活 / 三会一课 record."""

    __tablename__ = "zb_activity"
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    held_on = Column(Date, nullable=False, index=True)
    kind = Column(String(30), nullable=False, default="general_meeting", info={"choices": ACTIVITY_KINDS})
    title = Column(String(200), nullable=False)
    attendance = Column(Integer, nullable=False, default=0)

    def __str__(self):
        return self.title


class Funding(db.Model):
    """经费: a branch's activity and training funds for a year, in yuan."""

    __tablename__ = "zb_funding"
    __table_args__ = (UniqueConstraint("branch_id", "year"),)
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    year = Column(Integer, nullable=False)
    activity_funds = Column(Numeric(12, 2), nullable=False, default=0)
    training_funds = Column(Numeric(12, 2), nullable=False, default=0)

    def __str__(self):
        return f"{self.branch} {self.year}"
