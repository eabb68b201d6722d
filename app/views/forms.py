"""One-click hand-in of the official forms: /forms/annex2.xlsx, /forms/annex3.xlsx, statistics.

A general branch's or a branch's forms are built in the request. The whole committee's
(city scale: tens of thousands of branches) are background jobs: the GET shows a page whose
button (POST, with the CSRF token) starts the job, and the job's page offers the file.
"""
from io import BytesIO

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AssessmentRound
from app.security.scope import current_org
from app.views.boundary import id_arg, parse_id
from app.services.job_kinds import start_form
from app.views.jobs import start_and_show
from app.services.forms import (
    FormNotFound, current_round_id, export_annex2, export_annex3, export_statistics, resolve,
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


def committee_wide(org, general_branch_id) -> bool:
    """The whole committee's form (not one general branch's): built as a background job."""
    return org is not None and org.kind in ("committee", "all") and general_branch_id is None


FORM_TITLES = {"annex2": _l("附件2 分类定级汇总表"), "annex3": _l("附件3 整改汇总表"), "statistics": _l("分类定级统计")}


class FormsView(BaseView):
    """The official forms for the user's scope."""

    route_base = "/forms"
    class_permission_name = "Forms"
    method_permission_name = {"annex2": "read", "annex3": "read", "statistics": "read", "start": "read"}
    default_view = "annex2"

    def _background(self, form):
        """The page that starts the committee-wide form as a job (404 for a foreign round)."""
        try:
            round_, _gb = resolve(current_org(), _int_arg("round"), None)
        except FormNotFound:
            abort(404)
        return self.render_template("jobs/start.html", title=FORM_TITLES[form], round=round_,
                                    action=url_for("FormsView.start", form=form))

    @expose("/annex2.xlsx")
    @has_access
    def annex2(self):
        if committee_wide(current_org(), _int_arg("general_branch")):
            return self._background("annex2")
        return build_or_404(export_annex2, current_org(), g.user, _int_arg("round"), _int_arg("general_branch"))

    @expose("/annex3.xlsx")
    @has_access
    def annex3(self):
        if committee_wide(current_org(), _int_arg("general_branch")):
            return self._background("annex3")
        return build_or_404(export_annex3, current_org(), g.user, _int_arg("round"), _int_arg("general_branch"))

    @expose("/statistics.xlsx")
    @has_access
    def statistics(self):
        if committee_wide(current_org(), None):
            return self._background("statistics")
        return build_or_404(export_statistics, current_org(), _int_arg("round"))

    @expose("/job/<form>", methods=["POST"])
    @has_access
    def start(self, form):
        """Start the committee-wide form as a background job and go to its page."""
        round_id = parse_id(request.form.get("round", ""))
        if form not in FORM_TITLES or round_id is None:
            abort(404)
        try:
            return start_and_show(start_form, g.user, current_org(), form, round_id)
        except FormNotFound:
            abort(404)


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
