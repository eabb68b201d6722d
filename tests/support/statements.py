"""Count the SQL statements one request sends (a page's cost must not grow with its scope)."""
from sqlalchemy import event


def statements_of(app, user, url) -> int:
    """GET url as user (must answer 200) and return how many statements reached the engine."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    counted = []
    listener = lambda *args: counted.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert user.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(counted)
