"""Error pages: 400, 403, 404, 413, 500 in the app's layout, zh and en; JSON under /api/."""
import pytest

from tests.conftest import fresh_app
from tests.support.clients import csrf_token

ZH = {
    400: ("请求有误", "参数 page_MemberView 应为一个不太大的非负整数。"),
    403: ("无权访问", "您没有权限访问此页面或执行此操作。"),
    404: ("页面不存在", "找不到您要访问的页面或记录。"),
    413: ("上传的内容过大", "上传的文件超过大小上限 4 KB。请拆分成几个文件分批导入。"),
    500: ("服务器内部错误", "服务器出错了，请稍后重试；如果问题持续，请联系系统管理员。"),
}
EN = {
    400: ("Bad request", "The parameter page_MemberView must be a non-negative whole number of reasonable size."),
    403: ("Access denied", "You do not have permission to open this page or do this."),
    404: ("Not found", "The page or record you asked for does not exist."),
    413: ("Request too large", "The file is larger than the limit of 4 KB. Split it into several files."),
    500: ("Internal server error",
          "Something went wrong on the server. Try again later; if it persists, contact the administrator."),
}
HOME = {"zh": "返回首页", "en": "Back to home"}


def _boom():
    raise RuntimeError("a bug")


@pytest.fixture
def app(db_factory):
    """An app of its own: these tests add routes, which an app that has served requests refuses."""
    yield from fresh_app(db_factory)


@pytest.fixture
def failing_app(app):
    """The app with a route that fails, web and API, answered by the handlers (not raised)."""
    app.add_url_rule("/_test/boom", "test_boom", _boom)
    app.add_url_rule("/api/v1/_test/boom", "test_api_boom", _boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["MAX_CONTENT_LENGTH"] = app.config["ZHIBU_IMPORT_MAX_BYTES"] = 4096
    return app


def _trigger(user, status):
    if status == 400:
        return user.get("/memberview/list/?page_MemberView=abc")
    if status == 403:
        return user.get("/committeeview/list/")  # a branch user has no committee list
    if status == 404:
        return user.get("/no/such/page")
    if status == 413:
        return user.client.post("/memberview/add", data={"name": "x" * 10000})
    return user.get("/_test/boom")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 413, 500])
def test_error_page_in_the_layout(failing_app, login_as, status, lang):
    user = login_as("gb01-b01")
    if lang == "en":
        user.get("/lang/en")
    response = _trigger(user, status)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.text
    heading, sentence = (ZH if lang == "zh" else EN)[status]
    assert f'data-status="{status}"' in page
    assert heading in page and sentence in page
    assert HOME[lang] in page and 'href="/"' in page
    assert 'class="navbar' in page, "the app's navbar (FAB layout) is missing"
    assert "a bug" not in page and "Traceback" not in page


def test_anonymous_404_renders_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert 'data-status="404"' in response.text and "返回首页" in response.text


def test_an_abort_description_is_the_sentence(login_as):
    response = login_as("gb01").get("/memberview/show/99999999999999999999999")
    assert response.status_code == 404
    assert "找不到该记录。" in response.text and "页面不存在" in response.text


API_CASES = [
    # (method, url, status, zh message, en message)
    ("get", "/api/v1/member/99999999999999999999999", 404, "找不到该记录。", "No such record."),
    ("get", "/api/v1/nosuchthing/", 404, "找不到您要访问的页面或记录。", "The page or record you asked for does not exist."),
    ("get", "/api/v1/member/?q=(((((", 400, "查询参数 q 无效：应为 rison 或 JSON 对象。",
     "The query parameter q is not valid: it must be a rison or JSON object."),
    ("delete", "/api/v1/member/", 405, "此地址不接受这种请求方式。", "This address does not accept this kind of request."),
    ("post", "/api/v1/member/", 413, "上传的内容超过了允许的大小。", "The upload is larger than allowed."),
    ("get", "/api/v1/_test/boom", 500, ZH[500][1], EN[500][1]),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("method,url,status,zh,en", API_CASES, ids=[f"{c[2]}-{c[1]}" for c in API_CASES])
def test_api_errors_are_json(failing_app, api_as, method, url, status, zh, en, lang):
    user = api_as("gb01")
    url = url + ("&" if "?" in url else "?") + "_l_=en" if lang == "en" else url
    kwargs = {"json": {"name": "x" * 10000}} if method == "post" else {}
    response = getattr(user.client, method)(url, headers=user.headers, **kwargs)
    assert response.status_code == status
    assert response.is_json, response.text[:200]
    assert response.json == {"message": zh if lang == "zh" else en}


def test_api_forbidden_is_json(api_as):
    response = api_as("gb01-b01").post("/api/v1/generalbranch/", json={"name": "x", "committee": 1})
    assert response.status_code == 403
    assert response.is_json and "message" in response.json


def test_login_form_still_works_with_the_handlers(client):
    """The handlers answer errors only: a normal form post is untouched."""
    page = client.get("/login/")
    response = client.post("/login/", data={"username": "gb01", "password": "wrong", "csrf_token": csrf_token(page.text)})
    assert response.status_code in (200, 302)
