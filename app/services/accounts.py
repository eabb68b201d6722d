"""Logins and the organization each belongs to."""
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Branch, Committee, GeneralBranch, UserOrg, label, ORG_KINDS
from app.security.passwords import check_password_policy
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


def link_user(user, org) -> None:
    """Bind a user to exactly one organization (replacing any earlier binding)."""
    kind = next(k for k, m in ORG_MODELS.items() if isinstance(org, m))
    link = db.session.get(UserOrg, user.id) or UserOrg(user_id=user.id)
    link.kind = kind
    link.committee_id = org.id if kind == "committee" else None
    link.general_branch_id = org.id if kind == "general_branch" else None
    link.branch_id = org.id if kind == "branch" else None
    db.session.add(link)


def ensure_user(username, password, role, org, first_name=None, last_name="", keep_password=False):
    """Create the login, or reset its role and organization (and password, unless keep_password)
    when it exists; returns the user."""
    sm = current_app.appbuilder.sm
    role_obj = sm.find_role(role)
    if role_obj is None:
        raise AccountError(f"角色 {role} 不存在，请先运行 zhibu init。 / Role {role} missing: run `zhibu init`.")
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, first_name or username, last_name or "", f"{username}@zhibu.invalid",
                           role_obj, password=password)
        if not user:
            raise AccountError(f"无法创建用户 {username} / could not create user {username}")
    else:
        user.roles = [role_obj]
        user.active = True
        sm.update_user(user)
        if not keep_password:
            sm.reset_password(user.id, password)
    if org is not None:
        link_user(user, org)
    db.session.commit()
    return user


def create_user(username, password, role, org_name, first_name=None, last_name=""):
    """The create-user command: refuse an existing name, an unknown org, a mismatch."""
    org = resolve_org(role, org_name)
    if current_app.appbuilder.sm.find_user(username=username) is not None:
        raise AccountError(f"用户名 {username} 已存在。 / User {username} already exists.")
    check_password_policy(password)
    return ensure_user(username, password, role, org, first_name=first_name, last_name=last_name)


def unlock(username: str):
    """Lift a login lock (and the count of failed logins) of one account; returns the user."""
    from app.security import logins

    user = current_app.appbuilder.sm.find_user(username=username)
    if user is None:
        raise AccountError(f"找不到用户 {username}。 / Unknown user {username}.")
    logins.clear_failures(user.id)
    return user
