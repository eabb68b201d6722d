"""Ballots (DOMAIN.md "Ballots"): campaigns, one-time codes kept as hashes, anonymous votes.

Anonymity is a property of these tables: a Ballot has no column that names its code, a
person or an address, and carries its day only; a BallotCode knows whether it was used,
never when nor by which vote.
"""
from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.choices import BALLOT_KINDS, CAMPAIGN_STATUSES, SATISFACTION_ANSWERS


class BallotCampaign(db.Model):
    """One round x one branch x one kind: the codes issued for it and the votes cast."""

    __tablename__ = "zb_ballot_campaign"
    __table_args__ = (
        UniqueConstraint("round_id", "branch_id", "kind"),
        # 联评: one upward campaign per round about a general branch, and one about the committee
        UniqueConstraint("round_id", "target_general_branch_id", name="uq_zb_ballot_campaign_round_target"),
        Index("uq_zb_ballot_campaign_upward_committee", "round_id", unique=True,
              sqlite_where=text("kind = 'upward' AND target_general_branch_id IS NULL"),
              postgresql_where=text("kind = 'upward' AND target_general_branch_id IS NULL")),
    )
    id = Column(Integer, primary_key=True)
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True)
    round_id = Column(Integer, ForeignKey("zb_round.id", ondelete="RESTRICT"), nullable=False, index=True)
    round = relationship("AssessmentRound")
    # the branch being judged (members, masses); upward campaigns judge a general branch or,
    # with neither set, the committee itself
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), index=True)
    branch = relationship("Branch")
    target_general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"))
    target_general_branch = relationship("GeneralBranch")
    kind = Column(String(20), nullable=False, info={"choices": BALLOT_KINDS})
    min_turnout = Column(Integer, nullable=False, default=5)
    status = Column(String(20), nullable=False, default="open", info={"choices": CAMPAIGN_STATUSES})
    issued = Column(Integer, nullable=False, default=0)
    opened_on = Column(Date, nullable=False)
    closed_on = Column(Date)
    opened_by_id = Column(Integer, ForeignKey("ab_user.id"))

    def __str__(self):
        return f"{self.branch or self.target_general_branch or ''} · {self.kind}"

    @property
    def judges_committee(self) -> bool:
        """An upward campaign about the committee itself (no branch, no general branch)."""
        return self.kind == "upward" and self.target_general_branch_id is None and self.branch_id is None

    @property
    def is_open(self) -> bool:
        return self.status == "open" and self.round is not None and not self.round.is_closed


class BallotCode(db.Model):
    """A one-time code: only its keyed hash is kept; `used` flips once, with no date."""

    __tablename__ = "zb_ballot_code"
    id = Column(Integer, primary_key=True)
    campaign_id = Column(Integer, ForeignKey("zb_ballot_campaign.id", ondelete="CASCADE"), nullable=False, index=True)
    campaign = relationship("BallotCampaign")
    digest = Column(String(64), nullable=False, unique=True)
    used = Column(Boolean, nullable=False, default=False)


class Ballot(db.Model):
    """One anonymous vote: the answers and the day, nothing else."""

    __tablename__ = "zb_ballot"
    id = Column(Integer, primary_key=True)
    campaign_id = Column(Integer, ForeignKey("zb_ballot_campaign.id", ondelete="CASCADE"), nullable=False, index=True)
    campaign = relationship("BallotCampaign")
    cast_on = Column(Date, nullable=False)
    s1 = Column(Integer)
    s2 = Column(Integer)
    s3 = Column(Integer)
    s4 = Column(Integer)
    s5 = Column(Integer)
    secretary = Column(String(12), info={"choices": SATISFACTION_ANSWERS})
    role = Column(String(12), info={"choices": SATISFACTION_ANSWERS})

    @property
    def total(self):
        parts = (self.s1, self.s2, self.s3, self.s4, self.s5)
        return None if any(p is None for p in parts) else sum(parts)


class BallotThrottle(db.Model):
    """Failed code look-ups per client address (as a keyed hash) per time window."""

    __tablename__ = "zb_ballot_throttle"
    __table_args__ = (UniqueConstraint("client", "period"),)
    id = Column(Integer, primary_key=True)
    client = Column(String(64), nullable=False)
    period = Column(Integer, nullable=False, index=True)  # seconds since the epoch // window length
    failures = Column(Integer, nullable=False, default=0)
