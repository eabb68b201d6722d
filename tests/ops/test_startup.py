"""Start-up: a missing, unreachable or outdated database is one clear sentence naming the fix.

On SQLite the database is a file that does not exist (and must still not exist afterwards);
on PostgreSQL it is a database the server does not have. Either way every page is a 503 in
the user's language, the API a JSON 503, and a `flask zhibu` command one line with status 1.
"""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import make_app

INIT = "flask --app app zhibu init"
UPGRADE = "flask --app app db upgrade"


@pytest.fixture
def absent_url(db_factory, tmp_path):
    """A database URL that names nothing: a missing SQLite file, or a PG database never created."""
    url = make_url(db_factory.template_url())
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'never-created.db'}"
    else:
        yield url.set(database="zhibu_never_created_db").render_as_string(hide_password=False)


def _file_of(url):
    url = make_url(url)
    return url.database if url.get_backend_name() == "sqlite" else None


def test_an_absent_database_is_one_503_naming_init_and_no_file_is_left(absent_url):
    import os

    app = make_app(absent_url)
    client = app.test_client()
    for path in ("/", "/login/", "/memberview/list/", "/no/such/page"):
        page = client.get(path)
        assert page.status_code == 503, path
        assert INIT in page.text and "数据库" in page.text
    english = client.get("/?_l_=en")
    assert english.status_code == 503 and INIT in english.text and "database" in english.text
    assert "数据库" not in english.text.split("<body>")[1]
    api = client.get("/api/v1/member/")
    assert api.status_code == 503 and INIT in api.json["message"]
    assert client.get("/static/appbuilder/css/flags/flags16.css").status_code != 503
    result = app.test_cli_runner().invoke(args=["zhibu", "score", "--round", "1"])
    assert result.exit_code == 1 and INIT in result.output and "database" in result.output
    assert result.output.count("\n") == 1  # one line
    if _file_of(absent_url):
        assert not os.path.exists(_file_of(absent_url)), "an empty SQLite file was left behind"


def test_after_init_the_same_app_serves_again(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'later.db'}")
    client = app.test_client()
    assert client.get("/login/").status_code == 503
    result = app.test_cli_runner().invoke(args=["zhibu", "init"])
    assert result.exit_code == 0, result.output
    assert client.get("/login/").status_code == 200


def test_a_schema_behind_the_code_names_db_upgrade(app):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '41f0e640cd5c'"))
    engine.dispose()
    client = app.test_client()
    page = client.get("/login/")
    assert page.status_code == 503
    assert UPGRADE in page.text and "41f0e640cd5c" in page.text
    assert UPGRADE in client.get("/api/v1/branch/").json["message"]
    result = app.test_cli_runner().invoke(args=["zhibu", "score", "--round", "1"])
    assert result.exit_code == 1 and UPGRADE in result.output


def test_a_current_database_is_checked_once_not_per_request(app, monkeypatch):
    from app.services import dbstate

    calls = []
    real = dbstate.probe
    monkeypatch.setattr(dbstate, "probe", lambda: calls.append(1) or real())
    client = app.test_client()
    for _ in range(3):
        assert client.get("/login/").status_code == 200
    assert len(calls) == 1
