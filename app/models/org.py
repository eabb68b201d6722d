"""The three-level organization: committee -> general branch -> branch."""
from datetime import date

from sqlalchemy import (
    Boolean, Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.versioned import Versioned
from app.models.choices import BRANCH_CATEGORIES, HEALTH_PROFILES
from app.models.naming import NameKeyed, name_key_column


def kept_count():
    """A count the database keeps (triggers): derived, never typed in. No form, REST call or role
    writes it (the guard refuses, app/security/rules.py MAINTAINED) and the audit trail leaves it
    out ("computed")."""
    return Column(Integer, nullable=False, server_default=text("0"), info={"computed": True, "maintained": True})


def member_count():
    """A count of a branch's members of one type (DOMAIN.md, Branch), kept by triggers on
    zb_member whoever writes the roster (ORM, bulk statements, imports, COPY, raw SQL); a session
    expires it when the roster changes (app/models/counts.py)."""
    return kept_count()


class Committee(NameKeyed, db.Model):
    """党委: usually one per installation; a city deployment holds many."""

    __tablename__ = "zb_committee"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False, unique=True)
    name_key = name_key_column()
    short_name = Column(String(60))
    # which numbers the health check applies (DOMAIN.md "Rule profiles"): the 2012 plan's
    # or the later national rules'; every number stays configuration (ZHIBU_HEALTH)
    health_profile = Column(String(10), nullable=False, default="2012", server_default="2012",
                            info={"choices": HEALTH_PROFILES})
    general_branches = relationship(
        "GeneralBranch", back_populates="committee", order_by=lambda: (GeneralBranch.code, GeneralBranch.name_key)
    )

    def __str__(self):
        return self.name


class GeneralBranch(NameKeyed, db.Model):
    """党总支 / 院系级党委."""

    __tablename__ = "zb_general_branch"
    __table_args__ = (UniqueConstraint("committee_id", "name"),)
    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, default="")
    name = Column(String(120), nullable=False)
    name_key = name_key_column()
    committee_id = Column(
        Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    committee = relationship("Committee", back_populates="general_branches")
    phone = Column(String(40))
    # its branches, their members and their secretaries' records, kept by triggers on zb_branch
    # and zb_secretary (migration 8a3d5c7e9b10): a committee's home sums 2,000 rows, not 50,000.
    # Read as columns in a statement (never through a loaded object, which the triggers do not
    # refresh).
    branch_count = kept_count()
    formal_count = kept_count()
    probationary_count = kept_count()
    secretary_count = kept_count()
    branches = relationship("Branch", back_populates="general_branch",
                            order_by=lambda: (Branch.code, Branch.name_key))

    def __str__(self):
        return self.name


class Branch(NameKeyed, Versioned, db.Model):
    """党支部: member counts are derived from the roster, kept by the database (see member_count)."""

    __tablename__ = "zb_branch"
    __table_args__ = (UniqueConstraint("general_branch_id", "name"),)
    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, default="", index=True)  # the list's order
    name = Column(String(120), nullable=False)
    name_key = name_key_column()
    general_branch_id = Column(
        Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    general_branch = relationship("GeneralBranch", back_populates="branches")
    category = Column(String(20), nullable=False, default="teacher", info={"choices": BRANCH_CATEGORIES})
    is_joint = Column(Boolean, nullable=False, default=False)
    founded_on = Column(Date)
    elected_on = Column(Date)
    term_years = Column(Integer, nullable=False, default=3)
    election_exemption = Column(String(200))
    note = Column(Text)
    # the roster's counts by type, kept by triggers on zb_member (migration 608045794396)
    formal_count = member_count()
    probationary_count = member_count()

    def __str__(self):
        return self.name

    def term_ends_on(self) -> date | None:
        """The day the committee's term runs out (elected on + term years)."""
        if not self.elected_on:
            return None
        try:
            return self.elected_on.replace(year=self.elected_on.year + self.term_years)
        except ValueError:  # 29 February
            return self.elected_on.replace(year=self.elected_on.year + self.term_years, day=28)
