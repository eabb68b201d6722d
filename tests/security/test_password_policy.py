"""The password policy wherever a password is set: the CLI, the demo, FAB's user forms (add,
the operator's reset, one's own), with a clear zh / en sentence and nothing saved on refusal."""
import pytest
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select

from app.models import Committee
from tests.support.clients import WebUser
from tests.support.databases import DEMO_PASSWORD

WEAK = "weakpass1"          # 9 characters, two classes
STRONG = "Strong-pass-2026"
ZH_SHORT = "密码至少需要 10 个字符（现为 9 个）。"
EN_SHORT = "A password needs at least 10 characters (this one has 9)."
ZH_CLASSES = "密码须包含小写字母、大写字母、数字、其他符号四类中的至少 3 类（现为 2 类）。"
EN_CLASSES = ("A password needs characters of at least 3 of the four classes lower-case letters, "
              "upper-case letters, digits and other symbols (this one has 2).")


def test_create_user_refuses_a_weak_password_in_both_languages(app):
    from app.extensions import db
    from app.models import GeneralBranch

    with app.app_context():
        gb_name = db.session.scalar(select(GeneralBranch.name).where(GeneralBranch.code == "gb02"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["zhibu", "create-user", "--username", "weak", "--password", WEAK,
                                 "--role", "general_branch", "--org", gb_name])
    assert result.exit_code == 1
    assert ZH_SHORT in result.output and EN_SHORT in result.output
    assert ZH_CLASSES in result.output and EN_CLASSES in result.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="weak") is None
    result = runner.invoke(args=["zhibu", "create-user", "--username", "strong", "--password", STRONG,
                                 "--role", "general_branch", "--org", gb_name])
    assert result.exit_code == 0, result.output
    WebUser(app, "strong", STRONG)


def test_demo_refuses_a_weak_password_and_changes_nothing(app, login_as):
    result = app.test_cli_runner().invoke(args=["zhibu", "demo", "--password", "abcdefghijk"])
    assert result.exit_code == 1
    assert "至少 3 类" in result.output and "at least 3 of the four classes" in result.output
    login_as("gb01")  # the old password still works


def _user_form(username, password, confirm, role_id, org_name):
    return {"first_name": "新", "last_name": "用户", "username": username, "email": f"{username}@x.invalid",
            "active": "y", "roles": str(role_id), "org_name": org_name,
            "password": password, "conf_password": confirm}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_operator_cannot_add_a_user_with_a_weak_password(app, login_as, db_session, lang):
    admin = login_as("admin")
    if lang == "en":
        admin.get("/lang/en")
    role_id = db_session.scalar(select(Role.id).where(Role.name == "committee"))
    committee = db_session.scalar(select(Committee.name))
    page = admin.post_form("/users/add", _user_form("weakling", WEAK, WEAK, role_id, committee))
    assert page.status_code == 200
    assert (ZH_SHORT if lang == "zh" else EN_SHORT) in page.text
    assert (ZH_CLASSES if lang == "zh" else EN_CLASSES) in page.text
    assert db_session.scalar(select(User.id).where(User.username == "weakling")) is None
    done = admin.post_form("/users/add", _user_form("strongling", STRONG, STRONG, role_id, committee))
    assert done.status_code == 302
    assert db_session.scalar(select(User.id).where(User.username == "strongling")) is not None


def test_the_operators_reset_follows_the_policy(app, login_as, db_session):
    admin = login_as("admin")
    gb01 = db_session.scalar(select(User.id).where(User.username == "gb01"))
    url = f"/resetpassword/form?pk={gb01}"
    page = admin.post_form(url, {"password": WEAK, "conf_password": WEAK})
    assert page.status_code == 200 and ZH_SHORT in page.text
    login_as("gb01")  # unchanged
    done = admin.post_form(url, {"password": STRONG, "conf_password": STRONG})
    assert done.status_code == 302
    login_as("gb01", STRONG)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ones_own_new_password_follows_the_policy(app, login_as, lang):
    user = login_as("gb01-b01")
    if lang == "en":
        user.get("/lang/en")
    page = user.post_form("/resetmypassword/form", {"password": WEAK, "conf_password": WEAK})
    assert page.status_code == 200
    assert (ZH_CLASSES if lang == "zh" else EN_CLASSES) in page.text
    login_as("gb01-b01")
    done = user.post_form("/resetmypassword/form", {"password": STRONG, "conf_password": STRONG})
    assert done.status_code == 302
    login_as("gb01-b01", STRONG)


def test_the_api_password_change_follows_the_policy_and_ends_the_tokens(app, api_as):
    api = api_as("gb01")
    weak = api.post("/api/v1/account/password?_l_=en", json={"old_password": DEMO_PASSWORD, "password": WEAK})
    assert weak.status_code == 400
    assert weak.json["message"] == f"{EN_SHORT} {EN_CLASSES}"
    wrong = api.post("/api/v1/account/password", json={"old_password": "not-it-Pass1", "password": STRONG})
    assert wrong.status_code == 400 and wrong.json["message"] == "当前密码不正确。"
    assert api.post("/api/v1/account/password", json={"old": 1}).status_code == 400
    done = api.post("/api/v1/account/password", json={"old_password": DEMO_PASSWORD, "password": STRONG})
    assert done.status_code == 200, done.text
    assert api.get("/api/v1/branch/").status_code == 401  # this token ended with the change
    api_as("gb01", STRONG)


def test_the_api_password_change_from_the_browser_needs_the_csrf_token(app, login_as):
    web = login_as("gb01")
    body = {"old_password": DEMO_PASSWORD, "password": STRONG}
    assert web.client.post("/api/v1/account/password", json=body).status_code == 400
    done = web.client.post("/api/v1/account/password", json=body, headers={"X-CSRFToken": web.token()})
    assert done.status_code == 200
    assert app.test_client().post("/api/v1/account/password", json=body).status_code == 401
