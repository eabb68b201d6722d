"""The operator sets a user's organization in the web UI with the same checks as create-user;
the list and show pages print 所属组织 and the roles' Chinese names; 姓 is optional."""
import pytest
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select

from app.models import Branch, GeneralBranch, UserOrg

PASSWORD = "Strong-pass-2026"


def _role(session, name):
    return session.scalar(select(Role).where(Role.name == name)).id


def _form(session, username, role, org, **extra):
    return {"username": username, "first_name": "新用户", "last_name": "", "email": f"{username}@example.org",
            "roles": _role(session, role), "org_name": org, "active": "y",
            "password": PASSWORD, "conf_password": PASSWORD, **extra}


def _link(session, username):
    session.expire_all()
    user = session.scalar(select(User).where(User.username == username))
    return user, session.get(UserOrg, user.id) if user else None


def test_the_operator_adds_a_branch_user_and_the_user_sees_that_branch(login_as, db_session):
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b02"))
    gb_name = db_session.get(GeneralBranch, branch.general_branch_id).name
    admin = login_as("admin")
    response = admin.post_form("/users/add", _form(db_session, "new-sec", "branch", f"{gb_name}/{branch.name}"))
    assert response.status_code == 302
    user, link = _link(db_session, "new-sec")
    assert user.last_name == "" and link.kind == "branch" and link.branch_id == branch.id
    listing = admin.get("/users/list/?_flt_0_username=new-sec").text
    assert branch.name in listing and "党支部" in listing
    assert "None" not in listing
    show = admin.get(f"/users/show/{user.id}").text
    assert f"{branch.name}（党支部）" in show
    home = login_as("new-sec", PASSWORD).get("/").text
    assert branch.name in home


@pytest.mark.parametrize("role, org, message", [
    ("branch", "没有这个组织", "找不到组织「没有这个组织」"),
    ("general_branch", "", "请填写所属组织"),
    ("Admin", "党委", "系统管理员请留空"),
])
def test_a_wrong_organization_is_refused_and_nothing_is_saved(login_as, db_session, role, org, message):
    page = login_as("admin").post_form("/users/add", _form(db_session, "bad-user", role, org))
    assert page.status_code == 200 and message in page.text
    assert _link(db_session, "bad-user")[0] is None


def test_a_committee_name_for_a_branch_role_names_the_mismatch(login_as, db_session):
    from app.models import Committee

    committee = db_session.scalar(select(Committee))
    page = login_as("admin").post_form("/users/add", _form(db_session, "bad-user", "branch", committee.name))
    assert "角色 branch 需要一个党支部" in page.text
    assert _link(db_session, "bad-user")[0] is None


def test_the_operator_moves_a_user_to_another_general_branch(login_as, db_session):
    gb02 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb02"))
    user, _ = _link(db_session, "gb01")
    admin = login_as("admin")
    edit = admin.get(f"/users/edit/{user.id}").text
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    assert f'value="{gb01.name}"' in edit  # the edit form shows the current organization
    data = {"username": "gb01", "first_name": user.first_name, "last_name": "", "email": user.email,
            "roles": _role(db_session, "general_branch"), "org_name": gb02.name, "active": "y"}
    assert admin.post_form(f"/users/edit/{user.id}", data).status_code == 302
    _, link = _link(db_session, "gb01")
    assert link.general_branch_id == gb02.id


def test_roles_carry_their_chinese_names_in_the_form_and_english_under_en(login_as):
    admin = login_as("admin")
    form = admin.get("/users/add").text
    for name in ("党委", "党总支", "党支部", "系统管理员"):
        assert f">{name}<" in form
    admin.get("/lang/en")
    form = admin.get("/users/add").text
    assert ">General branch<" in form and "Organization" in form
