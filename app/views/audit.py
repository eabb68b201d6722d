"""The audit trail (变更记录): read-only, scoped by the rule table, in words, never raw values.

Nothing here writes: the trail is written by the write guard (app/security/audit.py) and no
role holds a write or delete permission on it (roles.py), the operator neither (base_permissions).
"""
from flask_babel import lazy_gettext as _l

from app.models import AuditLog
from app.services.audit_trail import changes_html
from app.views.base import ScopedModelRestApi, ScopedModelView

AUDIT_COLUMNS = ["at", "actor", "address", "action", "table_name", "record_id", "label", "changes", "reason",
                 "highlight"]
SHOWN = ["at", "actor", "address", "action", "table_name", "record_id", "label", "details", "reason", "highlight"]


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else ""


class AuditLogView(ScopedModelView):
    model = AuditLog
    class_permission_name = "AuditLog"
    base_permissions = ["can_read"]
    list_title = show_title = _l("变更记录")
    list_columns = ["at", "actor", "action", "table_name", "label", "details", "highlight"]
    show_columns = SHOWN
    search_columns = ["table_name", "record_id", "actor", "at", "action", "highlight", "label", "reason"]
    order_columns = ["at", "actor", "table_name", "record_id"]
    base_order = ("at", "desc")
    formatters_columns = {"at": _when, "details": changes_html}


class AuditLogApi(ScopedModelRestApi):
    """The trail as JSON: read only (no POST, PUT or DELETE route)."""

    resource_name = "auditlog"
    model = AuditLog
    class_permission_name = "AuditLog"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = show_columns = ["id"] + AUDIT_COLUMNS
    search_columns = ["table_name", "record_id", "actor", "at", "action", "highlight"]
