"""gb01 opens the scoring view of the demo round, sees the matrix and one explanation."""
import pytest

from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_gb01_reads_the_matrix_and_an_explanation(live_server, page):
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    page.goto(f"{live_server}/")
    page.click("text=考评定级")
    page.click("text=评分汇总")
    page.wait_for_selector("#scoring-matrix")
    assert "资源与安全工程学院党委" in page.inner_text("#scoring-matrix")
    assert "地球科学与测绘工程学院党委" not in page.inner_text("#scoring-matrix")
    headers = page.inner_text("table.zhibu-matrix thead")
    for heading in ["自评", "党员评议", "互评", "上级考评", "综合得分", "最终等次"]:
        assert heading in headers
    first = page.query_selector("table.zhibu-matrix tbody tr td a")
    name = first.inner_text()
    first.click()
    page.wait_for_selector("#explain-lines")
    assert name in page.inner_text("h2")
    lines = page.inner_text("#explain-lines")
    assert "权重 30%" in lines and "最终等次" in lines
