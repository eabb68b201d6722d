"""Which organization a login belongs to (ARCHITECTURE.md fact 9: a separate table)."""
from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, String
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import backref, relationship

from app.extensions import db


class UserOrg(db.Model):
    """Exactly one organization per user; the org decides the data scope."""

    __tablename__ = "zb_user_org"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'committee' AND committee_id IS NOT NULL AND general_branch_id IS NULL AND branch_id IS NULL)"
            " OR (kind = 'general_branch' AND general_branch_id IS NOT NULL AND committee_id IS NULL AND branch_id IS NULL)"
            " OR (kind = 'branch' AND branch_id IS NOT NULL AND committee_id IS NULL AND general_branch_id IS NULL)",
            name="ck_user_org_exactly_one",
        ),
    )
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(20), nullable=False)
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"))
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"))
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"))
    committee = relationship("Committee")
    general_branch = relationship("GeneralBranch")
    branch = relationship("Branch")
    # FAB's user gets `org_link` (its one organization): the operator's user pages read and set
    # it; a user deleted or unlinked takes its link along.
    user = relationship(User, backref=backref("org_link", uselist=False, cascade="all, delete-orphan"))

    @property
    def org(self):
        """The organization object itself."""
        return self.committee or self.general_branch or self.branch


class AccountGuard(db.Model):
    """A login's protection state: consecutive failed logins and the lock they set.

    One row per user, made at the first failed login; kept in the database (not in a worker's
    memory) so every gunicorn worker counts the same failures.
    """

    __tablename__ = "zb_account_guard"
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)  # UTC, naive; None or past: not locked
    # Raised by a password change, a reset or a deactivation; every JWT carries the version it
    # was issued under (claim "sv") and is refused once it differs.
    session_version = Column(Integer, nullable=False, default=0, server_default="0")


class LoginSession(db.Model):
    """One browser login: the hash of the random id in its (signed) session cookie.

    The row is the session's life: logout deletes it (a copied cookie no longer works), a
    password change or deactivation deletes every row of the user; it ends at expires_at.
    """

    __tablename__ = "zb_login_session"
    id = Column(String(64), primary_key=True)  # sha256 hex of the cookie's session id
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)  # UTC, naive
    expires_at = Column(DateTime, nullable=False)
