"""民主评议党员 results and 述职 records (DOMAIN.md "MemberAppraisal", "Ballots" / 述职)."""
from datetime import datetime, timezone

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.choices import APPRAISAL_RESULTS, label


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class MemberAppraisal(db.Model):
    """One member's 民主评议 result for one year, entered by the branch after its meeting."""

    __tablename__ = "zb_member_appraisal"
    __table_args__ = (UniqueConstraint("member_id", "year"),)
    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("zb_member.id", ondelete="RESTRICT"), nullable=False, index=True)
    member = relationship("Member")
    year = Column(Integer, nullable=False)
    result = Column(String(20), nullable=False, info={"choices": APPRAISAL_RESULTS})
    note = Column(Text)

    def __str__(self):
        return f"{self.year}：{label(APPRAISAL_RESULTS, self.result)}"


class DutyReport(db.Model):
    """述职 (五、(三)): a branch secretary reports to its general branch (branch set), a
    general-branch secretary to the committee (branch empty), once a year, with the report file.

    The file lives outside the web root (ZHIBU_UPLOAD_DIR) under a random name; the row keeps
    the name it was uploaded with, its type, size and SHA-256."""

    __tablename__ = "zb_duty_report"
    __table_args__ = (
        UniqueConstraint("branch_id", "year"),
        # a general branch's own report, once a year (branch empty: the plain constraint
        # above treats NULLs as distinct)
        Index("uq_zb_duty_report_general_branch_year", "general_branch_id", "year", unique=True,
              sqlite_where=text("branch_id IS NULL"), postgresql_where=text("branch_id IS NULL")),
    )
    id = Column(Integer, primary_key=True)
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"), nullable=False,
                               index=True)
    general_branch = relationship("GeneralBranch")
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), index=True)
    branch = relationship("Branch")
    year = Column(Integer, nullable=False)
    reported_on = Column(Date, nullable=False)
    title = Column(String(200), nullable=False)
    reporter = Column(String(60))
    file_name = Column(String(255), nullable=False)
    stored_name = Column(String(80), nullable=False, unique=True)
    content_type = Column(String(100), nullable=False)
    file_size = Column(Integer, nullable=False)
    file_sha256 = Column(String(64), nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at = Column(DateTime, nullable=False, default=_now)

    @property
    def level(self) -> str:
        """'branch' (to the general branch) or 'general_branch' (to the committee)."""
        return "branch" if self.branch_id is not None else "general_branch"

    def __str__(self):
        return f"{self.year} {self.title}"
