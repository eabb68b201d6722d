"""民主评议党员 results as the branch enters them after its meeting: the form, the member's
page, the REST API, and the xlsx import with its dry run (the roster import's machinery)."""
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.imports import APPRAISAL_SPEC
from app.models import Branch, Member, MemberAppraisal
from tests.support.rosters import confirm, record_id, summary_of, text_of, upload, xlsx

HEADERS = [c.header_zh for c in APPRAISAL_SPEC.columns]
LAST_YEAR = date.today().year - 1


def _members(session, branch_code, n=3):
    return session.execute(select(Member.id, Member.number, Member.name).join(Branch)
                           .where(Branch.code == branch_code).order_by(Member.number).limit(n)).all()


def _count(session, **where):
    session.rollback()
    stmt = select(func.count(MemberAppraisal.id))
    for key, value in where.items():
        stmt = stmt.where(getattr(MemberAppraisal, key) == value)
    return session.scalar(stmt)


def test_the_branch_enters_a_result_and_the_member_page_shows_it(login_as, db_session):
    branch = login_as("gb01-b01")
    (mid, _number, name), = _members(db_session, "gb01-b01", 1)
    response = branch.post_form("/memberappraisalview/add", {"member": mid, "year": LAST_YEAR, "result": "excellent",
                                                             "note": "会上一致推荐"})
    assert response.status_code == 302
    assert _count(db_session, member_id=mid, year=LAST_YEAR, result="excellent") == 1
    page = text_of(branch.get(f"/memberview/show/{mid}").text)
    assert "民主评议党员结果" in page and f"{LAST_YEAR}：优秀" in page
    # the same member and year again: a sentence, nothing saved
    again = branch.post_form("/memberappraisalview/add", {"member": mid, "year": LAST_YEAR, "result": "qualified"},
                             follow_redirects=True)
    assert "已存在" in text_of(again.text) or "已有" in text_of(again.text)
    assert _count(db_session, member_id=mid) == 1
    # a year not yet come: refused in words
    future = branch.post_form("/memberappraisalview/add", {"member": mid, "year": date.today().year + 1,
                                                           "result": "qualified"}, follow_redirects=True)
    assert "民主评议会议开过之后才录入结果" in text_of(future.text)
    assert _count(db_session, member_id=mid) == 1
    # in English, the label of the result
    english = login_as("gb01-b01")
    english.get("/lang/en")
    assert f"{LAST_YEAR}" in text_of(english.get(f"/memberview/show/{mid}").text)


def test_a_branch_cannot_enter_another_branchs_member(login_as, db_session, api_as):
    (foreign, _n, _name), = _members(db_session, "gb01-b02", 1)
    branch = login_as("gb01-b01")
    response = branch.post_form("/memberappraisalview/add", {"member": foreign, "year": LAST_YEAR,
                                                             "result": "qualified"}, token_from="/memberappraisalview/add")
    assert response.status_code == 200  # the form again: the choice is not offered
    assert _count(db_session) == 0
    api = api_as("gb01-b01")
    response = api.post("/api/v1/memberappraisal/", {"member": foreign, "year": LAST_YEAR, "result": "qualified"})
    assert response.status_code == 400 and "不在您的管理范围内" in response.json["message"]
    assert _count(db_session) == 0


def test_the_rest_api_is_scoped_and_checks_every_value(api_as, db_session):
    (mid, _n, _name), (mid2, _n2, _name2) = _members(db_session, "gb01-b01", 2)
    api = api_as("gb01-b01")
    created = api.post("/api/v1/memberappraisal/", {"member": mid, "year": LAST_YEAR, "result": "basic"})
    assert created.status_code == 201, created.json
    pk = created.json["id"]
    assert api.get(f"/api/v1/memberappraisal/{pk}").json["result"]["result"] == "basic"
    for bad in ({"result": "great"}, {"year": 1800}, {"year": 99999999999999999999999999999}, {"result": ""}):
        response = api.put(f"/api/v1/memberappraisal/{pk}", {**bad})
        assert response.status_code in (400, 422), (bad, response.json)
    assert _count(db_session, id=pk, result="basic", year=LAST_YEAR) == 1
    # changing the member of a result is refused (a result belongs to its member)
    response = api.put(f"/api/v1/memberappraisal/{pk}", {"member": mid2})
    assert response.status_code == 403
    assert _count(db_session, id=pk, member_id=mid) == 1
    # another branch and another general branch do not see it
    assert api_as("gb01-b02").get(f"/api/v1/memberappraisal/{pk}").status_code == 404
    assert api_as("gb02").get(f"/api/v1/memberappraisal/{pk}").status_code == 404
    assert api_as("gb02").delete(f"/api/v1/memberappraisal/{pk}").status_code == 404
    # its general branch and the committee do
    assert api_as("gb01").get(f"/api/v1/memberappraisal/{pk}").status_code == 200
    assert api_as("committee").get(f"/api/v1/memberappraisal/{pk}").status_code == 200
    assert api.delete(f"/api/v1/memberappraisal/{pk}").status_code == 200
    assert _count(db_session) == 0


def test_a_member_with_results_is_not_deleted_with_them(login_as, db_session, api_as):
    (mid, _n, _name), = _members(db_session, "gb01-b03", 1)
    assert api_as("gb01").post("/api/v1/memberappraisal/", {"member": mid, "year": LAST_YEAR,
                                                              "result": "qualified"}).status_code == 201
    response = api_as("gb01").delete(f"/api/v1/member/{mid}")
    assert response.status_code == 400 and "民主评议党员结果" in response.json["message"]
    assert _count(db_session, member_id=mid) == 1


def test_the_import_dry_run_then_confirm(login_as, db_session):
    members = _members(db_session, "gb01-b01", 3)
    branch = login_as("gb01-b01")
    rows = [[members[0].number, members[0].name, LAST_YEAR, "优秀", None],
            [members[1].number, None, LAST_YEAR, "基本合格", "需加强学习"],
            [members[2].number, members[2].name, LAST_YEAR, "合格", None]]
    response = upload(branch, xlsx(rows, headers=HEADERS, sheet="民主评议结果"), kind="appraisals",
                      filename="评议.xlsx")
    pk = record_id(response)
    page = branch.get(f"/imports/result/{pk}").text
    assert summary_of(page) == {"new": 3, "updated": 0, "unchanged": 0, "errors": 0}
    assert _count(db_session) == 0  # a dry run changes nothing
    assert confirm(branch, pk).status_code == 302
    assert _count(db_session, year=LAST_YEAR) == 3
    assert _count(db_session, member_id=members[1].id, result="basic") == 1
    # the export round-trips: importing it back changes nothing
    exported = branch.get("/imports/export/appraisals")
    assert exported.status_code == 200
    sheet = load_workbook(__import__("io").BytesIO(exported.data)).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == HEADERS[:4]
    again = record_id(upload(branch, exported.data, kind="appraisals", filename="export.xlsx"))
    assert summary_of(branch.get(f"/imports/result/{again}").text) == {"new": 0, "updated": 0, "unchanged": 3,
                                                                        "errors": 0}
    # a changed result is an update
    rows[0][3] = "合格"
    changed = record_id(upload(branch, xlsx(rows, headers=HEADERS, sheet="民主评议结果"), kind="appraisals"))
    assert summary_of(branch.get(f"/imports/result/{changed}").text)["updated"] == 1
    assert confirm(branch, changed).status_code == 302
    assert _count(db_session, member_id=members[0].id, result="qualified") == 1


def test_the_import_refuses_foreign_numbers_wrong_names_and_future_years(login_as, db_session):
    own, = _members(db_session, "gb01-b01", 1)
    foreign, = _members(db_session, "gb01-b02", 1)
    branch = login_as("gb01-b01")
    rows = [[foreign.number, foreign.name, LAST_YEAR, "优秀", None],
            [own.number, "不是这个人", LAST_YEAR, "优秀", None],
            [own.number, own.name, date.today().year + 1, "优秀", None],
            [own.number, own.name, LAST_YEAR - 1, "很好", None]]
    pk = record_id(upload(branch, xlsx(rows, headers=HEADERS, sheet="民主评议结果"), kind="appraisals"))
    page = branch.get(f"/imports/result/{pk}").text
    text = text_of(page)
    assert summary_of(page)["errors"] == 4
    assert f"第 2 行：在您管理的党员中找不到学号/工号“{foreign.number}”" in text
    assert f"第 3 行：学号/工号“{own.number}”在名册中的姓名是“{own.name}”" in text
    assert "第 4 行：年度" in text and "还没有到" in text
    assert "第 5 行" in text
    assert confirm(branch, pk).status_code == 302
    assert _count(db_session) == 0
    # a member roster is not an appraisal file
    from tests.support.rosters import member, org_names

    gb, b = org_names(db_session, "gb01-b01")
    response = upload(branch, xlsx([member("X1", "某某", gb, b)]), kind="appraisals")
    assert response.status_code == 400 and "这是党员名册文件" in text_of(response.text)


def test_the_template_downloads_in_both_languages(login_as):
    branch = login_as("gb01-b01")
    zh = branch.get("/imports/template/appraisals")
    assert zh.status_code == 200
    book = load_workbook(__import__("io").BytesIO(zh.data))
    assert book.sheetnames[0] == "民主评议结果" and [c.value for c in book.worksheets[0][1]] == HEADERS
    branch.get("/lang/en")
    en = branch.get("/imports/template/appraisals")
    assert load_workbook(__import__("io").BytesIO(en.data)).sheetnames[0] == "Appraisals"
