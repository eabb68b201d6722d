"""Each role's home in a real browser: the demo's to-do items are there, and each kind's link
opens the page where that item is done (not an error page), in zh and en."""
import pytest

from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# where each kind of to-do item is done
DESTINATIONS = {
    "sheet": ("/scoresheetview/add", "/scoring/round/"), "meeting": ("/meetingview/add",),
    "term": ("/branchview/show/",), "training": ("/trainingeventview/list",),
    "import": ("/roster",), "rectification": ("/rectificationview/",), "weak": ("/scoring/round/",),
    "size": ("/branchview/show/",),
}
# what the demo's state (2012 data seen today) must put on each home
EXPECTED = {"gb01-b01": {"meeting", "term"}, "gb01": {"weak", "term"}, "committee": {"size"}}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_the_home_says_what_to_do_and_each_link_leads_there(live_server, page, username, lang):
    log_in(page, live_server, username, DEMO_PASSWORD)
    if lang == "en":
        page.goto(f"{live_server}/lang/en")
    answer = page.goto(f"{live_server}/")
    assert answer.status == 200, f"{username} ({lang}): the home answered {answer.status}"
    # the list, or what the page says instead (not logged in, no to-dos, an error), in the failure
    assert page.query_selector("#todo-list") is not None, \
        f"{username} ({lang}) has no to-do list: {page.inner_text('body')[:500]}"
    items = page.eval_on_selector_all(
        "li.zhibu-todo", "els => els.map(e => [e.dataset.kind, e.querySelector('a').getAttribute('href'),"
                         " e.innerText.trim()])")
    kinds = {kind for kind, _href, _text in items}
    assert EXPECTED[username] <= kinds, f"{username} ({lang}) sees {kinds}"
    assert all(text and "None" not in text for _k, _h, text in items)
    for kind in sorted(kinds):
        href = next(h for k, h, _t in items if k == kind)
        page.goto(f"{live_server}/")
        page.click(f"li.zhibu-todo[data-kind={kind}] a >> nth=0")
        page.wait_for_load_state("networkidle")
        path = page.url.split(live_server, 1)[1]
        assert path.startswith(DESTINATIONS[kind]), f"{kind}: {href} landed on {path}"
        assert page.query_selector("#zhibu-error") is None, f"{kind}: {path} is an error page"
        assert page.query_selector(".panel-title, h2, h3") is not None
