"""The `flask zhibu` commands, run the way an operator would."""
from sqlalchemy import func, select

from app.models import Branch, GeneralBranch, Member, UserOrg


def _counts(app):
    from app.extensions import db

    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (GeneralBranch, Branch, Member))


def test_init_is_idempotent(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["zhibu", "init"])
        assert result.exit_code == 0, result.output
        assert "ready" in result.output


def test_demo_twice_duplicates_nothing_and_prints_accounts(app):
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["zhibu", "demo", "--password", "again-pass-1"])
    assert result.exit_code == 0, result.output
    assert _counts(app) == before
    assert "gb01-b01" in result.output and "again-pass-1" in result.output
    gb, branches, members = before
    assert gb >= 8 and branches >= 60 and members >= 1500


def test_demo_again_keeps_the_passwords_and_lists_the_main_accounts_first(app, login_as):
    """Re-running run.py must not lock people out: without --password every account keeps its own."""
    result = app.test_cli_runner().invoke(args=["zhibu", "demo"])
    assert result.exit_code == 0, result.output
    assert "existing accounts keep their password" in result.output
    login_as("gb01")  # the password the test database was built with still works
    lines = [line.split()[0] for line in result.output.splitlines()
             if line.split() and line.split()[0] in ("admin", "committee", "gb01", "gb01-b01", "gb02")]
    assert lines[:5] == ["admin", "committee", "gb01", "gb01-b01", "gb02"]


def test_a_fresh_start_logs_no_misleading_fab_warning(tmp_path, caplog):
    """FAB says "use flask fab command" on an empty database; zhibu's users come from zhibu commands."""
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'fresh.db'}")
    with app.app_context():
        from app.services.setup import initialize

        initialize()
        initialize()
    app2 = make_app(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert app2 is not None
    noise = [str(r.msg) for r in caplog.records
             if str(r.msg).startswith(("No user yet created", "Refused to delete permission view"))]
    assert not noise


def test_create_user_binds_the_organization(app, login_as):
    from app.extensions import db

    with app.app_context():
        gb_name = db.session.scalar(select(GeneralBranch.name).where(GeneralBranch.code == "gb02"))
    result = app.test_cli_runner().invoke(args=[
        "zhibu", "create-user", "--username", "li", "--password", "li-pass-123",
        "--role", "general_branch", "--org", gb_name])
    assert result.exit_code == 0, result.output
    with app.app_context():
        link = db.session.scalar(select(UserOrg).join(GeneralBranch, UserOrg.general_branch_id == GeneralBranch.id)
                                 .where(GeneralBranch.code == "gb02"))
        assert link is not None
    page = login_as("li", "li-pass-123").get("/branchview/list/")
    assert page.status_code == 200


def test_create_user_refuses_unknown_org_and_mismatch(app):
    from app.extensions import db

    runner = app.test_cli_runner()
    result = runner.invoke(args=["zhibu", "create-user", "--username", "x1", "--password", "p-Pass-123456",
                                 "--role", "branch", "--org", "不存在的支部"])
    assert result.exit_code != 0
    assert "找不到组织" in result.output and "Unknown organization" in result.output
    with app.app_context():
        gb_name = db.session.scalar(select(GeneralBranch.name).where(GeneralBranch.code == "gb01"))
    result = runner.invoke(args=["zhibu", "create-user", "--username", "x2", "--password", "p-Pass-123456",
                                 "--role", "branch", "--org", gb_name])
    assert result.exit_code != 0
    assert "党总支" in result.output and "needs a branch" in result.output
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="x1") is None
        assert app.appbuilder.sm.find_user(username="x2") is None
