"""The one data-scope rule: which rows an organization may see, and the write guards.

A user belongs to exactly one organization; the organization decides the scope
(DOMAIN.md "Who uses it"). Deny by default: a user with no organization sees nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _
from sqlalchemy import false, inspect, select, true
from sqlalchemy.orm import RelationshipDirection

from app.extensions import db
from app.errors import DomainError
from app.models import (
    Activity, Assessment, AssessmentRound, Branch, Committee, ContactCadre, Funding, GeneralBranch,
    Member, Rectification, RectificationNote, ScoreSheet, Secretary, SecretaryViolation, StandardItem, TrainingRecord, UserOrg,
)
from app.models.imports import ImportRecord


@dataclass(frozen=True)
class OrgRef:
    """The current user's organization with its ancestors' ids."""

    kind: str  # 'committee' | 'general_branch' | 'branch' | 'all' (operator)
    committee_id: int | None = None
    general_branch_id: int | None = None
    branch_id: int | None = None


ALL = OrgRef(kind="all")


class ScopeError(DomainError):
    """A write names an organization outside the user's scope."""


def org_of_user(user) -> OrgRef | None:
    """The OrgRef of a user; None when the user has no organization (sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "id", None) is None:
        return None
    admin_role = current_app.config.get("AUTH_ROLE_ADMIN", "Admin")
    if any(role.name == admin_role for role in user.roles):
        return ALL
    link = db.session.get(UserOrg, user.id)
    if link is None:
        return None
    if link.kind == "committee":
        return OrgRef("committee", committee_id=link.committee_id)
    if link.kind == "general_branch":
        gb = link.general_branch
        return OrgRef("general_branch", committee_id=gb.committee_id, general_branch_id=gb.id)
    branch = link.branch
    return OrgRef(
        "branch",
        committee_id=branch.general_branch.committee_id,
        general_branch_id=branch.general_branch_id,
        branch_id=branch.id,
    )


def current_org() -> OrgRef | None:
    """The OrgRef of the logged-in user (web session or JWT), cached per request."""
    user = current_app.appbuilder.sm.current_user
    key = getattr(user, "id", None)
    cached = g.get("_zhibu_org")
    if cached is not None and cached[0] == key:
        return cached[1]
    org = org_of_user(user)
    g._zhibu_org = (key, org)
    return org


def _branch_ids(org: OrgRef):
    if org.kind == "branch":
        return None
    if org.kind == "general_branch":
        return select(Branch.id).where(Branch.general_branch_id == org.general_branch_id)
    return (
        select(Branch.id)
        .join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
        .where(GeneralBranch.committee_id == org.committee_id)
    )


def _at_branch(column, org: OrgRef):
    if org.kind == "branch":
        return column == org.branch_id
    return column.in_(_branch_ids(org))


def _at_general_branch(column, org: OrgRef):
    if org.kind == "committee":
        return column.in_(select(GeneralBranch.id).where(GeneralBranch.committee_id == org.committee_id))
    return column == org.general_branch_id  # a branch sees its own general branch


def _contact_cadre(org: OrgRef):
    if org.kind == "branch":
        return ContactCadre.branches.any(Branch.id == org.branch_id)
    return _at_general_branch(ContactCadre.general_branch_id, org)


def _score_sheet(org: OrgRef):
    """A branch sees the sheets it enters itself (self, members); superiors see all of theirs."""
    in_scope = ScoreSheet.assessment_id.in_(select(Assessment.id).where(_at_branch(Assessment.branch_id, org)))
    if org.kind == "branch":
        return in_scope & ScoreSheet.source.in_(("self", "members"))
    return in_scope


# Where each scoped table hangs in the tree: read it in one place.
SCOPE_RULES = {
    Committee: lambda org: Committee.id == org.committee_id,
    GeneralBranch: lambda org: _at_general_branch(GeneralBranch.id, org),
    Branch: lambda org: _at_branch(Branch.id, org),
    Member: lambda org: _at_branch(Member.branch_id, org),
    Secretary: lambda org: _at_branch(Secretary.branch_id, org),
    SecretaryViolation: lambda org: SecretaryViolation.secretary_id.in_(
        select(Secretary.id).where(_at_branch(Secretary.branch_id, org))
    ),
    Activity: lambda org: _at_branch(Activity.branch_id, org),
    Funding: lambda org: _at_branch(Funding.branch_id, org),
    TrainingRecord: lambda org: TrainingRecord.member_id.in_(
        select(Member.id).where(_at_branch(Member.branch_id, org))
    ),
    ContactCadre: _contact_cadre,
    StandardItem: lambda org: true(),  # the published standards are read by everyone
    AssessmentRound: lambda org: AssessmentRound.committee_id == org.committee_id,
    Assessment: lambda org: _at_branch(Assessment.branch_id, org),
    ScoreSheet: _score_sheet,
    Rectification: lambda org: _at_branch(Rectification.branch_id, org),
    RectificationNote: lambda org: RectificationNote.rectification_id.in_(
        select(Rectification.id).where(_at_branch(Rectification.branch_id, org))
    ),
}


def _import_record(org: OrgRef):
    """A roster import hangs on the uploader's organization, copied onto the record."""
    if org.kind == "committee":
        return ImportRecord.committee_id == org.committee_id
    if org.kind == "general_branch":
        return ImportRecord.general_branch_id == org.general_branch_id
    return ImportRecord.branch_id == org.branch_id


SCOPE_RULES[ImportRecord] = _import_record


def register_scope(model, rule) -> None:
    """Let a later module (assessment, rectification) declare where its table hangs."""
    SCOPE_RULES[model] = rule


def scope_clause(model, org: OrgRef | None):
    """A WHERE clause limiting `model` to `org`; false() for no org or an unscoped model."""
    if org is None:
        return false()
    if org.kind == "all":
        return true()
    rule = SCOPE_RULES.get(model)
    return rule(org) if rule else false()


class ScopeFilter(BaseFilter):
    """FAB filter applying the scope of the current user; the value is ignored."""

    name = "scope"

    def apply(self, query, value):
        return query.filter(scope_clause(self.model, current_org()))


SCOPE_FILTERS = [["id", ScopeFilter, None]]


def get_in_scope(model, pk, org: OrgRef | None = None):
    """The row of model with that id if it is inside the scope of org (default: current user), else None."""
    org = current_org() if org is None else org
    return db.session.scalars(select(model).where(model.id == pk, scope_clause(model, org))).first()


def in_scope(obj, org: OrgRef | None = None) -> bool:
    """True when the persisted object is inside the scope of org (default: current user)."""
    org = current_org() if org is None else org
    model = type(obj)
    pk = inspect(obj).identity
    if pk is None:
        return False
    column = inspect(model).primary_key[0]
    stmt = select(column).where(column == pk[0], scope_clause(model, org))
    with db.session.no_autoflush:
        return db.session.execute(stmt).first() is not None


def check_related_in_scope(item) -> None:
    """Raise ScopeError when a many-to-one or many-to-many target of item is foreign."""
    org = current_org()
    if org is not None and org.kind == "all":
        return
    for rel in inspect(type(item)).relationships:
        if rel.direction is RelationshipDirection.ONETOMANY or rel.mapper.class_ not in SCOPE_RULES:
            continue
        value = getattr(item, rel.key)
        targets = value if rel.uselist else [value]
        for target in targets or []:
            if target is not None and not in_scope(target, org):
                from app.models.labels import COLUMN_LABELS

                field = COLUMN_LABELS.get(rel.key, rel.key)
                raise ScopeError(_("所选的「%(field)s」不在您的管理范围内。", field=field))
