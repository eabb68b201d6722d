"""In a real browser: each role sees exactly its branches, in Chinese; English on switch."""
import pytest
from sqlalchemy import select

from app.models import Branch, GeneralBranch
from tests.browser.conftest import log_in, log_out
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _expected(app, username):
    from app.extensions import db

    with app.app_context():
        stmt = select(Branch.name)
        if username == "gb01":
            stmt = stmt.join(GeneralBranch).where(GeneralBranch.code == "gb01")
        elif username == "gb01-b01":
            stmt = stmt.where(Branch.code == "gb01-b01")
        names = set(db.session.scalars(stmt))
        db.session.remove()
    return names


def _listed_branch_names(page, base_url):
    """Every branch name the list shows, page after page."""
    names, number = set(), 0
    while True:
        page.goto(f"{base_url}/branchview/list/?psize_BranchView=50&page_BranchView={number}")
        page.wait_for_selector("table.table-bordered")
        header = [h.inner_text().strip() for h in page.query_selector_all("table.table-bordered thead th")]
        column = header.index("名称")
        rows = page.query_selector_all("table.table-bordered tbody tr")
        found = {row.query_selector_all("td")[column].inner_text().strip() for row in rows}
        if not found or found <= names:
            return names
        names |= found
        number += 1


def test_each_role_sees_exactly_its_branches(app, live_server, page):
    for username in ["committee", "gb01", "gb01-b01"]:
        log_in(page, live_server, username, DEMO_PASSWORD)
        assert "党支部" in page.content()
        assert _listed_branch_names(page, live_server) == _expected(app, username), username
        log_out(page, live_server)


def test_switch_to_english(live_server, page):
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    page.goto(f"{live_server}/memberview/list/")
    assert "党员名册" in page.content()
    page.click("a.dropdown-toggle:has(i.flag)")  # the language menu in the navbar
    page.click("a[href$='/lang/en']")
    page.wait_for_load_state("networkidle")
    assert "Member roster" in page.content()
    assert "党员名册" not in page.content()
