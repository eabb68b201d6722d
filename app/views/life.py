"""Views of organizational life and funding."""
from flask_babel import lazy_gettext as _l

from app.models import Activity, Funding
from app.views.base import ScopedModelView

ACTIVITY_FIELDS = ["branch", "held_on", "kind", "title", "attendance"]


class ActivityView(ScopedModelView):
    model = Activity
    class_permission_name = "Activity"
    list_title = show_title = _l("组织生活")
    add_title = _l("新增组织生活记录")
    edit_title = _l("编辑组织生活记录")
    list_columns = add_columns = edit_columns = show_columns = ACTIVITY_FIELDS
    search_columns = ["branch", "held_on", "kind", "title"]
    order_columns = ["held_on", "kind", "title", "attendance"]
    base_order = ("held_on", "desc")


FUNDING_FIELDS = ["branch", "year", "activity_funds", "training_funds"]


class FundingView(ScopedModelView):
    model = Funding
    class_permission_name = "Funding"
    list_title = show_title = _l("经费")
    add_title = _l("新增经费记录")
    edit_title = _l("编辑经费记录")
    list_columns = add_columns = edit_columns = show_columns = FUNDING_FIELDS
    search_columns = ["branch", "year"]
    order_columns = ["year", "activity_funds", "training_funds"]
    base_order = ("year", "desc")
