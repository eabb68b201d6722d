"""gb01 opens the health check: the charts draw from the vendored ECharts with no request
leaving 127.0.0.1, and a failing cell opens the records behind it."""
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_gb01_sees_charts_and_follows_a_failing_cell_to_its_records(live_server, page):
    hosts = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).hostname))
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    page.goto(f"{live_server}/")
    page.click("a.dropdown-toggle:has-text('支部体检')")
    page.click("ul.dropdown-menu a:has-text('支部体检')")
    page.wait_for_selector("#health-general-branch #health-table")
    for chart in ("compliance", "hours", "months", "grades", "goal"):
        page.wait_for_selector(f"#chart-{chart} canvas")
        drawn = page.evaluate(
            """(id) => { const c = document.querySelector('#chart-' + id + ' canvas');
                        if (!c || !c.width || !c.height) return false;
                        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
                        return false; }""", chart)
        assert drawn, f"chart {chart} is blank"
    cell = page.query_selector("#health-table td.health-cell[data-status='fail'][data-rule='H7'] a") \
        or page.query_selector("#health-table td.health-cell[data-status='fail'] a")
    assert cell is not None, "the demo has no failing cell"
    branch_row = cell.evaluate("a => a.closest('tr').getAttribute('data-branch')")
    rule = cell.evaluate("a => a.closest('td').getAttribute('data-rule')")
    cell.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(live_server)
    assert f"={branch_row}" in page.url or f"/{branch_row}" in page.url, (rule, page.url)
    assert page.query_selector("table") is not None
    assert set(hosts) == {"127.0.0.1"}, set(hosts)
