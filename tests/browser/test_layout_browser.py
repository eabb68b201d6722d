"""Layout as a user sees it: the matrix fits a 1440 px screen in zh and en, short headers never
break one character per line, wide tables scroll inside their box on a phone, and the matrix
prints without the navigation."""
import pytest

from tests.browser.conftest import log_in
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# For every header cell, how many lines its text takes (a Range's line boxes).
HEADER_LINES = """() => Array.from(document.querySelectorAll('table thead th')).map(th => {
    const range = document.createRange(); range.selectNodeContents(th);
    const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
                                                        .map(r => Math.round(r.top)));
    return [th.innerText.trim(), tops.size];
})"""


def _matrix(page, base_url):
    """The scoring view's rows: the committee opens them per general branch from its summary."""
    page.goto(f"{base_url}/scoring/")
    if page.query_selector("#general-branch-summary"):
        page.click("#general-branch-summary a[href*='general_branch='] >> nth=0")
    page.wait_for_selector("table.zhibu-matrix")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("user", ["committee", "gb01"])
def test_the_matrix_fits_1440_px_and_headers_stay_on_one_line(live_server, browser, user, lang):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        log_in(page, live_server, user, DEMO_PASSWORD)
        if lang == "en":
            page.goto(f"{live_server}/lang/en")
        _matrix(page, live_server)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 1440, f"the page is {width} px wide at 1440 px ({user}, {lang})"
        box, table = page.evaluate("""() => { const t = document.querySelector('table.zhibu-matrix');
                                           return [t.parentElement.clientWidth, t.scrollWidth]; }""")
        assert table <= box, f"the matrix ({table} px) needs a scroll bar in its {box} px box ({user}, {lang})"
        wrapped = [(text, n) for text, n in page.evaluate(HEADER_LINES) if text and n > 1]
        assert not wrapped, f"headers broken over lines ({user}, {lang}): {wrapped}"
    finally:
        context.close()


def test_on_a_phone_the_member_list_scrolls_inside_its_box(live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        log_in(page, live_server, "gb01", DEMO_PASSWORD)
        page.goto(f"{live_server}/memberview/list/")
        page.wait_for_selector(".table-responsive table")
        page_width = page.evaluate("() => document.documentElement.scrollWidth")
        box = page.evaluate("""() => Array.from(document.querySelectorAll('.table-responsive'))
                                   .map(b => [b.clientWidth, b.scrollWidth])
                                   .sort((a, b) => b[1] - a[1])[0]""")
        assert page_width <= 380, f"the page itself scrolls sideways: {page_width} px"
        assert box[1] > box[0], "the table should be wider than its box and scroll inside it"
    finally:
        context.close()


def test_the_matrix_prints_without_navigation_or_buttons(live_server, page):
    log_in(page, live_server, "gb01", DEMO_PASSWORD)
    _matrix(page, live_server)
    page.emulate_media(media="print")
    assert not page.is_visible("header.top")
    assert not page.is_visible(".btn")
    assert page.is_visible("table.zhibu-matrix")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


# The navbar's top-level items (menus, language, user): their tops, and the bar's height.
NAVBAR = """() => ({height: document.querySelector('.navbar').getBoundingClientRect().height,
    tops: Array.from(document.querySelectorAll('.navbar .navbar-nav > li, .navbar .navbar-brand'))
               .map(el => Math.round(el.getBoundingClientRect().top))})"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_navbar_stays_on_one_line_at_1440_px_for_every_role(live_server, browser, lang):
    """The admin has the most menus; in English they wrapped onto a second line at 1440 px."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        for user in ("admin", "committee", "gb01", "gb01-b01"):
            page = context.new_page()
            log_in(page, live_server, user, DEMO_PASSWORD)
            page.goto(f"{live_server}/lang/{lang}")
            page.goto(f"{live_server}/")
            bar = page.evaluate(NAVBAR)
            assert len(bar["tops"]) >= 4, bar
            assert len(set(bar["tops"])) == 1, f"the navbar wraps ({user}, {lang}): {bar}"
            assert bar["height"] < 60, f"the navbar is {bar['height']} px high ({user}, {lang})"
            page.goto(f"{live_server}/logout/")
            page.close()
    finally:
        context.close()
