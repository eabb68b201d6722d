"""Bring a database to the current schema and the roles to the current table."""
from flask import current_app
from flask_appbuilder.security.manager import BaseSecurityManager
from flask_migrate import upgrade


def initialize() -> None:
    """Apply migrations, then create roles and permissions; safe to run again."""
    from app.security.scope import system_actor

    from app.services.dbstate import forget

    with system_actor("init"):
        _initialize()
    forget()


def _initialize() -> None:
    upgrade()
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    BaseSecurityManager.create_db(sm)  # builtin roles (FAB_ROLES), Admin and Public
    appbuilder.add_permissions(update_perms=True)
    sm.session.commit()
    from app.services.standards import seed_standards

    seed_standards()
