"""民主评议党员 results: a scoped list per member and year, and its REST API."""
from flask_babel import lazy_gettext as _l

from app.models import MemberAppraisal
from app.services.appraisals import check_appraisal
from app.views.base import ScopedModelRestApi, ScopedModelView

APPRAISAL_FIELDS = ["member", "year", "result", "note"]


class MemberAppraisalView(ScopedModelView):
    model = MemberAppraisal
    class_permission_name = "MemberAppraisal"
    list_title = show_title = _l("民主评议党员结果")
    add_title = _l("录入民主评议党员结果")
    edit_title = _l("编辑民主评议党员结果")
    list_columns = add_columns = edit_columns = show_columns = APPRAISAL_FIELDS
    search_columns = ["member", "year", "result"]
    order_columns = ["year", "result"]
    base_order = ("year", "desc")
    write_checks = (check_appraisal,)


class MemberAppraisalApi(ScopedModelRestApi):
    resource_name = "memberappraisal"
    model = MemberAppraisal
    class_permission_name = "MemberAppraisal"
    list_columns = show_columns = ["id", "member.id", "member.name", "member.number", "year", "result", "note"]
    add_columns = edit_columns = APPRAISAL_FIELDS
    write_checks = (check_appraisal,)
