"""create_app wires zhibu's own FAB classes by name (config.py) and refuses a broken name."""
import pytest


def test_fab_uses_zhibu_classes_named_in_config(app):
    from app.index import ZhibuIndexView
    from app.security.manager import ZhibuSecurityManager

    assert type(app.appbuilder.sm) is ZhibuSecurityManager
    assert app.appbuilder.indexview is ZhibuIndexView
    assert app.appbuilder.base_template == "zhibu/base.html"


@pytest.mark.parametrize("key", ["FAB_INDEX_VIEW", "FAB_SECURITY_MANAGER_CLASS"])
def test_misspelt_fab_class_stops_the_app(key):
    from app import create_app

    # FAB itself would log the error and carry on with its own class.
    with pytest.raises(RuntimeError, match=key):
        create_app({key: "app.index.NoSuchClass", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_postgresql_connections_run_without_jit_unless_asked(app):
    """PostgreSQL's JIT compiled the committee's round-wide aggregates for longer than they ran
    (app/__init__.py): the app's connections have it off; ZHIBU_PG_JIT=1 keeps the server's."""
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        with app.app_context():   # nothing to set on SQLite
            assert not db.engine.dialect.name.startswith("postgres")
        return
    with app.app_context():
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
    # the URL's own startup options stay
    own = create_app({"SQLALCHEMY_DATABASE_URI": f"{url}?options=-c%20statement_timeout%3D4321"})
    with own.app_context():
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "4321ms"
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
        db.session.remove()
        db.engine.dispose()
    server = create_engine(url)
    with server.connect() as connection:
        default = connection.execute(text("SHOW jit")).scalar()
    server.dispose()
    kept = create_app({"SQLALCHEMY_DATABASE_URI": url, "ZHIBU_PG_JIT": True})
    with kept.app_context():
        assert db.session.execute(text("SHOW jit")).scalar() == default
        db.session.remove()
        db.engine.dispose()
