"""Logged-in clients: each has its own cookie jar, so two never share a login."""
import re

from tests.support.databases import DEMO_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1) or match.group(2)


class WebUser:
    """A browser-like client logged in as one user through the real login form."""

    def __init__(self, app, username, password=DEMO_PASSWORD):
        self.app = app
        self.username = username
        self.client = app.test_client()
        page = self.client.get("/login/")
        response = self.client.post(
            "/login/",
            data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
        )
        assert response.status_code == 302, f"login of {username} failed"

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post_form(self, url, data, token_from=None, **kw):
        """POST a form with the CSRF token taken from a page (default: the form itself)."""
        page = self.client.get(token_from or url)
        payload = dict(data)
        payload["csrf_token"] = csrf_token(page.text)
        return self.client.post(url, data=payload, **kw)

    def token(self):
        """Any valid CSRF token of this session."""
        return csrf_token(self.client.get("/resetmypassword/form").text)


class ApiUser:
    """A REST client holding a JWT from /api/v1/security/login."""

    def __init__(self, app, username, password=DEMO_PASSWORD):
        self.client = app.test_client()
        response = self.client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db"},
        )
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json['access_token']}"}

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, json):
        return self.client.post(url, json=json, headers=self.headers)

    def put(self, url, json):
        return self.client.put(url, json=json, headers=self.headers)

    def delete(self, url):
        return self.client.delete(url, headers=self.headers)
