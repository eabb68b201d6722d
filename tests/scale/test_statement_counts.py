"""No N+1 anywhere a list is drawn: every list page, REST list and home sends the same number of
SQL statements whatever the page size and however many rows the scope holds (two `zhibu synth`
sizes, the second ten times the first)."""
import pytest
from sqlalchemy import event

from app.views.base import ScopedModelRestApi, ScopedModelView
from tests.conftest import fresh_app
from tests.support.clients import ApiUser, WebUser

PASSWORD = "synth-pass-1"
USERS = ("synth-committee", "synth-gb", "synth-branch")
SIZES = {  # general branches, branches, members: the large one is ten times the small one
    "small": ("2", "8", "160"),
    "large": ("2", "80", "1600"),
}


@pytest.fixture(scope="module")
def worlds(db_factory):
    """Two apps on fresh databases, each with a synth data set under one committee."""
    made = {}
    gens = []
    for size, (gbs, branches, members) in SIZES.items():
        gen = fresh_app(db_factory)
        app = next(gen)
        gens.append(gen)
        result = app.test_cli_runner().invoke(args=[
            "zhibu", "synth", "--committees", "1", "--general-branches", gbs, "--branches", branches,
            "--members", members, "--meetings", "3", "--training", "3", "--one-committee", "--password", PASSWORD])
        assert result.exit_code == 0, result.output
        made[size] = app
    yield made
    for gen in gens:
        next(gen, None)


def _views(app):
    """(kind, name, path with a page size) of every scoped list page and REST list."""
    found = []
    for view in app.appbuilder.baseviews:
        if isinstance(view, ScopedModelView):
            name = type(view).__name__
            found.append(("web", name, f"{view.route_base}/list/?psize_{name}={{n}}"))
        elif isinstance(view, ScopedModelRestApi):
            found.append(("api", view.resource_name, f"/api/v1/{view.resource_name}/?q=(page:0,page_size:{{n}})"))
    return sorted(found)


def _counter(app):
    from app.extensions import db

    count = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: count.__setitem__(0, count[0] + 1))
    return count


def _statements(get, count, path):
    """Statements of one GET of path, after a warm-up; None where the role has no such page."""
    get(path)
    count[0] = 0
    response = get(path)
    if response.status_code == 403:
        return None
    assert response.status_code == 200, (path, response.status_code)
    return count[0]


@pytest.mark.parametrize("username", USERS)
def test_every_list_rest_list_and_home_is_constant_in_page_size_and_rows(worlds, username):
    seen = {}  # page -> {(size, page size): statements}
    for size, app in worlds.items():
        count = _counter(app)
        web, api = WebUser(app, username, PASSWORD), ApiUser(app, username, PASSWORD)
        seen.setdefault("home", {})[size] = _statements(web.client.get, count, "/")
        for kind, name, path in _views(app):
            get = web.client.get if kind == "web" else api.get
            for n in (5, 20):
                statements = _statements(get, count, path.format(n=n))
                if statements is not None:
                    seen.setdefault(name, {})[(size, n)] = statements
    assert len(seen) > 10  # every list page and REST list the role may read was drawn
    assert all(len(counts) == 4 for name, counts in seen.items() if name != "home")
    varying = {name: counts for name, counts in seen.items() if len(set(counts.values())) > 1}
    assert not varying, varying


def test_making_the_notices_and_the_inbox_are_constant_in_branches_and_users(worlds):
    """generate_notices reads every user, round, item and branch in a few grouped statements, and
    a user's inbox costs the same however many notices the others have."""
    from datetime import date

    from app.services.notices import generate_notices

    made, inbox = {}, {}
    for size, app in worlds.items():
        count = _counter(app)
        with app.app_context():
            count[0] = 0
            kinds = generate_notices(date(2012, 4, 12))   # six days before the synth round's deadline
            made[size] = count[0]
        assert kinds["round_deadline_7"] == len(USERS) and sum(kinds.values()) > len(USERS), kinds
        for username in USERS:
            web = WebUser(app, username, PASSWORD)
            inbox[(size, username)] = _statements(web.client.get, count, "/notices/")
    assert made["small"] == made["large"], made
    assert all(inbox[("small", u)] == inbox[("large", u)] for u in USERS), inbox
