"""One-click hand-in of the official forms: /forms/annex2.xlsx, /forms/annex3.xlsx, statistics.

A general branch's or a branch's forms are built in the request. The whole committee's
(city scale: tens of thousands of branches) are background jobs: the GET shows a page whose
button (POST, with the CSRF token) starts the job, and the job's page offers the file.
The hand-in buttons open /forms/annex2 (or annex3): 填报人 and 联系电话, prefilled from the
user and the general branch, can be changed there before the file is built.
"""
from functools import partial
from io import BytesIO

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.errors import InvalidValue
from app.extensions import db
from app.models import AssessmentRound
from app.security.scope import current_org
from app.views.boundary import id_arg, parse_id
from app.services.job_kinds import start_form
from app.views.jobs import start_and_show
from app.services.forms import (
    PERSON_MAX, PHONE_MAX, FormNotFound, current_round_id, export_annex2, export_annex3, export_defaults,
    export_statistics, resolve, signer,
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
BUILDERS = {"annex2": export_annex2, "annex3": export_annex3}
SIGNED_FORMS = tuple(BUILDERS)  # the forms with a 填报人 / 联系电话 line


def _typed_signer():
    """What the export page sent as 填报人 / 联系电话 (InvalidValue if bad), None when it sent nothing."""
    return signer(request.values.get("person"), request.values.get("phone"))


class FormsView(BaseView):
    """The official forms for the user's scope."""

    route_base = "/forms"
    class_permission_name = "Forms"
    method_permission_name = {"annex2": "read", "annex3": "read", "statistics": "read", "start": "read",
                              "export_page": "read"}
    default_view = "annex2"

    def _page(self, form, error=None, status=200, round_id=None):
        """The export page: round, unit, the editable 填报人 / 联系电话, and the button.

        The whole committee's form posts to the job starter; a general branch's downloads at once.
        """
        general_branch_id = _int_arg("general_branch")
        try:
            round_, gb, header = export_defaults(current_org(), g.user, round_id or _int_arg("round"),
                                                general_branch_id)
        except FormNotFound:
            abort(404)
        background = committee_wide(current_org(), general_branch_id)
        person, phone = header.person, header.phone
        if error is not None or "person" in request.values:  # show back what was typed
            person, phone = request.values.get("person", ""), request.values.get("phone", "")
        body = self.render_template(
            "jobs/start.html", title=FORM_TITLES[form], round=round_, unit=header.unit,
            background=background, signed=form in SIGNED_FORMS, person=person, phone=phone,
            person_max=PERSON_MAX, phone_max=PHONE_MAX, error=error, general_branch=gb,
            action=url_for("FormsView.start", form=form) if background else url_for(f"FormsView.{form}"))
        return body, status

    def _export(self, form):
        """A general branch's form at once (with what the export page typed), or the job page."""
        if committee_wide(current_org(), _int_arg("general_branch")):
            return self._page(form)
        try:
            signed = _typed_signer()
        except InvalidValue as exc:
            return self._page(form, error=str(exc), status=400)
        return build_or_404(BUILDERS[form], current_org(), g.user, _int_arg("round"), _int_arg("general_branch"),
                            signed=signed)

    @expose("/<any(annex2, annex3):form>")
    @has_access
    def export_page(self, form):
        """Check or change 填报人 / 联系电话, then export."""
        return self._page(form)

    @expose("/annex2.xlsx")
    @has_access
    def annex2(self):
        return self._export("annex2")

    @expose("/annex3.xlsx")
    @has_access
    def annex3(self):
        return self._export("annex3")

    @expose("/statistics.xlsx")
    @has_access
    def statistics(self):
        if committee_wide(current_org(), None):
            return self._page("statistics")
        return build_or_404(export_statistics, current_org(), _int_arg("round"))

    @expose("/job/<form>", methods=["POST"])
    @has_access
    def start(self, form):
        """Start the committee-wide form as a background job and go to its page."""
        round_id = parse_id(request.form.get("round", ""))
        if form not in FORM_TITLES or round_id is None:
            abort(404)
        try:
            signed = _typed_signer() if form in SIGNED_FORMS else None
        except InvalidValue as exc:
            return self._page(form, error=str(exc), status=400, round_id=round_id)
        try:
            return start_and_show(partial(start_form, signed=signed), g.user, current_org(), form, round_id)
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
