"""CSRF on the REST API: a write authenticated by the browser's session cookie must carry the
session's CSRF token (header X-CSRFToken); a call with a bearer token (JWT) needs none.

FAB exempts its API blueprints from CSRFProtect and accepts the session cookie there
(`allow_browser_login`, ARCHITECTURE.md fact 12), so any site could make a logged-in browser
POST to /api/. Another site cannot set an Authorization header without CORS (which zhibu
never grants), so a request that carries one is not forged; one that rides on the cookie is
checked here, once for every API.
"""
from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from app.extensions import csrf

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_ENDPOINTS = frozenset({"SecurityApi.login"})  # no session to forge yet; throttled instead


def check_api_csrf():
    if request.method not in WRITES or not request.path.startswith("/api/"):
        return
    if request.endpoint in LOGIN_ENDPOINTS or request.headers.get("Authorization"):
        return
    if not current_user.is_authenticated:
        return  # no cookie session: FAB answers 401 itself
    try:
        csrf.protect()
    except CSRFError as exc:
        raise BadRequest(_("浏览器会话写入 API 须带 CSRF 令牌（请求头 X-CSRFToken）；程序调用请用 JWT。")) from exc


def register(app) -> None:
    app.before_request(check_api_csrf)
