"""A thin SecurityManager: FAB does the work; zhibu adds the user's organization."""
from flask_appbuilder.security.sqla.manager import SecurityManager

from app.security.users import ZhibuUserDBModelView


class ZhibuSecurityManager(SecurityManager):
    """FAB's SQLA security manager; kept as the one place for security overrides."""

    userdbmodelview = ZhibuUserDBModelView

    def on_user_login(self, user) -> None:
        """Forget a cached organization when someone logs in on this request."""
        from flask import g

        g.pop("_zhibu_org", None)
