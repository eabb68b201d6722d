"""Error pages (400, 403, 404, 405, 413, 429, 500, 503) in the app's layout; JSON under /api/.

Registered once, from create_app. A page says what happened, the sentence of the abort
when there is one (the boundary's and the services' refusals), and offers a way home.
The REST API never answers HTML: {"message": "..."} with the same status.
"""
import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError, default_exceptions

log = logging.getLogger(__name__)

# status -> (heading, the sentence when the abort gave none)
PAGES = {
    400: (_l("请求有误"), _l("请求中的参数无效。")),
    403: (_l("无权访问"), _l("您没有权限访问此页面或执行此操作。")),
    404: (_l("页面不存在"), _l("找不到您要访问的页面或记录。")),
    405: (_l("不支持的请求方式"), _l("此地址不接受这种请求方式。")),
    413: (_l("上传的内容过大"), _l("上传的内容超过了允许的大小。")),
    429: (_l("请求过于频繁"), _l("尝试次数过多，请稍后再试。")),
    500: (_l("服务器内部错误"), _l("服务器出错了，请稍后重试；如果问题持续，请联系系统管理员。")),
}


def sentence(exc: HTTPException) -> str:
    """The abort's own description, or our translated sentence instead of werkzeug's default."""
    default = default_exceptions.get(exc.code)
    description = exc.description
    if exc.code == 429:  # Flask-Limiter's description is its limit string ("10 per 1 minute")
        return str(PAGES[429][1])
    if not description or (default is not None and description == default.description):
        page = PAGES.get(exc.code)
        return str(page[1]) if page else (exc.name or "")
    return str(description)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def handle_http_error(exc: HTTPException):
    """Our page (or JSON under /api/) for the statuses we know; werkzeug's for the rest."""
    if exc.code is None or exc.code < 400:
        return exc
    if is_api_request():
        response = jsonify(message=sentence(exc))
        response.status_code = exc.code
        return response
    if exc.code not in PAGES:
        return exc
    return _page(exc.code, sentence(exc)), exc.code


def handle_server_error(exc):
    """Unhandled exceptions: logged by Flask; the session rolled back; a calm page."""
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the page must render even when the database is down
        log.exception("rollback after an error failed")
    problem = _database_gone(exc)
    if problem is not None:
        return unavailable(problem)
    error = exc if isinstance(exc, HTTPException) else InternalServerError()
    error.code = 500
    return handle_http_error(error) if is_api_request() else (_page(500, sentence(error)), 500)


def _page(code: int, message: str):
    heading = str(PAGES[code][0])
    try:
        appbuilder = current_app.appbuilder
        return render_template(
            "zhibu/error.html", code=code, heading=heading, message=message,
            appbuilder=appbuilder, base_template=appbuilder.base_template,
        )
    except Exception:  # noqa: BLE001 - the layout needs the database (menu, user); fall back
        log.exception("error page could not be rendered in the layout")
        return (f"<!doctype html><title>{code} {escape(heading)}</title><h1>{escape(heading)}</h1>"
                f"<p>{escape(message)}</p><p><a href=\"/\">{escape(_('返回首页'))}</a></p>")


def _database_gone(exc):
    """A database that went away after start-up: forget the good answer and look again."""
    from sqlalchemy.exc import OperationalError

    from app.services.dbstate import database_problem, forget

    original = getattr(exc, "original_exception", None) or exc
    if not isinstance(original, OperationalError):
        return None
    forget()
    return database_problem()


def refuse_while_database_unready():
    """before_request, first of all: a missing, unreachable or outdated database is one 503
    naming the command that fixes it (checked once per process, app/services/dbstate.py)."""
    from app.services.dbstate import database_problem

    if request.endpoint and (request.endpoint == "static" or request.endpoint.endswith(".static")):
        return None
    problem = database_problem()
    if problem is None:
        return None
    return unavailable(problem)


def unavailable(problem):
    """The 503 answer: JSON under /api/, else a page that needs no database (no layout)."""
    message = problem.sentence()
    if is_api_request():
        response = jsonify(message=message)
    else:
        from flask_babel import get_locale

        response = current_app.make_response(render_template(
            "zhibu/unavailable.html", lang=str(get_locale() or "zh"), heading=_("数据库不可用"),
            message=message, command=problem.command))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def register(app) -> None:
    """Install the handlers on the app (one place); the database check runs before FAB's
    own before_request, which would load the user (and open a missing SQLite file)."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(500, handle_server_error)
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_while_database_unready)
