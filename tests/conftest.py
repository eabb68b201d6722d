"""Fixtures: a fresh database per test (SQLite, and PostgreSQL when named), real logins.

pytest-flask's own `app`/`client` keep one app context for a whole test, so two test
clients would share g.user (ARCHITECTURE.md fact 6): we replace `app`, `client` and
`_push_request_context`.
"""
import os
import tempfile
from pathlib import Path

import pytest

from tests.support.clients import ApiUser, WebUser
from tests.support.databases import (
    DEMO_PASSWORD, PostgresFactory, SqliteFactory, backends, pg_server_url,
)

TEST_OVERRIDES = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": True,
    "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "RATELIMIT_ENABLED": False,
}


def make_app(url: str, overrides: dict | None = None):
    """A zhibu app on the given database (plus settings a test turns on, e.g. the throttle)."""
    from app import create_app

    return create_app({**TEST_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url, **(overrides or {})})


def _prepare_template(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        from app.extensions import db
        from app.services.demo import load_demo
        from app.services.setup import initialize

        initialize()
        load_demo(password=DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session", params=backends())
def db_factory(request):
    """One prepared template database per backend for the whole run."""
    if request.param == "postgresql":
        factory = PostgresFactory(pg_server_url())
    else:
        factory = SqliteFactory(Path(tempfile.mkdtemp(prefix="zhibu-test-")))
    try:
        _prepare_template(factory.template_url())
        yield factory
    finally:
        factory.close()


def _release(application) -> None:
    """Close the app's sessions and connections, so its database can be dropped or replaced."""
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def fresh_app(db_factory):
    """A zhibu app of its own on a fresh copy of the demo database, dropped afterwards (a generator)."""
    url = db_factory.fresh_url()
    application = make_app(url)
    yield application
    _release(application)
    db_factory.dispose(url)


class ReusedApp:
    """One app per backend for the run, on a database put back to the demo copy for every test.

    Building the app (views, blueprints, schemas, routes) costs 0.6-1 s and its first page
    compiles the templates; thousands of tests would pay that on every run. The database is
    still a fresh copy per test, and the settings and extension slots a test may change
    (``app.config[...] = ``, the daily-notice marker, the database-state cache) are restored
    from what the app had when built. A test that changes the app itself (adds a route, builds
    it with other settings) uses ``fresh_app`` or ``make_app`` instead.
    """

    def __init__(self, db_factory):
        self.factory = db_factory
        self.url = db_factory.fresh_url()
        self.app = make_app(self.url)
        self.config = dict(self.app.config)
        self.extensions = dict(self.app.extensions)
        self.used = False

    def checkout(self):
        if self.used:
            self.factory.reset(self.url)
        self.used = True
        for live, built in ((self.app.config, self.config), (self.app.extensions, self.extensions)):
            live.clear()
            live.update(built)
        return self.app

    def checkin(self) -> None:
        _release(self.app)


@pytest.fixture(scope="session")
def _reused_apps():
    return {}


@pytest.fixture
def app(db_factory, _reused_apps):
    """A zhibu app on a fresh copy of the demo database (the app object is reused: ReusedApp)."""
    reused = _reused_apps.get(id(db_factory))
    if reused is None:
        reused = _reused_apps[id(db_factory)] = ReusedApp(db_factory)
    yield reused.checkout()
    reused.checkin()


@pytest.fixture
def live_server(app):
    """The test app on a threaded werkzeug server on a free loopback port, for one test."""
    import threading

    from werkzeug.serving import make_server

    from app.views.headers import ZhibuRequestHandler

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=ZhibuRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def client(app):
    """An anonymous test client."""
    return app.test_client()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's: no request context shared across a whole test."""
    yield


@pytest.fixture
def login_as(app):
    """login_as('gb01') -> a web client logged in as that demo user."""
    return lambda username, password=DEMO_PASSWORD: WebUser(app, username, password)


@pytest.fixture
def api_as(app):
    """api_as('gb01') -> a REST client holding that user's JWT."""
    return lambda username, password=DEMO_PASSWORD: ApiUser(app, username, password)


@pytest.fixture
def db_session(app):
    """A session of its own on the test database, outside any app context.

    Holding an app context across requests would make them share flask.g (fact 6).
    """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    session = Session(engine)
    yield session
    session.close()
    engine.dispose()


def pytest_sessionfinish(session, exitstatus):
    """In CI, a run that skipped the browser or PostgreSQL tests has not passed."""
    if os.environ.get("CI") != "true":
        return
    problems = []
    if not pg_server_url():
        problems.append("ZHIBU_TEST_DATABASE_URL is not set: the PostgreSQL run did not happen")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if any("browser" in str(getattr(r, "nodeid", "")) for r in skipped):
        problems.append("browser tests were skipped")
    if problems:
        for problem in problems:
            print(f"\nCI: {problem}")
        session.exitstatus = 1
