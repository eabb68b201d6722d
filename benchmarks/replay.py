"""The database's own cost of an app path, a limit beside it: the SQL statements the path sends
(captured once, the record-rule guard's conditions included), replayed on a raw DB-API cursor
in one transaction and fetched."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def capturing(engine):
    """Collect (statement, parameters) of every statement sent while inside."""
    captured = []

    def before(_conn, _cursor, statement, parameters, _context, _executemany):
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", before)


def fetch_raw(raw, statement, parameters) -> int:
    """Run one captured statement on a raw DB-API connection and fetch it: its rows."""
    cursor = raw.cursor()
    cursor.execute(statement, parameters)
    rows = cursor.fetchall() if cursor.description else []
    cursor.close()
    return len(rows)
