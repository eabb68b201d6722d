"""Login protection as an attacker meets it: the throttle per address, the lockout per account
(web and API count together), the operator's unlock, and one answer for every refusal."""
import datetime
import re
import uuid

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select, update

from app.models import AccountGuard

from tests.conftest import make_app
from tests.support.clients import CSRF_RE, ApiUser, WebUser, csrf_token
from tests.support.databases import DEMO_PASSWORD


def web_login(client, username, password):
    """POST the login form; returns (status, Location, the page it leads to)."""
    page = client.get("/login/")
    response = client.post("/login/", data={"username": username, "password": password,
                                            "csrf_token": csrf_token(page.text)})
    after = client.get(response.headers["Location"]) if response.status_code == 302 else response
    # the parts that differ per session and per response: the CSRF token and the CSP nonce
    page = re.sub(r'nonce="[^"]*"', "", CSRF_RE.sub("", after.text))
    return response.status_code, response.headers.get("Location"), page


def api_login(client, username, password):
    response = client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db"})
    return response.status_code, response.get_json()


def fail(client, username, times, api=False):
    for _ in range(times):
        if api:
            assert api_login(client, username, "wrong-Pass-1")[0] == 401
        else:
            assert web_login(client, username, "wrong-Pass-1")[1].startswith("/login/")


def test_ten_failures_lock_the_account_until_the_operator_unlocks_it(app):
    client = app.test_client()
    fail(client, "gb01", 10)
    # the right password now fails too, on the web and on the API
    status, location, _ = web_login(app.test_client(), "gb01", DEMO_PASSWORD)
    assert (status, location) == (302, "/login/?next=/")
    assert api_login(app.test_client(), "gb01", DEMO_PASSWORD)[0] == 401
    # another account is untouched
    WebUser(app, "gb02")
    result = app.test_cli_runner().invoke(args=["zhibu", "unlock", "gb01"])
    assert result.exit_code == 0, result.output
    assert "unlocked gb01" in result.output
    WebUser(app, "gb01")
    ApiUser(app, "gb01")


def test_nine_failures_do_not_lock_and_a_success_restarts_the_count(app):
    client = app.test_client()
    fail(client, "gb01", 9)
    WebUser(app, "gb01")
    fail(client, "gb01", 9, api=True)
    ApiUser(app, "gb01")


def test_api_failures_count_for_the_web_login(app):
    client = app.test_client()
    fail(client, "gb01", 5, api=True)
    fail(client, "gb01", 5)
    assert web_login(app.test_client(), "gb01", DEMO_PASSWORD)[1] == "/login/?next=/"


def test_the_lock_lifts_itself_after_its_time(app, db_session):
    fail(app.test_client(), "gb01", 10)
    assert api_login(app.test_client(), "gb01", DEMO_PASSWORD)[0] == 401
    until = db_session.scalar(select(AccountGuard.locked_until).join(User, User.id == AccountGuard.user_id)
                              .where(User.username == "gb01"))
    expected = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(seconds=900)
    assert abs((until - expected).total_seconds()) < 60
    db_session.execute(update(AccountGuard).values(locked_until=datetime.datetime(2000, 1, 1)))
    db_session.commit()
    ApiUser(app, "gb01")
    # the expired lock's count was not carried over: one failure does not lock again
    fail(app.test_client(), "gb01", 1)
    WebUser(app, "gb01")


def test_unknown_user_wrong_password_and_locked_account_get_the_same_answer(app):
    fail(app.test_client(), "gb02", 10)
    answers_web = {
        "unknown": web_login(app.test_client(), "nobody-here", DEMO_PASSWORD),
        "wrong": web_login(app.test_client(), "gb01", "wrong-Pass-1"),
        "locked": web_login(app.test_client(), "gb02", DEMO_PASSWORD),
    }
    assert len(set(answers_web.values())) == 1, answers_web
    status, location, page = answers_web["locked"]
    assert (status, location) == (302, "/login/?next=/")
    assert "无效的用户名或密码，请重试！" in page
    answers_api = {
        "unknown": api_login(app.test_client(), "nobody-here", DEMO_PASSWORD),
        "wrong": api_login(app.test_client(), "gb01", "wrong-Pass-1"),
        "locked": api_login(app.test_client(), "gb02", DEMO_PASSWORD),
    }
    assert all(a == answers_api["locked"] for a in answers_api.values()), answers_api
    assert answers_api["locked"][0] == 401


def test_unlock_of_an_unknown_user_is_an_error(app):
    result = app.test_cli_runner().invoke(args=["zhibu", "unlock", "nobody-here"])
    assert result.exit_code == 1
    assert "Unknown user nobody-here" in result.output


@pytest.fixture
def limited(db_factory):
    """Apps with the throttle on (TEST_OVERRIDES keeps it off): 3 login attempts a minute."""
    made = []

    def build(**extra):
        url = db_factory.fresh_url() if not made else made[0][1]
        application = make_app(url, {"RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": "3 per minute", **extra})
        made.append((application, url))
        return application

    yield build
    for application, _url in made:
        with application.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
    if made:
        db_factory.dispose(made[0][1])


def test_the_web_login_is_throttled_per_address(limited):
    app = limited()
    client = app.test_client()
    for _ in range(3):
        assert web_login(client, "gb01", "wrong-Pass-1")[0] == 302
    page = client.get("/login/")  # reading the form is not counted
    assert page.status_code == 200
    response = client.post("/login/", data={"username": "gb01", "password": DEMO_PASSWORD,
                                            "csrf_token": csrf_token(page.text)})
    assert response.status_code == 429
    assert "尝试次数过多，请稍后再试。" in response.text
    other = app.test_client()  # another address is not held back
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    assert web_login(other, "gb02", DEMO_PASSWORD)[0] == 302
    assert other.get("/").status_code == 200


def test_the_api_login_is_throttled_per_address(limited):
    app = limited()
    client = app.test_client()
    for _ in range(3):
        assert api_login(client, "gb01", "wrong-Pass-1")[0] == 401
    status, body = api_login(client, "gb01", DEMO_PASSWORD)
    assert status == 429
    assert body == {"message": "尝试次数过多，请稍后再试。"}


def _redis_up(url):
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no server to test against
        return False


REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.skipif(not _redis_up(REDIS_URL), reason="no Redis at 127.0.0.1:6379")
def test_with_redis_every_worker_counts_the_same_attempts(limited):
    """Two apps stand for two gunicorn workers: with ZHIBU_REDIS_URL they share one count."""
    prefix = f"zhibu-test-{uuid.uuid4().hex}"
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    worker_a, worker_b = limited(**settings), limited(**settings)
    assert api_login(worker_a.test_client(), "gb01", "wrong-Pass-1")[0] == 401
    assert api_login(worker_b.test_client(), "gb01", "wrong-Pass-1")[0] == 401
    assert api_login(worker_a.test_client(), "gb01", "wrong-Pass-1")[0] == 401
    assert api_login(worker_b.test_client(), "gb01", DEMO_PASSWORD)[0] == 429
