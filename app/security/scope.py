"""Who is acting: the actor of a request, a CLI command (--as) or system work.

A user belongs to exactly one organization; the organization decides the rows
(app/security/rules.py), the role the verbs (roles.py). Deny by default: a user with no
organization sees nothing and writes nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from sqlalchemy import false, select, true

from app.errors import DomainError
from app.extensions import db
from app.models import Branch, GeneralBranch, UserOrg
from app.security.rules import condition

UNSCOPED = "zhibu_unscoped"  # execution option of the few deliberate unscoped reads


@dataclass(frozen=True)
class OrgRef:
    """The actor: an organization with its ancestors' ids, and the user acting for it."""

    kind: str  # 'committee' | 'general_branch' | 'branch' | 'all' (operator) | 'system'
    committee_id: int | None = None
    general_branch_id: int | None = None
    branch_id: int | None = None
    user_id: int | None = None
    name: str = ""


ALL = OrgRef(kind="all")


def system(name: str) -> OrgRef:
    """The named system actor of migrations, init and demo: row rules off, state rules on."""
    return OrgRef(kind="system", name=name)


class ScopeError(DomainError):
    """A write names an organization outside the user's scope."""


_acting: ContextVar[OrgRef | None] = ContextVar("zhibu_actor", default=None)


@contextmanager
def acting_as(actor: OrgRef | None):
    """Run the block as this actor (CLI --as, system work, jobs), whatever the request says."""
    token = _acting.set(actor)
    try:
        yield actor
    finally:
        _acting.reset(token)


def system_actor(name: str):
    """`with system_actor("demo"):` work that belongs to no user."""
    return acting_as(system(name))


def unscoped(stmt):
    """Mark a statement as a deliberate unscoped read (grep for unscoped( to review them)."""
    return stmt.execution_options(**{UNSCOPED: True})


def org_of_user(user) -> OrgRef | None:
    """The OrgRef of a user; None when the user has no organization (sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "id", None) is None:
        return None
    admin_role = current_app.config.get("AUTH_ROLE_ADMIN", "Admin")
    name = getattr(user, "username", "") or ""
    if any(role.name == admin_role for role in user.roles):
        return OrgRef(kind="all", user_id=user.id, name=name)
    row = db.session.execute(unscoped(
        select(UserOrg.kind, UserOrg.committee_id, UserOrg.general_branch_id, UserOrg.branch_id)
        .where(UserOrg.user_id == user.id))).first()
    if row is None:
        return None
    kind, committee_id, general_branch_id, branch_id = row
    if kind == "branch":
        general_branch_id = db.session.scalar(unscoped(
            select(Branch.general_branch_id).where(Branch.id == branch_id)))
    if kind in ("branch", "general_branch"):
        committee_id = db.session.scalar(unscoped(
            select(GeneralBranch.committee_id).where(GeneralBranch.id == general_branch_id)))
    return OrgRef(kind, committee_id=committee_id, general_branch_id=general_branch_id,
                  branch_id=branch_id, user_id=user.id, name=name)


def current_org() -> OrgRef | None:
    """The actor: the one set by acting_as, else the logged-in user (web or JWT), per request."""
    actor = _acting.get()
    if actor is not None or not has_request_context():
        return actor
    try:
        user = current_app.appbuilder.sm.current_user
    except AttributeError:  # an error page before FAB's before_request set g.user
        return None
    key = getattr(user, "id", None)
    cached = g.get("_zhibu_org")
    if cached is not None and cached[0] == key:
        return cached[1]
    org = org_of_user(user)
    g._zhibu_org = (key, org)
    return org


def scope_clause(model, org: OrgRef | None):
    """A WHERE clause limiting `model` to the rows `org` may read; false() for no org."""
    if org is None:
        return false()
    if org.kind in ("all", "system"):
        return true()
    return condition(model, org, "read")


def get_in_scope(model, pk, org: OrgRef | None = None):
    """The row of `model` with that id if `org` (default: the actor) may read it, else None."""
    org = current_org() if org is None else org
    return db.session.scalars(select(model).where(model.id == pk, scope_clause(model, org))).first()
