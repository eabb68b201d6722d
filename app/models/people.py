"""The people of a branch: roster, secretaries and their violations, contact cadres."""
from sqlalchemy import (
    Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint, event,
)
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.naming import NameKeyed, name_key_column, number_key, number_key_column
from app.models.versioned import Versioned
from app.models.org import Branch
from app.models.choices import CADRE_LEVELS, GENDERS, MEMBER_TYPES, TITLE_RANKS


class Member(NameKeyed, Versioned, db.Model):
    """党员: one row of a branch roster; the number is unique in its committee."""

    __tablename__ = "zb_member"
    __table_args__ = (
        UniqueConstraint("committee_id", "number"),
        # city scale (issue 12): per-branch counts by type; a committee's roster sorted by name
        Index("ix_zb_member_branch_type", "branch_id", "member_type"),
        # a committee's counts per branch and type from the index alone (the scope adds committee_id)
        Index("ix_zb_member_committee_branch_type", "committee_id", "branch_id", "member_type"),
        Index("ix_zb_member_committee_name", "committee_id", "name_key"),
        # the roster import looks up the file's numbers by their match key (issue 12)
        Index("ix_zb_member_committee_number_key", "committee_id", "number_key"),
    )
    id = Column(Integer, primary_key=True)
    number = Column(String(40), nullable=False)
    # match_key(number), kept current on every write (app/models/naming; the events below)
    number_key = number_key_column()
    name = Column(String(60), nullable=False)
    name_key = name_key_column()
    gender = Column(String(1), info={"choices": GENDERS})
    member_type = Column(String(20), nullable=False, default="formal", info={"choices": MEMBER_TYPES})
    joined_on = Column(Date)
    unit = Column(String(120))
    is_teacher_backbone = Column(Boolean, nullable=False, default=False)
    # indexed by ix_zb_member_branch_type (branch_id first)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False)
    branch = relationship("Branch")
    # Kept equal to the branch's committee by a flush hook, so the number can be unique per committee.
    # indexed by ix_zb_member_committee_branch_type (committee_id first)
    committee_id = Column(Integer, ForeignKey("zb_committee.id"), nullable=False)
    # 民主评议党员 results, newest first (shown on the member's page)
    appraisals = relationship("MemberAppraisal", order_by="MemberAppraisal.year.desc()",
                              viewonly=True)
    # training events that credit this member (hours per year: app/services/training.py)
    trainings = relationship("TrainingAttendance", viewonly=True)

    def __str__(self):
        return f"{self.name}（{self.number}）"

    def derive_committee_id(self):
        """The committee this member will belong to, read from its branch."""
        if self.branch is not None and self.branch.general_branch is not None:
            return self.branch.general_branch.committee_id
        return self.committee_id


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _refresh_number_key(_mapper, _connection, target) -> None:
    """An ORM write stores the key of the number as it is flushed (after the values are cleaned)."""
    target.number_key = number_key(target.number)


class Secretary(Versioned, db.Model):
    """支部书记: a member appointed to lead a branch; 新任 is derived from appointed_on."""

    __tablename__ = "zb_secretary"
    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("zb_member.id", ondelete="RESTRICT"), nullable=False, index=True)
    member = relationship("Member")
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    appointed_on = Column(Date, nullable=False, index=True)  # the list's order
    left_on = Column(Date)
    title_rank = Column(String(20), nullable=False, default="none", info={"choices": TITLE_RANKS})
    violations = relationship(
        "SecretaryViolation", back_populates="secretary", cascade="all, delete-orphan",
        order_by="SecretaryViolation.occurred_on",
    )

    def __str__(self):
        return self.member.name if self.member else ""


class SecretaryViolation(db.Model):
    """A major violation of discipline or law by a secretary (veto V1)."""

    __tablename__ = "zb_secretary_violation"
    id = Column(Integer, primary_key=True)
    secretary_id = Column(Integer, ForeignKey("zb_secretary.id", ondelete="CASCADE"), nullable=False, index=True)
    secretary = relationship("Secretary", back_populates="violations")
    occurred_on = Column(Date, nullable=False)
    description = Column(Text, nullable=False)
    # 重大违纪违法: only a major one vetoes the branch's grade (V1)
    major = Column(Boolean, nullable=False, default=False)

    def __str__(self):
        return f"{self.occurred_on} {self.description}"


cadre_branch = Table(
    "zb_cadre_branch",
    db.Model.metadata,
    Column("cadre_id", Integer, ForeignKey("zb_contact_cadre.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", Integer, ForeignKey("zb_branch.id", ondelete="CASCADE"), primary_key=True),
)


class ContactCadre(NameKeyed, db.Model):
    """联系干部 (领导干部联系党支部制度): linked to the branches it contacts.

    It belongs to the committee itself (校领导, 机关干部: general branch empty) or to a general
    branch; its attendance at those branches' organizational life is read from the meetings'
    guests (列席), never typed."""

    __tablename__ = "zb_contact_cadre"
    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False)
    name_key = name_key_column()
    position = Column(String(120))
    level = Column(String(20), nullable=False, default="gb_committee", info={"choices": CADRE_LEVELS})
    # kept equal to the general branch's committee (a flush hook) when a general branch is set
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True)
    committee = relationship("Committee")
    general_branch_id = Column(
        Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    general_branch = relationship("GeneralBranch")
    branches = relationship("Branch", secondary=cadre_branch, order_by=lambda: (Branch.code, Branch.name_key))

    def __str__(self):
        return self.name
