"""Assessment (附件1): standards, rounds, one assessment per branch and round, score sheets."""
from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy import func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.versioned import Versioned
from app.models.choices import AUDIT_ACTIONS, AUDIT_HIGHLIGHTS, BRANCH_CATEGORIES, GRADE_LABELS, ROUND_KINDS, ROUND_STATUSES, SHEET_SOURCES


class StandardItem(db.Model):
    """One of the five standards (五个好) for a branch category, with its 内涵 and 考评要素."""

    __tablename__ = "zb_standard"
    __table_args__ = (UniqueConstraint("category", "number"),)
    id = Column(Integer, primary_key=True)
    category = Column(String(20), nullable=False, info={"choices": BRANCH_CATEGORIES})
    number = Column(Integer, nullable=False)
    title = Column(String(60), nullable=False)
    connotation = Column(Text, nullable=False)
    elements = Column(Text, nullable=False)

    def __str__(self):
        return f"{self.number}.{self.title}"


class AssessmentRound(db.Model):
    """考评批次: a committee's 初评 or 复评 (compared with its base round)."""

    __tablename__ = "zb_round"
    __table_args__ = (UniqueConstraint("committee_id", "name"),)
    id = Column(Integer, primary_key=True)
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True)
    committee = relationship("Committee")
    name = Column(String(120), nullable=False)
    year = Column(Integer, nullable=False)
    kind = Column(String(20), nullable=False, default="initial", info={"choices": ROUND_KINDS})
    base_round_id = Column(Integer, ForeignKey("zb_round.id", ondelete="RESTRICT"))
    base_round = relationship("AssessmentRound", remote_side=[id])
    opens_on = Column(Date, nullable=False)
    deadline = Column(Date, nullable=False)
    # 完成整改时间 of the items this round's grades call for (对标整改 before the follow-up round).
    rectify_by = Column(Date)
    status = Column(String(20), nullable=False, default="open", info={"choices": ROUND_STATUSES})
    note = Column(Text)

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class Assessment(Versioned, db.Model):
    """One branch in one round: inputs, computed result, final grade."""

    __tablename__ = "zb_assessment"
    __table_args__ = (UniqueConstraint("round_id", "branch_id"),)
    id = Column(Integer, primary_key=True)
    round_id = Column(Integer, ForeignKey("zb_round.id", ondelete="RESTRICT"), nullable=False, index=True)
    round = relationship("AssessmentRound")
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    self_score = Column(Float)
    member_score = Column(Float)
    peer_score = Column(Float)
    superior_score = Column(Float)
    mass_satisfaction = Column(Float)
    secretary_satisfaction = Column(Float)
    composite = Column(Float)
    computed_grade = Column(String(1), info={"choices": GRADE_LABELS})
    vetoes = Column(String(40), nullable=False, default="")
    capped = Column(Boolean, nullable=False, default=False)
    missing_sources = Column(String(60), nullable=False, default="")
    override_grade = Column(String(1), info={"choices": GRADE_LABELS})
    override_reason = Column(Text)
    confirmed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    confirmed_at = Column(DateTime)
    sheets = relationship("ScoreSheet", back_populates="assessment", order_by="ScoreSheet.id")

    def __str__(self):
        return f"{self.branch} · {self.round}"

    @hybrid_property
    def final_grade(self):
        """The override when there is one, else the computed grade (in Python and in SQL)."""
        return self.override_grade or self.computed_grade

    @final_grade.inplace.expression
    @classmethod
    def _final_grade_sql(cls):
        return func.coalesce(cls.override_grade, cls.computed_grade)


class RoundTally(db.Model):
    """A round's assessments counted per general branch, kept by database triggers (migration
    2f6c8e41d7a3) inside the statement that changes an assessment or moves a branch: what the
    committee's home shows of 50,000 assessments, read from 2,000 rows. Nobody writes it."""

    __tablename__ = "zb_round_tally"
    round_id = Column(Integer, ForeignKey("zb_round.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="CASCADE"), primary_key=True,
                               autoincrement=False)
    branches = Column(Integer, nullable=False, default=0)         # assessments (one per branch)
    with_self = Column(Integer, nullable=False, default=0)        # ... with a 自评 score (a self sheet)
    with_superior = Column(Integer, nullable=False, default=0)    # ... with a 上级评价 score
    confirmed = Column(Integer, nullable=False, default=0)        # ... whose grade the committee confirmed
    grade_a = Column(Integer, nullable=False, default=0)          # final grade (override, else computed)
    grade_b = Column(Integer, nullable=False, default=0)
    grade_c = Column(Integer, nullable=False, default=0)
    grade_d = Column(Integer, nullable=False, default=0)
    grade_none = Column(Integer, nullable=False, default=0)
    undergraduate = Column(Integer, nullable=False, default=0)       # 本科生 branches (the goal line)
    undergraduate_good = Column(Integer, nullable=False, default=0)  # ... graded 好 or 较好

    @classmethod
    def grade_columns(cls) -> dict:
        """final grade ('none': not graded yet) -> the column counting it."""
        return {"A": cls.grade_a, "B": cls.grade_b, "C": cls.grade_c, "D": cls.grade_d, "none": cls.grade_none}


class ScoreSheet(Versioned, db.Model):
    """One rater's five sub-scores (0..20 each) for one source of one assessment."""

    __tablename__ = "zb_score_sheet"
    # "has this assessment a sheet of that source?" (the committee home, per assessment of a round)
    __table_args__ = (Index("ix_zb_score_sheet_assessment_source", "assessment_id", "source"),)
    id = Column(Integer, primary_key=True)
    assessment_id = Column(Integer, ForeignKey("zb_assessment.id", ondelete="CASCADE"), nullable=False)
    assessment = relationship("Assessment", back_populates="sheets")
    source = Column(String(20), nullable=False, info={"choices": SHEET_SOURCES})
    rater = Column(String(120), nullable=False)
    rater_branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"))
    rater_branch = relationship("Branch")
    s1 = Column(Float, nullable=False)
    s2 = Column(Float, nullable=False)
    s3 = Column(Float, nullable=False)
    s4 = Column(Float, nullable=False)
    s5 = Column(Float, nullable=False)
    submitted_by_id = Column(Integer, ForeignKey("ab_user.id"))
    submitted_at = Column(DateTime)

    def __str__(self):
        return f"{self.rater}"

    @property
    def subscores(self) -> tuple:
        return (self.s1, self.s2, self.s3, self.s4, self.s5)

    @property
    def total(self) -> float:
        return round(sum(self.subscores), 2)


class AuditLog(db.Model):
    """One change of one domain record: who, when, from where, each field's old and new value.

    Written by the write guard (app/security/audit.py) in the transaction of the change, never
    by hand; the org columns are copied from the audited record so the rule table scopes the
    trail like the records (no foreign keys: the trail outlives a deleted record)."""

    __tablename__ = "zb_audit_log"
    __table_args__ = (Index("ix_zb_audit_log_record", "table_name", "record_id"),)
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    actor = Column(String(100), nullable=False, default="")   # the username, or the system actor's name
    address = Column(String(45))                               # the client address of a web or API request
    action = Column(String(10), nullable=False, info={"choices": AUDIT_ACTIONS})
    table_name = Column(String(60), nullable=False)
    record_id = Column(Integer, nullable=False)
    label = Column(String(200), nullable=False, default="")    # the record as people name it
    changes = Column(Text, nullable=False, default="{}")       # JSON {field: [old, new]}
    reason = Column(Text)                                      # an override's or a reopening's reason
    highlight = Column(String(20), info={"choices": AUDIT_HIGHLIGHTS})  # override / confirm / reopen
    committee_id = Column(Integer, index=True)
    general_branch_id = Column(Integer, index=True)
    branch_id = Column(Integer, index=True)

    def __str__(self):
        return f"{self.label} · {self.at:%Y-%m-%d %H:%M}" if self.at else self.label

    @property
    def details(self):
        """The row itself, for the pages' formatter of its changes (which needs the table too)."""
        return self
