"""The security manager remembers FAB's builtin-role answers; a remembered answer is FAB's own.

FAB tries every pattern of a builtin role with re.match on each permission check, some 3,300
times per navbar. Checked here: for every role and every registered (permission, view) pair,
plus names no role holds, the answer (first and remembered) equals FAB's; and the menu each
demo user sees is what its role's permissions name.
"""
from flask_appbuilder.security.sqla.manager import SecurityManager

from app.security.roles import ROLE_NAMES, role_permissions

UNKNOWN = [("can_list", "NoSuchView"), ("can_list", "BranchView2"), ("menu_access", "Branch"), ("can_", "BranchView")]


def _pairs(appbuilder):
    """Every permission a registered view checks, every menu, what any role holds, and names no role holds."""
    registered = {(perm, view.class_permission_name) for view in appbuilder.baseviews for perm in view.base_permissions}
    menus = {("menu_access", item.name) for top in appbuilder.menu.get_list() for item in [top, *top.childs]}
    held = {(perm, view) for role in ROLE_NAMES for view, perm in role_permissions(role)}
    return sorted(registered | menus | held | set(UNKNOWN))


def test_every_remembered_answer_is_fabs(app):
    with app.app_context():
        sm = app.appbuilder.sm
        sm._builtin_answers.clear()
        pairs = _pairs(app.appbuilder)
        assert len(pairs) > 100
        granted = 0
        for name in ROLE_NAMES:
            role = sm.find_role(name)
            for perm, view in pairs:
                fab = SecurityManager._has_access_builtin_roles(sm, role, perm, view)
                assert sm._has_access_builtin_roles(role, perm, view) is fab, (name, perm, view)
                assert sm._builtin_answers[(name, perm, view)] is fab
                assert sm._has_access_builtin_roles(role, perm, view) is fab, (name, perm, view)
                granted += fab
        assert 0 < granted < len(ROLE_NAMES) * len(pairs)
        assert len(sm._builtin_answers) == len(ROLE_NAMES) * len(pairs)


def test_the_remembered_answers_are_bounded(app, monkeypatch):
    with app.app_context():
        sm = app.appbuilder.sm
        sm._builtin_answers.clear()
        monkeypatch.setattr(type(sm), "_BUILTIN_ANSWERS_MAX", 5)
        role = sm.find_role(ROLE_NAMES[0])
        for perm, view in _pairs(app.appbuilder)[:40]:
            expected = SecurityManager._has_access_builtin_roles(sm, role, perm, view)
            assert sm._has_access_builtin_roles(role, perm, view) is expected
        assert len(sm._builtin_answers) == 5


def test_each_user_sees_its_roles_menus_only(login_as):
    branch, committee = login_as("gb01-b01").get("/").text, login_as("committee").get("/").text
    assert "/committeeview/list/" in committee
    assert "/committeeview/list/" not in branch
    assert "/branchview/list/" in branch
