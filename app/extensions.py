"""Extension singletons; no app is created at import time (ARCHITECTURE.md fact 5)."""
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA(model_class=Model)
csrf = CSRFProtect()
migrate = Migrate()


def new_appbuilder() -> AppBuilder:
    """A fresh AppBuilder per app: a module-level one breaks a second create_app()."""
    from app.index import ZhibuIndexView
    from app.security.manager import ZhibuSecurityManager

    return AppBuilder(
        indexview=ZhibuIndexView,
        security_manager_class=ZhibuSecurityManager,
        base_template="zhibu/base.html",
    )
