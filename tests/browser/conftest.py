"""A live zhibu server on a fresh database and Debian's Chromium driven by Playwright."""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("ZHIBU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; skipped locally when missing (CI fails on a skip)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"browser: {CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A new browser context (own cookies) and page per test."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    yield context.new_page()
    context.close()


def log_in(page, base_url, username, password):
    """Log in through the real login form, and wait for the answer to the form's POST: the
    login page itself is idle already, so waiting for "networkidle" alone could return before
    the POST has been answered, and the next goto would then cancel it (no session cookie)."""
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_response(lambda r: r.request.method == "POST" and "/login" in r.url):
        page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")


def log_out(page, base_url):
    page.goto(f"{base_url}/logout/")
