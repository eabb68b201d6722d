"""The health check (支部体检) H1–H11 of DOMAIN.md, pure: dataclasses in, dataclasses out.

    from app.rules import BranchFacts, Period, check_branch, policy_for
    results = check_branch(facts, policy_for("2012"))      # or "later", with overrides

Imports nothing from Flask or SQLAlchemy (an import-linter contract says so); the service
app/services/health.py gathers the facts with one aggregate query per rule.
"""
from .checks import CHECKS, check_branch, check_h3_share, check_h9_committee, tally, tally_counts
from .model import (
    FAIL, NA, PASS, RULE_IDS, STATUSES, WARN, BranchFacts, CommitteeMemberFacts, ContactFact, MeetingCount,
    MeetingSummary, MemberHours, MemberTraining, member_training, Period, Result, SecretaryFacts, SpotCheck,
)
from .policy import PROFILE_2012, PROFILE_LATER, PROFILES, HealthPolicy, PolicyError, policy_for

__all__ = [
    "CHECKS", "check_branch", "check_h3_share", "check_h9_committee", "tally", "tally_counts",
    "FAIL", "NA", "PASS", "RULE_IDS", "STATUSES", "WARN", "BranchFacts", "CommitteeMemberFacts", "ContactFact",
    "MeetingCount", "MeetingSummary", "MemberHours", "MemberTraining", "member_training", "Period", "Result", "SecretaryFacts", "SpotCheck",
    "PROFILE_2012", "PROFILE_LATER", "PROFILES", "HealthPolicy", "PolicyError", "policy_for",
]
