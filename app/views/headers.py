"""Security headers on every response, from one after_request hook, and the CSP nonce.

Each request gets a fresh nonce; templates put it on every inline <script> (`csp_nonce()`,
the name FAB's own templates already call), so the policy allows the app's scripts and no
injected one. Styles may be inline (FAB's templates and widgets set style attributes).
The `Server` header names no version: werkzeug's through ZhibuRequestHandler (run.py, the
test server), gunicorn's (≥ 22) carries none.
"""
import secrets

from flask import g
from werkzeug.serving import WSGIRequestHandler

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def add_security_headers(response):
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    return response


class ZhibuRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, without its and Python's versions in `Server`."""

    def version_string(self) -> str:
        return "zhibu"


def register(app) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)
