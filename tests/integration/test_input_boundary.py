"""The input boundary: bad input answers 400 or 404 with a sentence, never a 500.

Every case below answered 500 before app/views/boundary.py and app/models/values.py.
The test app propagates exceptions (TESTING), so a 500 would fail the test loudly.
"""
import pytest
from sqlalchemy import func, select

from app.models import Branch, Member

BIG = "99999999999999999999999"  # beyond 64 bits: neither database can compare it
NOT_FOUND_ZH, NOT_FOUND_EN = "找不到该记录。", "No such record."

WEB_CASES = [
    (f"/memberview/show/{BIG}", 404, NOT_FOUND_ZH, NOT_FOUND_EN),
    (f"/memberview/edit/{BIG}", 404, NOT_FOUND_ZH, NOT_FOUND_EN),
    ("/memberview/show/abc", 404, NOT_FOUND_ZH, NOT_FOUND_EN),
    (f"/scoring/round/{BIG}", 404, NOT_FOUND_ZH, NOT_FOUND_EN),
    (f"/forms/annex2.xlsx?round={BIG}", 404, NOT_FOUND_ZH, NOT_FOUND_EN),
    ("/forms/annex2.xlsx?round=²", 404, NOT_FOUND_ZH, NOT_FOUND_EN),
    (f"/memberview/list/?page_MemberView={BIG}", 400,
     "参数 page_MemberView 应为一个不太大的非负整数。",
     "The parameter page_MemberView must be a non-negative whole number of reasonable size."),
    ("/memberview/list/?page_MemberView=-1", 400,
     "参数 page_MemberView 应为一个不太大的非负整数。",
     "The parameter page_MemberView must be a non-negative whole number of reasonable size."),
    ("/memberview/list/?psize_MemberView=abc", 400,
     "参数 psize_MemberView 应为一个不太大的非负整数。",
     "The parameter psize_MemberView must be a non-negative whole number of reasonable size."),
    ("/memberview/list/?_oc_MemberView=branch", 400, "列表不能按“branch”排序。", "The list cannot be ordered by “branch”."),
    ("/memberview/list/?_oc_MemberView=branch&_od_MemberView=asc", 400,
     "列表不能按“branch”排序。", "The list cannot be ordered by “branch”."),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("url,status,zh,en", WEB_CASES, ids=[c[0] for c in WEB_CASES])
def test_bad_web_input_answers_with_a_sentence(login_as, url, status, zh, en, lang):
    user = login_as("gb01")
    if lang == "en":
        user.get("/lang/en")
    response = user.get(url)
    assert response.status_code == status
    assert f'data-status="{status}"' in response.text, "not the app's error page"
    assert (zh if lang == "zh" else en) in response.text
    assert "Internal Server Error" not in response.text


def test_an_over_large_web_page_size_is_capped_like_the_api(login_as, app):
    cap = app.config["FAB_API_MAX_PAGE_SIZE"]
    response = login_as("committee").get("/memberview/list/?psize_MemberView=100000")
    assert response.status_code == 200
    assert response.text.count('name="rowid"') == cap


API_CASES = [
    (f"/api/v1/member/{BIG}", 404, NOT_FOUND_ZH),
    (f"/api/v1/branch/{BIG}", 404, NOT_FOUND_ZH),
    ("/api/v1/member/?q=(((((", 400, "查询参数 q 无效：应为 rison 或 JSON 对象。"),
    ("/api/v1/member/_info?q=(((((", 400, "查询参数 q 无效：应为 rison 或 JSON 对象。"),
    ("/api/v1/member/_info?q=1.5", 400, "查询参数 q 无效：应为 rison 或 JSON 对象。"),
    ("/api/v1/member/?q=1.5", 400, "查询参数 q 无效：应为 rison 或 JSON 对象。"),
    (f"/api/v1/member/?q=(page:{BIG})", 400, "查询参数 q 中的数字过大。"),
    ("/api/v1/member/?q=(page:999999999999999999)", 400, "查询参数 q 中的页码无效。"),
    (f"/api/v1/member/?q=(filters:!((col:id,opr:eq,value:{BIG})))", 400, "查询参数 q 中的数字过大。"),
]


@pytest.mark.parametrize("url,status,message", API_CASES, ids=[c[0] for c in API_CASES])
def test_bad_api_input_answers_json_with_a_sentence(api_as, url, status, message):
    response = api_as("gb01").get(url)
    assert response.status_code == status
    assert response.is_json
    assert response.json == {"message": message}


def _ids(session):
    branch = session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    return {"branch": branch.id, "general_branch": branch.general_branch_id, "committee": 1}


BODY_CASES = [
    # (resource, body, field label in the message)
    ("member", {"number": "B-1", "name": "甲", "member_type": "formal", "branch": {"a": 1}}, "「所属党支部」应为一个记录编号（整数）。"),
    ("member", {"number": "B-1", "name": "甲", "member_type": "formal", "branch": [1]}, "「所属党支部」应为一个记录编号（整数）。"),
    ("member", {"number": "B-1", "name": "甲", "member_type": "formal", "branch": int(BIG)}, "「所属党支部」中的数字过大。"),
    ("member", {"number": "B-1", "name": "甲", "member_type": "formal", "branch": True}, "「所属党支部」应为一个记录编号（整数）。"),
    ("generalbranch", {"code": "x", "name": "乙", "committee": {"id": 1}}, "「所属党委」应为一个记录编号（整数）。"),
    ("generalbranch", {"code": "x", "name": "乙", "committee": int(BIG)}, "「所属党委」中的数字过大。"),
    ("contactcadre", {"name": "丙", "general_branch": [1]}, "「所属党总支」应为一个记录编号（整数）。"),
    ("contactcadre", {"name": "丙", "branches": {"id": 1}}, "「联系的党支部」应为记录编号（整数）的列表。"),
    ("contactcadre", {"name": "丙", "branches": [int(BIG)]}, "「联系的党支部」中的数字过大。"),
    ("meeting", {"branch": {"id": 1}, "title": "x"}, "「所属党支部」应为一个记录编号（整数）。"),
    ("rectification", {"branch": {"id": 1}, "problems": "x"}, "「所属党支部」应为一个记录编号（整数）。"),
    ("rectification", {"round": [1], "problems": "x"}, "「考评批次」应为一个记录编号（整数）。"),
    ("scoresheet", {"assessment": {"id": 1}, "source": "self"}, "「考评记录」应为一个记录编号（整数）。"),
    ("scoresheet", {"assessment": int(BIG), "source": "self"}, "「考评记录」中的数字过大。"),
]


@pytest.mark.parametrize("resource,body,message", BODY_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(BODY_CASES)])
def test_a_rest_body_of_the_wrong_shape_is_400(api_as, resource, body, message):
    user = api_as("committee")
    response = user.post(f"/api/v1/{resource}/", json=body)
    assert response.status_code == 400
    assert response.json == {"message": message}


@pytest.mark.parametrize("body", [[1, 2], "text", 5])
def test_a_rest_body_that_is_not_an_object_is_400(api_as, body):
    response = api_as("committee").post("/api/v1/member/", json=body)
    assert response.status_code == 400
    assert response.json == {"message": "请求体应为 JSON 对象。"}


def test_a_put_body_of_the_wrong_shape_is_400(api_as, db_session):
    member = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b01"))
    response = api_as("gb01").put(f"/api/v1/member/{member.id}", json={"branch": {"a": 1}})
    assert response.status_code == 400
    assert response.json == {"message": "「所属党支部」应为一个记录编号（整数）。"}


# ---------------------------------------------------------------- values (app/models/values.py)

VALUE_CASES = [
    ({"gender": "X"}, "「性别」不能是“X”", "“Gender” cannot be “X”"),
    ({"member_type": ""}, "「党员类型」不能为空", "“Member type” cannot be empty"),
    ({"member_type": "honorary"}, "「党员类型」不能是“honorary”", "“Member type” cannot be “honorary”"),
    ({"joined_on": "0001-01-01"}, "「入党日期」的日期 0001-01-01 超出合理范围（1900-01-01 至 2100-12-31）。",
     "“Joined on”: the date 0001-01-01 is outside 1900-01-01 to 2100-12-31."),
    ({"joined_on": "2101-01-01"}, "「入党日期」的日期 2101-01-01 超出合理范围", "is outside 1900-01-01 to 2100-12-31"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("change,zh,en", VALUE_CASES, ids=[next(iter(c[0])) + repr(next(iter(c[0].values()))) for c in VALUE_CASES])
def test_rest_refuses_values_the_import_refuses(api_as, db_session, change, zh, en, lang):
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    user = api_as("gb01")
    body = {"number": "V-0001", "name": "值检", "member_type": "formal", "gender": "F", "branch": branch.id, **change}
    response = user.post("/api/v1/member/?_l_=en" if lang == "en" else "/api/v1/member/", json=body)
    assert response.status_code == 400
    assert (zh if lang == "zh" else en) in response.json["message"]
    assert db_session.scalar(select(func.count()).select_from(Member).where(Member.number == "V-0001")) == 0


def test_rest_put_refuses_an_unknown_code_and_saves_nothing(api_as, db_session):
    member = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b01").order_by(Member.id))
    before = (member.gender, member.name)
    response = api_as("gb01").put(f"/api/v1/member/{member.id}", json={"gender": "X", "name": "改名"})
    assert response.status_code == 400
    assert "「性别」不能是“X”" in response.json["message"]
    db_session.expire_all()
    assert (db_session.get(Member, member.id).gender, db_session.get(Member, member.id).name) == before


def test_rest_strips_invisible_characters(api_as, db_session):
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    response = api_as("gb01").post("/api/v1/member/", json={
        "number": "V-0002", "name": "\u202e李\u200b四\ufeff ", "member_type": "formal", "branch": branch.id,
        "unit": "计算机\u3000\u3000学院\x07",
    })
    assert response.status_code == 201, response.json
    member = db_session.scalar(select(Member).where(Member.number == "V-0002"))
    assert (member.name, member.unit) == ("李四", "计算机 学院")


def test_a_web_form_edit_stores_the_cleaned_name(login_as, db_session):
    member = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b01").order_by(Member.id))
    user = login_as("gb01-b01")
    response = user.post_form(f"/memberview/edit/{member.id}", {
        "number": member.number, "name": "\u202e王\u2066五\u200f\x1b", "gender": member.gender or "",
        "member_type": member.member_type, "branch": member.branch_id,
        "joined_on": member.joined_on.isoformat() if member.joined_on else "", "unit": member.unit or "",
    })
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Member, member.id).name == "王五"


def test_a_web_form_with_an_implausible_date_flashes_the_sentence(login_as, db_session):
    member = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b01").order_by(Member.id))
    before = member.joined_on
    user = login_as("gb01-b01")
    response = user.post_form(f"/memberview/edit/{member.id}", {
        "number": member.number, "name": member.name, "gender": member.gender or "",
        "member_type": member.member_type, "branch": member.branch_id, "joined_on": "2200-01-01",
    }, follow_redirects=True)
    assert "「入党日期」的日期 2200-01-01 超出合理范围（1900-01-01 至 2100-12-31）。" in response.text
    db_session.expire_all()
    assert db_session.get(Member, member.id).joined_on == before
