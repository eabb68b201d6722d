"""Security headers on every response; the CSP's nonce is on every inline script the app
renders; no server names its version (werkzeug here, gunicorn with two workers below)."""
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.integration.test_crawl import ROLES, menu_urls
from tests.support.clients import CSRF_RE
from tests.support.databases import DEMO_PASSWORD

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.I)


def check_headers(response):
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    nonce = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'", csp).group(1)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    return nonce


@pytest.mark.parametrize("url", ["/login/", "/static/zhibu/zhibu.css", "/no-such-page", "/api/v1/branch/",
                                 "/ballot/NOSUCHCODE22", "/"])
def test_every_kind_of_response_carries_the_headers(client, url):
    check_headers(client.get(url))


def test_each_page_gets_a_new_nonce_and_every_inline_script_carries_it(app, login_as):
    problems = []
    nonces = set()
    for username in ROLES:
        user = login_as(username)
        for url in ["/", "/resetmypassword/form"] + menu_urls(app):
            response = user.get(url, follow_redirects=True)
            nonce = check_headers(response)
            nonces.add(nonce)
            for attributes in INLINE_SCRIPT.findall(response.text):
                if f'nonce="{nonce}"' not in attributes:
                    problems.append(f"{username} {url}: <script{attributes}>")
            if re.search(r"\son[a-z]+=\"", re.sub(r"<script\b.*?</script>", "", response.text, flags=re.S)):
                problems.append(f"{username} {url}: an inline event handler")
    assert problems == []
    assert len(nonces) > 20  # one per response


def test_werkzeug_names_no_version(live_server):
    with urllib.request.urlopen(f"{live_server}/login/") as response:
        assert response.headers["Server"] == "zhibu"
        assert response.headers["X-Frame-Options"] == "DENY"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser(jar=None):
    jar = jar if jar is not None else CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect), jar


def _get(opener, url):
    try:
        return opener.open(url)
    except urllib.error.HTTPError as exc:  # a 302 without following it
        return exc


def test_under_gunicorn_with_two_workers(app):
    """Two gunicorn workers: Server names no version, and a logout on one is seen by both."""
    port = _free_port()
    env = {**os.environ, "ZHIBU_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "ZHIBU_SECRET_KEY": app.config["SECRET_KEY"]}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/").close()
                break
            except OSError:
                time.sleep(0.3)
        opener, jar = _browser()
        page = _get(opener, f"{base}/login/")
        assert page.headers["Server"] == "gunicorn"
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
        match = CSRF_RE.search(page.read().decode())
        data = urllib.parse.urlencode({"username": "gb01", "password": DEMO_PASSWORD,
                                       "csrf_token": match.group(1) or match.group(2)}).encode()
        assert _get(opener, urllib.request.Request(f"{base}/login/", data=data)).status == 302
        copied = CookieJar()
        for cookie in jar:
            copied.set_cookie(cookie)
        thief, _ = _browser(copied)
        assert all(_get(thief, f"{base}/branchview/list/").status == 200 for _ in range(6))
        _get(opener, f"{base}/logout/")
        assert all(_get(thief, f"{base}/branchview/list/").status == 302 for _ in range(6))
    finally:
        server.terminate()
        server.wait(timeout=30)
