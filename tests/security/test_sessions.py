"""Sessions end for good: logout kills a copied cookie; a password change, an operator's reset
or a deactivation ends every browser session, access token and refresh token of that user;
the state is in the database, so a second worker agrees."""
import datetime

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select, update

from app.models import GeneralBranch, LoginSession
from tests.conftest import make_app
from tests.support.clients import ApiUser, WebUser
from tests.support.databases import DEMO_PASSWORD

PROTECTED = "/branchview/list/"
NEW_PASSWORD = "New-pass-2026"


def logged_in(client) -> bool:
    return client.get(PROTECTED).status_code == 200


def copy_of(web: WebUser, app):
    """Another browser holding a copy of this one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", web.client.get_cookie("session").value)
    return thief


class Tokens:
    """An API login with a refresh token."""

    def __init__(self, app, username, password=DEMO_PASSWORD):
        self.client = app.test_client()
        body = self.client.post("/api/v1/security/login", json={
            "username": username, "password": password, "provider": "db", "refresh": True}).json
        self.access, self.refresh = body["access_token"], body["refresh_token"]

    def read(self):
        return self.client.get("/api/v1/branch/", headers={"Authorization": f"Bearer {self.access}"}).status_code

    def renew(self):
        return self.client.post("/api/v1/security/refresh",
                                headers={"Authorization": f"Bearer {self.refresh}"}).status_code


def test_logout_ends_the_session_and_a_copied_cookie(app):
    web = WebUser(app, "gb01")
    thief = copy_of(web, app)
    assert logged_in(thief)
    web.get("/logout/")
    assert not logged_in(web.client)
    assert thief.get(PROTECTED).status_code == 302
    assert thief.get(PROTECTED).headers["Location"].startswith("/login/")
    assert logged_in(WebUser(app, "gb01").client)  # a new login works


def test_own_password_change_ends_the_other_sessions_and_every_token(app):
    here, elsewhere = WebUser(app, "gb01"), WebUser(app, "gb01")
    tokens = Tokens(app, "gb01")
    assert tokens.read() == 200 and tokens.renew() == 200
    done = here.post_form("/resetmypassword/form", {"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert logged_in(here.client)            # the browser that changed it stays in
    assert not logged_in(elsewhere.client)
    assert tokens.read() == 401 and tokens.renew() == 401
    fresh = Tokens(app, "gb01", NEW_PASSWORD)
    assert fresh.read() == 200 and fresh.renew() == 200


def test_an_operators_reset_ends_every_session_and_token(app, login_as, db_session):
    victim, tokens = WebUser(app, "gb01"), Tokens(app, "gb01")
    api = ApiUser(app, "gb01")
    gb01 = db_session.scalar(select(User.id).where(User.username == "gb01"))
    admin = login_as("admin")
    done = admin.post_form(f"/resetpassword/form?pk={gb01}", {"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert not logged_in(victim.client)
    assert tokens.read() == 401 and tokens.renew() == 401
    assert api.get("/api/v1/branch/").status_code == 401
    assert logged_in(admin.client)  # the operator's own session is not touched


def test_deactivation_ends_every_session_and_token_and_reactivation_revives_none(app, login_as, db_session):
    victim, tokens = WebUser(app, "gb01"), Tokens(app, "gb01")
    thief = copy_of(victim, app)
    user = db_session.scalar(select(User).where(User.username == "gb01"))
    admin = login_as("admin")
    org_name = db_session.scalar(select(GeneralBranch.name).where(GeneralBranch.code == "gb01"))
    form = {"first_name": user.first_name, "last_name": user.last_name or "x", "username": "gb01",
            "email": user.email, "roles": [str(r.id) for r in user.roles], "org_name": org_name}
    assert admin.post_form(f"/users/edit/{user.id}", form).status_code == 302  # 'active' unticked
    db_session.expire_all()
    assert db_session.get(User, user.id).active is False
    assert not logged_in(victim.client) and not logged_in(thief)
    assert tokens.read() == 401 and tokens.renew() == 401
    assert admin.post_form(f"/users/edit/{user.id}", {**form, "active": "y"}).status_code == 302
    assert not logged_in(thief)
    assert tokens.read() == 401 and tokens.renew() == 401
    assert logged_in(WebUser(app, "gb01").client)


def test_the_cli_password_reset_ends_the_sessions(app):
    web, tokens = WebUser(app, "gb01"), Tokens(app, "gb01")
    result = app.test_cli_runner().invoke(args=["zhibu", "demo", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not logged_in(web.client) and tokens.read() == 401


def test_a_session_ends_after_its_lifetime(app, db_session):
    web = WebUser(app, "gb01")
    assert logged_in(web.client)
    db_session.execute(update(LoginSession).values(expires_at=datetime.datetime(2000, 1, 1)))
    db_session.commit()
    assert not logged_in(web.client)


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_flags(db_factory, secure):
    url = db_factory.fresh_url()
    app = make_app(url, {"SESSION_COOKIE_SECURE": secure})
    try:
        client = app.test_client()
        page = client.get("/login/")
        from tests.support.clients import csrf_token

        response = client.post("/login/", data={"username": "gb01", "password": DEMO_PASSWORD,
                                                "csrf_token": csrf_token(page.text)})
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure
        expires = datetime.datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
        hours = (expires - datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)).total_seconds() / 3600
        assert 7.9 < hours <= 8.0
    finally:
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        db_factory.dispose(url)


def test_a_second_worker_sees_the_logout(app):
    """Two app instances on one database stand for two gunicorn workers."""
    other_worker = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        web = WebUser(app, "gb01")
        cookie = web.client.get_cookie("session").value
        there = other_worker.test_client()
        there.set_cookie("session", cookie)
        assert logged_in(there)
        web.get("/logout/")
        assert not logged_in(there)
    finally:
        with other_worker.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
