"""FAB's user administration, shown without raw values (是/否, role names, not Python lists)."""
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext as _


def _yes_no(value) -> str:
    return _("是") if value else _("否")


def _names(items) -> str:
    return "、".join(str(getattr(i, "name", i)) for i in items or [])


class ZhibuUserDBModelView(UserDBModelView):
    """The operator's user list and pages, formatted like the rest of the console."""

    formatters_columns = {"active": _yes_no, "roles": _names}
