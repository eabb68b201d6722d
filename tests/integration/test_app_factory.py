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
