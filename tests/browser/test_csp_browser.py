"""The Content-Security-Policy holds on the app's own pages: as each role, every menu page,
one show page, one add form and the own-password form open in Chromium without one CSP
violation (the nonce is on every inline script, nothing is loaded from elsewhere)."""
import re

import pytest

from tests.browser.conftest import log_in
from tests.integration.test_crawl import ROLES, SHOW_LINK, menu_urls
from tests.support.databases import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ADD_LINK = re.compile(r'href="(/[a-z]+view/add)"')
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.lineNumber));
"""


def _violations(page, url, console):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp")
    found += [m for m in console if "Content Security Policy" in m]
    console.clear()
    return found


@pytest.mark.parametrize("username", ROLES)
def test_no_csp_violation_on_any_page_of_a_role(app, live_server, browser, username):
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    try:
        problems = {}
        login_violations = _violations(page, f"{live_server}/login/", console)
        if login_violations:
            problems["/login/"] = login_violations
        log_in(page, live_server, username, DEMO_PASSWORD)
        urls = ["/", "/resetmypassword/form"] + menu_urls(app)
        extra = []
        for url in urls:
            found = _violations(page, f"{live_server}{url}", console)
            if found:
                problems[url] = found
            content = page.content()
            extra += SHOW_LINK.findall(content)[:1] + ADD_LINK.findall(content)[:1]
        for url in sorted(set(extra))[:12]:
            found = _violations(page, f"{live_server}{url}", console)
            if found:
                problems[url] = found
        assert len(urls) > 5  # the role's menu was really walked
        assert problems == {}
    finally:
        context.close()
