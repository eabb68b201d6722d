"""Extension singletons; no app is created at import time (ARCHITECTURE.md fact 5).

The index view, security manager and base template are named in config.py
(FAB_INDEX_VIEW, FAB_SECURITY_MANAGER_CLASS, FAB_BASE_TEMPLATE), which AppBuilder.init_app
reads, so this module imports nothing of app and sits below every layer.
"""
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA(model_class=Model)
csrf = CSRFProtect()
migrate = Migrate()
mail = Mail()   # the notices' e-mail; sends nothing unless ZHIBU_MAIL_SERVER is set (services/notices)


def new_appbuilder() -> AppBuilder:
    """A fresh AppBuilder per app: a module-level one breaks a second create_app()."""
    return AppBuilder()
