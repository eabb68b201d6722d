"""Notices in a real browser: the bell shows the unread count on every page, opens the inbox, and
a notice opens the page where it is dealt with (and is read from then on), in zh and en."""
import pytest

from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser

DESTINATIONS = {"round_deadline_7": ("/scoresheetview/add", "/scoring/round/"), "term_due_6": ("/branchview/show/",),
                "term_due_4": ("/branchview/show/",), "term_expired": ("/branchview/show/",)}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", ["gb01-b01", "gb01"])
def test_the_bell_opens_the_inbox_and_a_notice_opens_its_page(app, live_server, page, username, lang):
    result = app.test_cli_runner().invoke(args=["zhibu", "notices", "--date", "2012-10-24"])
    assert result.exit_code == 0, result.output
    log_in(page, live_server, username, DEMO_PASSWORD)
    if lang == "en":
        page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/jobs/")              # any page: the bell is in the navbar
    count = int(page.inner_text("#notice-bell #notice-count"))
    assert count > 0
    page.click("#notice-bell a")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notices/")
    unread = page.query_selector_all("tr.zhibu-notice-unread")
    assert len(unread) == min(count, 20)
    texts = page.eval_on_selector_all("tr.zhibu-notice .zhibu-notice-open", "els => els.map(e => e.innerText)")
    assert all(t.strip() and "None" not in t and "%(" not in t for t in texts)
    kind = page.get_attribute("tr.zhibu-notice-unread >> nth=0", "data-kind")
    page.click("tr.zhibu-notice-unread >> nth=0 >> .zhibu-notice-open")
    page.wait_for_load_state("networkidle")
    path = page.url.split(live_server, 1)[1]
    assert path.startswith(DESTINATIONS[kind]), f"{kind} landed on {path}"
    assert page.query_selector("#zhibu-error") is None
    assert int(page.inner_text("#notice-bell #notice-count")) == count - 1
    page.goto(f"{live_server}/notices/")
    page.click("#notices-read-all")
    page.wait_for_load_state("networkidle")
    assert page.query_selector("#notice-count") is None and page.query_selector("tr.zhibu-notice-unread") is None
