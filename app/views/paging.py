"""A page of a table the view holds whole (the committee's general branches: thousands at city
scale), with a name search; the links are app/templates/_pager.html."""
from __future__ import annotations

from flask import request


def page_of(total: int, size: int) -> tuple:
    """(page, pages) from ?page=N (0-based); past the end is the last page, anything else the first."""
    pages = max((total + size - 1) // size, 1)
    raw = request.args.get("page", "")
    page = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    return min(page, pages - 1), pages


def matches(name: str, search: str) -> bool:
    """The name search of such a table: the text anywhere in the name, any case."""
    return not search or search.casefold() in (name or "").casefold()
