"""Which organization a login belongs to: found by name for a role, with the reasons a name is
refused (zh / en). Shared by `zhibu create-user` (services/accounts) and the operator's user
pages (security/users)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Branch, Committee, GeneralBranch, UserOrg, label, ORG_KINDS
from app.security.roles import ROLE_ORG_KIND

ORG_MODELS = {"committee": Committee, "general_branch": GeneralBranch, "branch": Branch}


class AccountError(Exception):
    """A user could not be created as asked; the message says why (zh / en)."""


def find_org(kind: str, name: str):
    """The one organization of a kind with that name; 'general branch/branch' disambiguates."""
    model = ORG_MODELS[kind]
    stmt = select(model).where(model.name == name)
    if kind == "branch" and "/" in name:
        gb_name, branch_name = name.split("/", 1)
        stmt = select(Branch).join(GeneralBranch).where(GeneralBranch.name == gb_name, Branch.name == branch_name)
    found = db.session.scalars(stmt).all()
    if len(found) > 1:
        raise AccountError(
            f"组织名称「{name}」不唯一，请写成“党总支名称/党支部名称”。"
            f" / The organization name '{name}' is ambiguous; write 'general branch/branch'."
        )
    return found[0] if found else None


def resolve_org(role: str, org_name: str):
    """The organization for a role, or AccountError for an unknown org or a mismatch."""
    if role not in ROLE_ORG_KIND:
        raise AccountError(f"未知角色 {role} / unknown role {role}")
    wanted = ROLE_ORG_KIND[role]
    org = find_org(wanted, org_name)
    if org is not None:
        return org
    for kind in ORG_MODELS:
        if kind != wanted and find_org(kind, org_name) is not None:
            raise AccountError(
                f"「{org_name}」是{label(ORG_KINDS, kind)}，角色 {role} 需要一个{label(ORG_KINDS, wanted)}。"
                f" / '{org_name}' is a {kind}; role {role} needs a {wanted}."
            )
    raise AccountError(f"找不到组织「{org_name}」。 / Unknown organization '{org_name}'.")


def org_link_for(user, org) -> UserOrg:
    """The user's link to exactly one organization (the existing row, changed, or a new one)."""
    kind = next(k for k, m in ORG_MODELS.items() if isinstance(org, m))
    with db.session.no_autoflush:
        link = (db.session.get(UserOrg, user.id) if user.id else None) or UserOrg(user=user)
        link.kind = kind
        link.committee_id = org.id if kind == "committee" else None
        link.general_branch_id = org.id if kind == "general_branch" else None
        link.branch_id = org.id if kind == "branch" else None
    return link
