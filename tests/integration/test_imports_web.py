"""Roster import and export over HTTP, as real users with CSRF: every bad input says what is
wrong and changes nothing; a clean file is applied in one step; exports round-trip."""
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.imports import member_template
from app.models import Branch, ImportRecord, Member
from tests.support.rosters import (
    BRANCH_HEADERS, MEMBER_HEADERS, branch_row, confirm, import_count, member, org_names, record_id,
    snapshot, summary_of, text_of, upload, xlsx,
)
from tests.support.jobs import run_job


@pytest.fixture
def gb01(login_as):
    return login_as("gb01")


@pytest.fixture
def own(db_session):
    """(general branch, branch) names of gb01-b02, a branch gb01 manages."""
    return tuple(org_names(db_session, "gb01-b02"))


def _refused(response, *fragments, status=400):
    """A whole-file refusal: the upload page again, with the message."""
    assert response.status_code == status, response.status_code
    text = text_of(response.text)
    for fragment in fragments:
        assert fragment in text, (fragment, text[:3000])


def _result(user, response):
    pk = record_id(response)
    page = user.get(f"/imports/result/{pk}")
    assert page.status_code == 200
    return pk, page.text


# ---------------------------------------------------------------- whole-file problems


def test_not_an_xlsx_is_refused(gb01, db_session):
    before, records = snapshot(db_session), import_count(db_session)
    csv = "学号/工号,姓名\n2012001,张三\n".encode("utf-8")
    _refused(upload(gb01, csv, filename="名册.xlsx"), "不是 Excel 工作簿", "另存为")
    assert snapshot(db_session) == before and import_count(db_session) == records


def test_corrupt_file_is_refused(gb01, db_session, own):
    before = snapshot(db_session)
    data = xlsx([member("Z0001", "张三", *own)])
    _refused(upload(gb01, data[: len(data) // 2]), "文件已损坏或不完整")
    assert snapshot(db_session) == before


def test_password_protected_file_is_refused(gb01, db_session):
    before = snapshot(db_session)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    _refused(upload(gb01, ole), "文件设置了打开密码")
    assert snapshot(db_session) == before


def test_file_over_the_configured_limit_is_refused(app, gb01, db_session, own):
    before = snapshot(db_session)
    app.config["ZHIBU_IMPORT_MAX_BYTES"] = 6000
    data = xlsx([member(f"Z{i:05d}", "张三", *own) for i in range(200)])
    assert len(data) > 6000
    _refused(upload(gb01, data), "超过上限 6 KB", "请拆分成几个文件")
    assert snapshot(db_session) == before


def test_request_over_max_content_length_gets_a_clean_413(app, gb01, db_session):
    before = snapshot(db_session)
    app.config["ZHIBU_IMPORT_MAX_BYTES"] = 10_000
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    response = upload(gb01, b"PK\x03\x04" + b"\x00" * 50_000)
    _refused(response, "上传的文件超过大小上限 10 KB", "名册导入导出", status=413)
    assert snapshot(db_session) == before


def test_default_limits(app):
    assert app.config["ZHIBU_IMPORT_MAX_BYTES"] == 20 * 1024 * 1024
    assert app.config["ZHIBU_IMPORT_MAX_BYTES"] < app.config["MAX_CONTENT_LENGTH"] <= 22 * 1024 * 1024


def test_zip_bomb_is_refused(gb01, db_session):
    before = snapshot(db_session)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * (30 * 1024 * 1024))
    _refused(upload(gb01, out.getvalue()), "解压后的体积异常")
    assert snapshot(db_session) == before


def test_missing_or_renamed_required_columns_are_refused(gb01, db_session, own):
    before = snapshot(db_session)
    headers = ["编号" if h == "学号/工号" else h for h in MEMBER_HEADERS]
    _refused(upload(gb01, xlsx([member("Z0001", "张三", *own)], headers=headers)),
             "缺少必填列", "“学号/工号”", "无法识别的列", "“编号”")
    assert snapshot(db_session) == before


def test_wrong_roster_kind_is_refused(gb01, db_session, own):
    before = snapshot(db_session)
    data = xlsx([branch_row(own[0], "新支部")], headers=BRANCH_HEADERS, sheet="支部名册")
    _refused(upload(gb01, data, kind="members"), "这是支部名册文件，不能用来导入党员名册")
    assert snapshot(db_session) == before


def test_no_file_chosen(gb01):
    from tests.support.clients import csrf_token

    token = csrf_token(gb01.get("/imports/").text)
    response = gb01.client.post("/imports/upload", data={"csrf_token": token, "kind": "members"})
    _refused(response, "请选择要上传的文件")


def test_upload_without_csrf_token_is_refused(gb01, db_session, own):
    records = import_count(db_session)
    response = gb01.client.post("/imports/upload", data={
        "kind": "members", "file": (io.BytesIO(xlsx([member("Z0001", "张三", *own)])), "a.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert import_count(db_session) == records


# ---------------------------------------------------------------- row problems (dry run page)


def _dry_run_with_errors(user, db_session, data, kind="members"):
    """Upload, expect a dry run listing errors and no confirm button; roster unchanged."""
    before = snapshot(db_session)
    pk, html = _result(user, upload(user, data, kind=kind))
    assert "confirm-button" not in html
    assert "本次不能导入" in html
    # Even a forged confirm changes nothing.
    response = confirm(user, pk)
    assert response.status_code == 302
    assert snapshot(db_session) == before
    db_session.rollback()
    assert db_session.get(ImportRecord, pk).status in ("dry_run", "failed")
    return text_of(html)


def test_duplicate_numbers_are_row_errors(gb01, db_session, own):
    text = _dry_run_with_errors(gb01, db_session, xlsx([
        member("Z0001", "张三", *own), member("Z0002", "李四", *own), member("z0001", "王五", *own)]))
    assert "第 4 行：学号/工号“z0001”与第 2 行重复" in text
    assert "4 学号/工号" in text   # the row and column cells of the error table


def test_unknown_branch_is_a_row_error(gb01, db_session, own):
    text = _dry_run_with_errors(gb01, db_session, xlsx([member("Z0001", "张三", own[0], "不存在的党支部")]))
    assert "第 2 行：在您可管理的党支部中找不到“{} / 不存在的党支部”".format(own[0]) in text


def test_unknown_general_branch_is_a_row_error_for_branches(gb01, db_session, own):
    data = xlsx([branch_row("不存在的党总支", "某支部")], headers=BRANCH_HEADERS, sheet="支部名册")
    text = _dry_run_with_errors(gb01, db_session, data, kind="branches")
    assert "第 2 行：在您可管理的党总支中找不到“不存在的党总支”" in text


def test_dates_as_text(gb01, db_session, own):
    text = _dry_run_with_errors(gb01, db_session, xlsx([
        member("Z0001", "张三", *own, joined="2012年4月18日"),   # accepted form
        member("Z0002", "李四", *own, joined="去年七一"),          # not a date
    ]))
    assert "第 3 行 E 列“入党日期”" in text and "2012-04-18" in text
    assert "第 2 行" not in text


def test_numbers_as_text_and_numbers_as_numbers(gb01, db_session, own):
    data = xlsx([branch_row(own[0], "测试一支部", term="3"), branch_row(own[0], "测试二支部", term="三年")],
                headers=BRANCH_HEADERS, sheet="支部名册")
    text = _dry_run_with_errors(gb01, db_session, data, kind="branches")
    assert "第 3 行 G 列“任期（年）”" in text
    assert "第 2 行" not in text


def test_member_number_typed_as_a_number_is_read_as_text(gb01, db_session, own):
    pk, html = _result(gb01, upload(gb01, xlsx([member(2012999001, "张三", *own)])))
    assert summary_of(html) == {"new": 1, "updated": 0, "unchanged": 0, "errors": 0}
    confirm(gb01, pk)
    db_session.rollback()
    assert db_session.scalar(select(Member.name).where(Member.number == "2012999001")) == "张三"


def test_formula_without_saved_value_is_a_row_error(gb01, db_session, own):
    text = _dry_run_with_errors(gb01, db_session, xlsx([member("Z0001", '=CONCAT("张","三")', *own)]))
    assert "第 2 行 B 列“姓名”：这是公式，但文件中没有保存计算结果" in text


def test_every_error_is_listed_with_row_and_column_in_english(login_as, db_session, own):
    user = login_as("gb01")
    user.get("/lang/en")
    before = snapshot(db_session)
    pk, html = _result(user, upload(user, xlsx([
        member("Z0001", "", *own), member("Z0002", "李四", *own, member_type="党外")])))
    text = text_of(html)
    assert "Row 2, column B (Name): is required." in text
    assert "Row 3, column D (Member type)" in text
    assert summary_of(html)["errors"] == 2
    assert snapshot(db_session) == before


# ---------------------------------------------------------------- clean files


def test_trailing_blank_rows_and_extra_columns_are_ignored_and_said(gb01, db_session, own):
    headers = MEMBER_HEADERS + ["手机号"]
    rows = [member("Z0001", "张三", *own) + ["13800000000"], member("Z0002", "李四", *own) + [None]]
    rows += [[None] * len(headers)] * 5 + [["  "] + [None] * (len(headers) - 1)] * 3
    pk, html = _result(gb01, upload(gb01, xlsx(rows, headers=headers)))
    assert summary_of(html) == {"new": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert "以下列不属于名册，已忽略：“手机号”" in text_of(html)
    assert "confirm-button" in html


def test_confirm_applies_all_rows_in_one_step(gb01, db_session, own):
    before_members, before_branches = snapshot(db_session)
    pk, html = _result(gb01, upload(gb01, xlsx([member("Z0001", "张三", *own), member("Z0002", "李四", *own)])))
    assert summary_of(html)["new"] == 2
    assert snapshot(db_session)[0] == before_members        # the dry run wrote nothing
    response = confirm(gb01, pk)
    assert response.status_code == 302
    page = gb01.get(response.headers["Location"]).text
    assert "已导入：新增 2 条" in text_of(page)
    db_session.rollback()
    added = db_session.scalars(select(Member).where(Member.number.in_(["Z0001", "Z0002"]))).all()
    assert {m.name for m in added} == {"张三", "李四"}
    assert {m.branch.name for m in added} == {own[1]}
    assert {m.committee_id for m in added} == {added[0].branch.general_branch.committee_id}
    record = db_session.get(ImportRecord, pk)
    assert record.status == "applied" and record.username == "gb01" and record.file_data[:2] == b"PK"
    assert record.summary_dict["new"] == 2
    assert snapshot(db_session)[1] == before_branches
    # A second confirm of the same record is refused and changes nothing more.
    after = snapshot(db_session)
    confirm(gb01, pk)
    assert snapshot(db_session) == after


def test_apply_revalidates_against_the_current_database(gb01, login_as, db_session, own):
    pk, html = _result(gb01, upload(gb01, xlsx([member("Z0001", "张三", *own)])))
    assert "confirm-button" in html
    # Meanwhile someone else adds the same number in another general branch of the committee.
    gb02_branch = db_session.scalar(select(Branch).where(Branch.code == "gb02-b01"))
    login_as("gb02").post_form("/memberview/add", {
        "number": "Z0001", "name": "别人", "member_type": "formal", "branch": gb02_branch.id})
    before = snapshot(db_session)
    page = gb01.get(confirm(gb01, pk).headers["Location"]).text
    assert "已被本党委其他单位的党员使用" in text_of(page)
    assert snapshot(db_session) == before
    db_session.rollback()
    assert db_session.get(ImportRecord, pk).status == "failed"


def test_export_then_import_changes_nothing(gb01, db_session):
    before = snapshot(db_session)
    for kind in ("members", "branches"):
        export = gb01.get(f"/imports/export/{kind}")
        assert export.status_code == 200
        assert "filename*=UTF-8''" in export.headers["Content-Disposition"]
        pk, html = _result(gb01, upload(gb01, export.data, kind=kind, filename=f"{kind}.xlsx"))
        summary = summary_of(html)
        assert summary["new"] == summary["updated"] == summary["errors"] == 0
        assert summary["unchanged"] > 0
        confirm(gb01, pk)
    assert snapshot(db_session) == before


def test_committee_export_round_trips_the_whole_committee(login_as, db_session):
    user = login_as("committee")
    export = user.get("/imports/export/members")
    rows = load_workbook(io.BytesIO(export.data), read_only=True)["党员名册"].max_row - 1
    db_session.rollback()
    assert rows == len(db_session.scalars(select(Member.id)).all())
    pk, html = _result(user, upload(user, export.data))
    assert summary_of(html) == {"new": 0, "updated": 0, "unchanged": rows, "errors": 0}


def test_reimporting_an_edited_export_updates_those_rows_only(gb01, db_session):
    export = gb01.get("/imports/export/members").data
    wb = load_workbook(io.BytesIO(export))
    ws = wb["党员名册"]
    number = ws.cell(row=2, column=1).value
    ws.cell(row=2, column=2).value = "改过的名字"
    out = io.BytesIO()
    wb.save(out)
    before_members, before_branches = snapshot(db_session)
    pk, html = _result(gb01, upload(gb01, out.getvalue()))
    summary = summary_of(html)
    assert summary["updated"] == 1 and summary["new"] == 0 and summary["errors"] == 0
    assert "姓名" in text_of(html)      # the changed column is named
    confirm(gb01, pk)
    after_members, after_branches = snapshot(db_session)
    changed = [(a, b) for a, b in zip(before_members, after_members) if a != b]
    assert len(changed) == 1 and changed[0][1].number == number and changed[0][1].name == "改过的名字"
    assert after_branches == before_branches


def test_branch_import_adds_and_updates_branches(gb01, db_session, own):
    existing = db_session.scalar(select(Branch).where(Branch.code == "gb01-b02"))
    data = xlsx([
        branch_row(own[0], existing.name, category="研究生", joint="是", founded=existing.founded_on,
                   elected=existing.elected_on, term=existing.term_years, note=existing.note),
        branch_row(own[0], "资源与安全工程学院新设党支部", category="本科生"),
    ], headers=BRANCH_HEADERS, sheet="支部名册")
    pk, html = _result(gb01, upload(gb01, data, kind="branches"))
    assert summary_of(html) == {"new": 1, "updated": 1, "unchanged": 0, "errors": 0}
    confirm(gb01, pk)
    db_session.rollback()
    db_session.expire_all()
    changed = db_session.get(Branch, existing.id)
    assert (changed.category, changed.is_joint) == ("graduate", True)
    added = db_session.scalar(select(Branch).where(Branch.name == "资源与安全工程学院新设党支部"))
    assert added.general_branch_id == existing.general_branch_id and added.category == "undergraduate"


def test_template_download_is_the_roster_template(gb01):
    response = gb01.get("/imports/template/members")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E5%85%9A%E5%91%98%E5%90%8D%E5%86%8C" in disposition   # 党员名册…
    assert 'filename="member-roster-template.xlsx"' in disposition
    wb = load_workbook(io.BytesIO(response.data), read_only=True)
    assert wb.sheetnames[0] == "党员名册"
    assert response.data[:2] == member_template()[:2]
    assert gb01.get("/imports/template/nonsense").status_code == 404


def test_unedited_template_imports_zero_rows(gb01, db_session):
    before = snapshot(db_session)
    template = gb01.get("/imports/template/branches").data
    pk, html = _result(gb01, upload(gb01, template, kind="branches"))
    assert summary_of(html) == {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
    confirm(gb01, pk)
    assert snapshot(db_session) == before


def test_uploaded_file_is_kept_and_listed(gb01, db_session, own):
    data = xlsx([member("Z0001", "张三", *own)])
    pk = record_id(upload(gb01, data, filename="二〇一二年名册.xlsx"))
    listing = gb01.get("/imports/records")
    assert listing.status_code == 200 and "二〇一二年名册.xlsx" in listing.text
    kept = gb01.get(f"/imports/file/{pk}")
    assert kept.status_code == 200 and kept.data == data
    assert "gb01" in text_of(gb01.get("/imports/").text)


def test_a_100000_row_file_is_checked_in_one_dry_run(gb01, db_session, own):
    from app.imports import MemberRow, export_members

    rows = (MemberRow(f"H{i:08d}", f"党员{i}", None, "formal", None, None, False, *own) for i in range(100_000))
    data = export_members(rows)
    before = snapshot(db_session)
    # a file this large is checked by a background job, whose page goes on to the result
    status = run_job(gb01, upload(gb01, data), timeout=600)
    assert status["state"] == "done" and status["follow"], status
    html = gb01.get(status["next"]).text
    assert summary_of(html) == {"new": 100_000, "updated": 0, "unchanged": 0, "errors": 0}
    assert "只列出前 200 行" in text_of(html)
    assert snapshot(db_session) == before
