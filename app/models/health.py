"""The committee's health summary, kept per branch (支部体检 at a committee of 50,000 branches).

Derived rows, never typed in: app/services/health_summary.py writes them from the pure rules'
results and keeps them current from the audit trail (every guarded write leaves a trail row
naming its branch, general branch and committee), so the committee's page recomputes only the
branches changed since its last view. No foreign keys: like the trail, a row outlives a deleted
branch until the next refresh removes it."""
from sqlalchemy import Column, Date, DateTime, Float, Index, Integer, String

from app.extensions import db

MONTHS = tuple(f"m{m}" for m in range(1, 13))


class HealthStatus(db.Model):
    """One branch's H1–H11 statuses for a year, with what the committee's charts sum."""

    __tablename__ = "zb_health_status"
    __table_args__ = (Index("ix_zb_health_status_general_branch", "committee_id", "year", "general_branch_id"),)
    committee_id = Column(Integer, primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    branch_id = Column(Integer, primary_key=True, autoincrement=False)
    general_branch_id = Column(Integer, nullable=False)
    statuses = Column(String(11), nullable=False)     # one letter a rule, H1 first: p(ass) w(arn) f(ail) n(/a)
    secretary_hours = Column(Float)                   # H4's hours; None where H4 does not apply
    teacher_rank = Column(String(20))                 # a teacher branch's secretary's title rank (H3's share)
    m1 = Column(Integer, nullable=False, default=0)   # meetings held in each month (the chart)
    m2 = Column(Integer, nullable=False, default=0)
    m3 = Column(Integer, nullable=False, default=0)
    m4 = Column(Integer, nullable=False, default=0)
    m5 = Column(Integer, nullable=False, default=0)
    m6 = Column(Integer, nullable=False, default=0)
    m7 = Column(Integer, nullable=False, default=0)
    m8 = Column(Integer, nullable=False, default=0)
    m9 = Column(Integer, nullable=False, default=0)
    m10 = Column(Integer, nullable=False, default=0)
    m11 = Column(Integer, nullable=False, default=0)
    m12 = Column(Integer, nullable=False, default=0)


class HealthState(db.Model):
    """What a committee's kept statuses of a year stand for: the day checked and the policy; the
    version moves with every refresh (a refresh that finds it moved by another gives way)."""

    __tablename__ = "zb_health_state"
    committee_id = Column(Integer, primary_key=True, autoincrement=False)
    year = Column(Integer, primary_key=True, autoincrement=False)
    as_of = Column(Date, nullable=False)
    policy = Column(String(64), nullable=False)
    version = Column(Integer, nullable=False)
    computed_at = Column(DateTime, nullable=False)    # the last refresh


class HealthMark(db.Model):
    """A change the kept statuses have not taken in yet: written with the trail row of every
    audited write that can move a health fact (rules.HEALTH_IGNORED names those that cannot),
    taken and deleted by the committee's next refresh."""

    __tablename__ = "zb_health_mark"
    id = Column(Integer, primary_key=True)
    committee_id = Column(Integer, nullable=False, index=True)
    general_branch_id = Column(Integer)
    branch_id = Column(Integer)
    table_name = Column(String(60), nullable=False)
    record_id = Column(Integer, nullable=False)
    action = Column(String(10), nullable=False)
