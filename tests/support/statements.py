"""The SQL statements one request sends (a page's cost must not grow with its scope)."""
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def recorded(engine):
    """Each (statement, parameters) that reaches the engine inside the block, in a list."""
    sent = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def statements_sent(app, user, url):
    """GET url as user (must answer 200): the response and each (statement, parameters) that
    reached the engine."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    with recorded(engine) as sent:
        response = user.get(url)
    assert response.status_code == 200
    return response, sent


def statements_of(app, user, url) -> int:
    """GET url as user (must answer 200) and return how many statements reached the engine."""
    return len(statements_sent(app, user, url)[1])
