"""Logins and the organization each belongs to."""
from flask import current_app

from app.extensions import db
from app.security.passwords import check_password_policy
from app.security.orgs import AccountError, find_org, org_link_for, resolve_org  # noqa: F401 (the services' API)


def link_user(user, org) -> None:
    """Bind a user to exactly one organization (replacing any earlier binding)."""
    db.session.add(org_link_for(user, org))


def ensure_user(username, password, role, org, first_name=None, last_name="", keep_password=False,
                password_hash=None):
    """Create the login, or reset its role and organization (and password, unless keep_password)
    when it exists; returns the user. password_hash: the password already hashed (the demo hashes
    its one shared password once instead of once per account)."""
    sm = current_app.appbuilder.sm
    role_obj = sm.find_role(role)
    if role_obj is None:
        raise AccountError(f"角色 {role} 不存在，请先运行 zhibu init。 / Role {role} missing: run `zhibu init`.")
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, first_name or username, last_name or "", f"{username}@zhibu.invalid",
                           role_obj, password="" if password_hash else password,
                           hashed_password=password_hash or "")
        if not user:
            raise AccountError(f"无法创建用户 {username} / could not create user {username}")
    else:
        user.roles = [role_obj]
        user.active = True
        sm.update_user(user)
        if not keep_password and password_hash:
            user.password = password_hash
        elif not keep_password:
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
