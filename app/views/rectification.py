"""The rectification ledger (整改台账) and its progress notes; export actions for the forms."""
from flask import flash, g, redirect
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l

from app.models import Rectification, RectificationNote
from app.security.scope import current_org
from app.services.forms import export_annex3
from app.services.rectification import check_item, record_note
from app.views.base import ScopedModelRestApi, ScopedModelView
from app.views.forms import send_export

RECT_FIELDS = ["branch", "round", "problems", "measures", "due_on", "contact", "remark", "status", "completed_on"]


class RectificationNoteView(ScopedModelView):
    model = RectificationNote
    class_permission_name = "Rectification"
    list_title = show_title = _l("整改进展")
    add_title = _l("记录整改进展")
    edit_title = _l("编辑整改进展")
    list_columns = ["rectification", "noted_on", "text"]
    add_columns = edit_columns = show_columns = ["rectification", "noted_on", "text"]
    order_columns = ["noted_on"]
    base_order = ("noted_on", "desc")

    write_checks = (lambda item: record_note(item, g.user),)


class RectificationView(ScopedModelView):
    model = Rectification
    class_permission_name = "Rectification"
    list_template = "forms/list_with_forms.html"
    list_title = show_title = _l("整改台账")
    add_title = _l("新增整改事项")
    edit_title = _l("编辑整改事项")
    list_columns = ["branch", "round", "problems", "due_flag", "contact", "status"]
    add_columns = edit_columns = RECT_FIELDS
    write_checks = (check_item,)
    show_columns = RECT_FIELDS
    search_columns = ["branch", "round", "status", "due_on", "contact", "problems"]
    order_columns = ["due_on", "status"]
    base_order = ("due_on", "asc")
    related_views = [RectificationNoteView]
    method_permission_name = {**ScopedModelView.method_permission_name, "export_annex3": "read"}

    @action("export_annex3", _l("导出所选（附件3）"), None, "fa-file-excel-o", single=False)
    def export_annex3(self, items):
        items = items if isinstance(items, list) else [items]
        by_round = {i.round_id for i in items}
        if len(by_round) != 1:
            flash(_l("请只选择同一考评批次的整改事项。"), "warning")
            return redirect(self.get_redirect())
        return send_export(export_annex3(current_org(), g.user, by_round.pop(),
                                         rectification_ids=[i.id for i in items]))


class RectificationApi(ScopedModelRestApi):
    resource_name = "rectification"
    model = Rectification
    class_permission_name = "Rectification"
    list_columns = show_columns = [
        "id", "branch.id", "branch.name", "round.id", "problems", "measures", "due_on", "contact.id",
        "contact.name", "remark", "status", "completed_on",
    ]
    add_columns = edit_columns = RECT_FIELDS
    write_checks = (check_item,)

