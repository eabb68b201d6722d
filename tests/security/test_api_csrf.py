"""The REST API and CSRF: a write riding on the browser's session cookie needs the session's
CSRF token (X-CSRFToken); a JWT call needs none. Nothing is written on refusal."""
import pytest
from sqlalchemy import func, select

from app.models import Branch, Member

ZH = "浏览器会话写入 API 须带 CSRF 令牌（请求头 X-CSRFToken）；程序调用请用 JWT。"
EN = ("A write to the API from a browser session needs the CSRF token (header X-CSRFToken); "
      "programs use a JWT.")


def _body(db_session, number):
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    return {"number": number, "name": "跨站", "member_type": "formal", "gender": "F", "branch": branch.id}


def _count(db_session, number):
    db_session.expire_all()
    return db_session.scalar(select(func.count(Member.id)).where(Member.number == number))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_cookie_write_without_the_token_is_refused(login_as, db_session, lang):
    web = login_as("gb01")
    url = "/api/v1/member/?_l_=en" if lang == "en" else "/api/v1/member/"
    response = web.client.post(url, json=_body(db_session, "X-0001"))
    assert response.status_code == 400
    assert response.json == {"message": ZH if lang == "zh" else EN}
    assert _count(db_session, "X-0001") == 0


def test_a_forged_form_post_is_refused(login_as, db_session):
    """What another site can send: a form post with the victim's cookie and no header."""
    web = login_as("gb01")
    response = web.client.post("/api/v1/member/", data=_body(db_session, "X-0002"))
    assert response.status_code == 400
    assert _count(db_session, "X-0002") == 0


def test_a_cookie_write_with_the_token_works_put_and_delete_too(login_as, db_session):
    web = login_as("gb01")
    token = {"X-CSRFToken": web.token()}
    created = web.client.post("/api/v1/member/", json=_body(db_session, "X-0003"), headers=token)
    assert created.status_code == 201, created.text
    pk = created.json["id"]
    assert web.client.put(f"/api/v1/member/{pk}", json={"name": "改名"}).status_code == 400
    assert web.client.put(f"/api/v1/member/{pk}", json={"name": "改名"}, headers=token).status_code == 200
    assert web.client.delete(f"/api/v1/member/{pk}").status_code == 400
    assert _count(db_session, "X-0003") == 1
    assert web.client.delete(f"/api/v1/member/{pk}", headers=token).status_code == 200
    assert _count(db_session, "X-0003") == 0


def test_a_cookie_read_needs_no_token(login_as):
    assert login_as("gb01").client.get("/api/v1/member/").status_code == 200


def test_a_jwt_write_needs_no_token(api_as, db_session):
    response = api_as("gb01").post("/api/v1/member/", json=_body(db_session, "X-0004"))
    assert response.status_code == 201, response.text
    assert _count(db_session, "X-0004") == 1
