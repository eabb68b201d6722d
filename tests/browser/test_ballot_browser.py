"""gb01 issues codes in the browser; a voter casts a ballot on a phone-sized screen, without a login."""
import pytest

from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def test_a_ballot_cast_on_a_phone(live_server, page, browser):
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    page.goto(f"{live_server}/")
    page.click("text=考评定级")
    page.click("text=匿名测评")
    page.wait_for_selector("#open-campaign")
    page.select_option("#open-campaign select[name=kind]", "members")
    page.fill("#open-campaign input[name=count]", "2")
    page.click("#open-campaign button[type=submit]")
    page.wait_for_selector("#slips")
    assert len(page.query_selector_all("#slips .slip svg")) == 2  # one QR code per slip
    link = page.inner_text("#slips .slip .url")
    branch = page.inner_text("#slips .slip div")

    phone = browser.new_context(**PHONE)
    try:
        voter = phone.new_page()
        voter.goto(link)  # what the QR code holds
        voter.wait_for_selector("#ballot-form")
        assert voter.inner_text("#ballot-branch") in branch
        width = voter.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
        for i, score in enumerate((18, 17, 19, 16, 20), start=1):
            voter.fill(f"input[name=s{i}]", str(score))
        voter.tap("text=基本满意")
        voter.tap("#ballot-submit")
        voter.wait_for_selector("#ballot-message")
        assert "投票成功" in voter.inner_text("#ballot-message")
        voter.goto(link)  # the same code again
        assert "已经投过票" in voter.inner_text("#ballot-message")
    finally:
        phone.close()

    page.goto(f"{live_server}/ballots/")
    assert page.inner_text("#campaigns tbody tr .turnout") == "1"
