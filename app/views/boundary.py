"""The input boundary: bad ids, list arguments, rison and REST bodies answer 400/404, never 500.

SQLite and PostgreSQL both overflow on integers beyond 64 bits; FAB passes them on (path
ids, page numbers, rison filters, JSON bodies). Each kind of input is checked once here:
path ids in a before_request (an id no row can have is "not found"), list arguments by the
base view, rison and bodies by the base API.
"""
import json
import urllib.parse

import prison
from flask import abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import inspect

from app.models.labels import COLUMN_LABELS
from app.models.values import INT32

MAX_INT = 2**63 - 1  # the largest id or number either database can compare
# Every primary key is an Integer column: 32-bit on PostgreSQL. A larger id cannot name a row,
# and PostgreSQL refuses to compare it ("integer out of range", a 500 the fuzzing found).
MAX_ID = INT32


def is_small_int(value) -> bool:
    """A real int (not a bool) that fits the databases' 64-bit integers."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_INT <= value <= MAX_INT


def parse_id(text):
    """A non-negative id from ASCII digits (not ², not ١), or None if it cannot be one."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def id_arg(name):
    """An optional id from the query string: None when absent, 404 when no row can have it."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    parsed = parse_id(value)
    if parsed is None:
        abort(404, description=_("找不到该记录。"))
    return parsed


# ------------------------------------------------------------------ path ids


def check_path_ids():
    """before_request: an int path argument or <pk> no row can have is a 404."""
    for key, value in (request.view_args or {}).items():
        if isinstance(value, int) and not (is_small_int(value) and 0 <= value <= MAX_ID):
            abort(404, description=_("找不到该记录。"))
        if key == "pk" and parse_id(value if isinstance(value, str) else str(value)) is None:
            abort(404, description=_("找不到该记录。"))


# ------------------------------------------------------------------ web list arguments


def max_page_size() -> int:
    """The web list's page size cap: the REST API's (FAB_API_MAX_PAGE_SIZE)."""
    return int(current_app.config.get("FAB_API_MAX_PAGE_SIZE") or 100)


def capped_page_size(page_size):
    """FAB's web list has no cap (fact 14): at most max_page_size()."""
    if page_size is None:
        return None
    return min(page_size, max_page_size())


def check_list_args(view) -> None:
    """page_*, psize_* are small non-negative numbers; _oc_<view> is one of its order columns."""
    max_page = MAX_INT // max_page_size()
    for arg, value in request.args.items():
        if arg.startswith(("page_", "psize_")):
            number = parse_id(value)
            if number is None or (arg.startswith("page_") and number > max_page):
                abort(400, description=_("参数 %(name)s 应为一个不太大的非负整数。", name=arg))
    column = request.args.get(f"_oc_{type(view).__name__}")
    if column is not None and column not in (view.order_columns or ()):
        abort(400, description=_("列表不能按“%(column)s”排序。", column=column))


# ------------------------------------------------------------------ REST: rison and bodies


def _has_big_int(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not is_small_int(value)
    if isinstance(value, float):
        return value != value or abs(value) > MAX_INT
    if isinstance(value, dict):
        return any(_has_big_int(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_big_int(v) for v in value)
    return False


def _parse_q(value):
    try:
        return prison.loads(value)
    except RecursionError:
        return _BAD
    except Exception:  # noqa: BLE001 - prison raises several kinds; FAB then tries JSON
        pass
    try:
        return json.loads(urllib.parse.parse_qs(f"q={value}")["q"][0])
    except Exception:  # noqa: BLE001
        return _BAD


_BAD = object()


def check_rison_arg() -> None:
    """before_request of every API: q is a rison (or JSON) object of small numbers."""
    value = request.args.get("q")
    if not value:
        return
    parsed = _parse_q(value)
    if parsed is _BAD or not isinstance(parsed, dict):
        abort(400, description=_("查询参数 q 无效：应为 rison 或 JSON 对象。"))
    if _has_big_int(parsed):
        abort(400, description=_("查询参数 q 中的数字过大。"))
    page = parsed.get("page", 0)
    if is_small_int(page) and (page < 0 or page > MAX_INT // max_page_size()):
        abort(400, description=_("查询参数 q 中的页码无效。"))


def _label(name) -> str:
    return str(COLUMN_LABELS.get(name, name))


def check_body(model, columns) -> None:
    """A REST body is an object; a relation is an id (or, to-many, a list of ids); numbers fit."""
    data = request.get_json(silent=True)
    if not request.is_json:
        return  # FAB answers "Request is not JSON" itself
    if not isinstance(data, dict):
        abort(400, description=_("请求体应为 JSON 对象。"))
    relations = {rel.key: rel.uselist for rel in inspect(model).relationships}
    for name, value in data.items():
        if name in relations and name in columns and value is not None:
            if relations[name]:
                if not isinstance(value, list) or not all(_is_id(v) for v in value):
                    abort(400, description=_("「%(field)s」应为记录编号（整数）的列表。", field=_label(name)))
            elif not _is_id(value):
                abort(400, description=_("「%(field)s」应为一个记录编号（整数）。", field=_label(name)))
        if _has_big_int(value) or (name in relations and name in columns and _beyond_ids(value)):
            abort(400, description=_("「%(field)s」中的数字过大。", field=_label(name)))


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _beyond_ids(value) -> bool:
    """A relation's id (or list of ids) no row can have: PostgreSQL cannot compare it."""
    values = value if isinstance(value, list) else [value]
    return any(_is_id(v) and not 0 <= v <= MAX_ID for v in values)


def register(app) -> None:
    """Install the path-id check for every route of the app."""
    app.before_request(check_path_ids)
