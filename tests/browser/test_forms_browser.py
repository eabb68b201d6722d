"""gb01 clicks 一键导出附件2 and the downloaded file is the form for gb01's branches."""
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.models import GeneralBranch
from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_gb01_checks_person_and_phone_then_downloads_annex2(app, live_server, page, tmp_path):
    """一键导出附件2 opens the export page: 填报人 / 联系电话 prefilled, changed, then printed."""
    from app.extensions import db

    with app.app_context():
        gb01 = db.session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
        expected, unit, phone = {b.name for b in gb01.branches}, gb01.name, gb01.phone
        db.session.remove()
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    page.goto(f"{live_server}/branchview/list/")
    page.click("text=一键导出附件2")
    assert page.input_value("#person") == "gb01" and page.input_value("#phone") == phone
    page.fill("#person", "  王小明 ")
    with page.expect_download() as info:
        page.click("#export-button")
    download = info.value
    assert download.suggested_filename.startswith(f"附件2-分类定级汇总表-{unit}")
    target = tmp_path / "annex2.xlsx"
    download.save_as(target)
    sheet = load_workbook(target).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert any(v and v[0] == "北京高校基层党支部分类定级汇总表" for v in values)
    info_line = next(v[0] for v in values if v[0] and str(v[0]).startswith("填报单位"))
    assert "填报人：王小明" in info_line and phone in info_line
    start = next(i for i, v in enumerate(values) if v[0] == "序号") + 1
    end = next(i for i, v in enumerate(values) if v[0] == "合计")
    assert {v[2] for v in values[start:end]} == expected


def test_the_committee_follows_its_annex2_job_to_the_file_and_a_reload_keeps_it(app, live_server, page, tmp_path):
    """The whole committee's 附件2 is a job: the bar (jobs.js polling status.json) reaches 100%,
    the download appears without a reload, and a reload shows the finished job."""
    errors = []   # a failed poll or script load (the page itself may lack a favicon)
    page.on("response", lambda r: r.status >= 400 and ("/jobs/" in r.url or "/static/" in r.url)
            and errors.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "committee", DEMO_PASSWORD)
    page.goto(f"{live_server}/branchview/list/")
    page.click("text=一键导出附件2")
    page.click("#job-start-button")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#job-download:not(.hidden)", timeout=60_000)
    assert page.eval_on_selector("#job-bar", "bar => bar.value") == 100
    assert page.inner_text("#job-state") == "已完成"
    page.reload()
    assert page.eval_on_selector("#job-bar", "bar => bar.value") == 100
    with page.expect_download() as info:
        page.click("#job-download")
    assert info.value.suggested_filename.startswith("附件2-分类定级汇总表-")
    info.value.save_as(tmp_path / "annex2.xlsx")
    assert any(row[0] == "北京高校基层党支部分类定级汇总表"
               for row in load_workbook(tmp_path / "annex2.xlsx").active.iter_rows(values_only=True))
    assert errors == []
