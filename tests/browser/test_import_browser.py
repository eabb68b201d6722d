"""In a real browser: gb01 downloads the template, uploads it filled with one bad row, sees
the row error, fixes it, uploads again, confirms, and finds the new members in the list."""
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.models import Branch, GeneralBranch
from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _own_branch(app):
    from app.extensions import db

    with app.app_context():
        names = db.session.execute(
            select(GeneralBranch.name, Branch.name).join(Branch, Branch.general_branch_id == GeneralBranch.id)
            .where(Branch.code == "gb01-b03")
        ).one()
        db.session.remove()
    return tuple(names)


def _fill(template, target, rows):
    wb = load_workbook(template)
    ws = wb["党员名册"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(target)


def _upload(page, base_url, path):
    page.goto(f"{base_url}/imports/")
    page.select_option("#kind", "members")
    page.set_input_files("#file", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#import-summary")


def test_template_fill_fix_confirm_and_list(app, live_server, page, tmp_path):
    gb, branch = _own_branch(app)
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    page.goto(f"{live_server}/imports/")
    with page.expect_download() as info:
        page.click("#template-members")
    download = info.value
    assert download.suggested_filename == "党员名册导入模板.xlsx"
    template = tmp_path / "template.xlsx"
    download.save_as(template)

    good = ["BR20120001", "浏览器甲", "女", "正式党员", "2012-04-18", "采矿2010级1班", "否", gb, branch]
    bad = ["BR20120002", "浏览器乙", "男", "党外人士", "2012-05-04", "采矿2010级1班", "否", gb, branch]
    first = tmp_path / "第一次.xlsx"
    _fill(template, first, [good, bad])
    _upload(page, live_server, first)
    errors = page.inner_text("#import-errors")
    assert "第 3 行 D 列“党员类型”" in errors
    assert page.inner_text("#summary-errors") == "1"
    assert page.query_selector("#confirm-button") is None

    fixed = tmp_path / "第二次.xlsx"
    _fill(template, fixed, [good, bad[:3] + ["预备党员"] + bad[4:]])
    _upload(page, live_server, fixed)
    assert page.inner_text("#summary-new") == "2"
    assert page.inner_text("#summary-errors") == "0"
    page.click("#confirm-button")
    page.wait_for_selector("#import-applied")
    assert "新增 2 条" in page.inner_text("#import-applied")

    page.click("#to-list")
    page.wait_for_selector("table.table-bordered")
    page.goto(f"{live_server}/memberview/list/?_flt_0_number=BR2012")
    page.wait_for_selector("table.table-bordered")
    table = page.inner_text("table.table-bordered")
    assert "浏览器甲" in table and "浏览器乙" in table
    assert "预备党员" in table and branch in table
