"""One-click hand-in of the official forms: /forms/annex2.xlsx, /forms/annex3.xlsx, statistics."""
from io import BytesIO

from flask import abort, flash, g, redirect, send_file
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AssessmentRound
from app.security.scope import current_org
from app.views.boundary import id_arg
from app.services.forms import (
    FormNotFound, current_round_id, export_annex2, export_annex3, export_statistics,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_export(export):
    """The file as a download; Flask writes the Chinese name as RFC 5987 filename*."""
    return send_file(BytesIO(export.data), mimetype=XLSX, as_attachment=True, download_name=export.filename)


def _int_arg(name):
    return id_arg(name)


def build_or_404(builder, *args, **kwargs):
    """Run an export; an unknown or foreign round or general branch is a 404."""
    try:
        return send_export(builder(*args, **kwargs))
    except FormNotFound:
        abort(404)


class FormsView(BaseView):
    """The official forms for the user's scope."""

    route_base = "/forms"
    class_permission_name = "Forms"
    method_permission_name = {"annex2": "read", "annex3": "read", "statistics": "read"}
    default_view = "annex2"

    @expose("/annex2.xlsx")
    @has_access
    def annex2(self):
        return build_or_404(export_annex2, current_org(), g.user, _int_arg("round"), _int_arg("general_branch"))

    @expose("/annex3.xlsx")
    @has_access
    def annex3(self):
        return build_or_404(export_annex3, current_org(), g.user, _int_arg("round"), _int_arg("general_branch"))

    @expose("/statistics.xlsx")
    @has_access
    def statistics(self):
        return build_or_404(export_statistics, current_org(), _int_arg("round"))


def template_helpers(app) -> None:
    """Jinja helpers for the hand-in buttons on lists."""

    def zhibu_current_round():
        org = current_org()
        round_id = current_round_id(org) if org is not None else None
        return db.session.get(AssessmentRound, round_id) if round_id else None

    def zhibu_can_export():
        return app.appbuilder.sm.has_access("can_read", "Forms")

    app.jinja_env.globals.update(zhibu_current_round=zhibu_current_round, zhibu_can_export=zhibu_can_export)



class Annex2ExportMixin:
    """Branch lists: the hand-in buttons and a multi-select export of 附件2."""

    list_template = "forms/list_with_forms.html"

    @action("export_annex2", _l("导出所选（附件2）"), None, "fa-file-excel-o", single=False)
    def export_annex2(self, items):
        """附件2 of the selected branches (fetched through the scope) for the current round."""
        org = current_org()
        round_id = current_round_id(org)
        if round_id is None:
            flash(_("还没有考评批次。"), "warning")
            return redirect(self.get_redirect())
        items = items if isinstance(items, list) else [items]
        return send_export(export_annex2(org, g.user, round_id, branch_ids=[i.id for i in items]))
