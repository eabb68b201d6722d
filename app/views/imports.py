"""Roster import / export pages: upload -> dry run -> confirm; templates; exports; records.

The view stays thin: app.services.imports parses, plans, stores and applies. Every form
carries the CSRF token (CSRFProtect is global); records are read through the scope, so
a foreign record id is a 404.
"""
import io
import os
from datetime import date
from urllib.parse import quote

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.imports import ImportFileError, appraisal_template, branch_template, member_template, training_template
from app.imports.errors import human_size
from app.models import ORG_KINDS, ImportRecord, label
from app.models.imports import IMPORT_KINDS, IMPORT_STATUSES
from app.security.scope import current_org, scope_clause
from app.services import imports as service
from app.services import job_kinds
from app.views.jobs import start_and_show
from app.views.errors import handle_http_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_TITLES = {"members": _l("党员名册"), "branches": _l("支部名册"), "appraisals": _l("民主评议党员结果"),
               "trainings": _l("培训参加人员")}
TEMPLATES = {"members": (member_template, "member-roster-template.xlsx"),
             "branches": (branch_template, "branch-roster-template.xlsx"),
             "appraisals": (appraisal_template, "member-appraisal-template.xlsx"),
             "trainings": (training_template, "training-attendees-template.xlsx")}
EXPORT_NAMES = {"members": "member-roster", "branches": "branch-roster", "appraisals": "member-appraisals",
                "trainings": "training-attendees"}
RECORDS_PER_PAGE = 50


def lang() -> str:
    """'en' or 'zh': the language the import messages are shown in."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


class RosterImportView(BaseView):
    """名册导入导出: one page to download templates and exports and to upload a roster."""

    route_base = "/imports"
    default_view = "index"
    class_permission_name = "RosterImport"
    method_permission_name = {
        "index": "read", "records": "read", "template": "read", "export": "read", "file": "read",
        "result": "read", "upload": "write", "confirm": "write",
    }

    # -- helpers ---------------------------------------------------------------------------

    def _user(self):
        return self.appbuilder.sm.current_user

    def _kinds(self, check) -> list:
        return [(kind, KIND_TITLES[kind]) for kind in service.KINDS if check(kind)]

    def _importable(self, kind) -> bool:
        try:
            service.importer_org(self._user(), kind)
        except service.ImportDenied:
            return False
        return True

    def _page(self, error=None, status=200, kind=None):
        org = current_org()
        recent = db.session.scalars(
            select(ImportRecord).where(scope_clause(ImportRecord, org)).order_by(ImportRecord.id.desc()).limit(10)
        ).all()
        return self.render_template(
            "imports/index.html", title=_("名册导入导出"), error=error, selected=kind,
            import_kinds=self._kinds(self._importable),
            export_kinds=self._kinds(lambda k: service.may_export(self._user(), k)),
            recent=recent, max_size=human_size(service.max_import_bytes()), helpers=_helpers(),
        ), status

    def _record(self, pk) -> ImportRecord:
        try:
            return service.record_for(self._user(), pk)
        except service.RecordNotFound:
            abort(404)

    # -- pages -----------------------------------------------------------------------------

    @expose("/")
    @has_access
    def index(self):
        """Templates, exports, the upload form and the latest imports."""
        return self._page()

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        """Dry run: check the file, keep it with the outcome, show the result page."""
        kind = request.form.get("kind", "")
        upload = request.files.get("file")
        if kind not in service.KINDS:
            return self._page(_("请选择要导入的名册。"), 400)
        if upload is None or not upload.filename:
            return self._page(_("请选择要上传的文件。"), 400, kind)
        data = upload.read(service.max_import_bytes() + 1)
        if len(data) > service.job_threshold():
            return self._check_in_background(kind, os.path.basename(upload.filename), data)
        try:
            outcome = service.dry_run(self._user(), kind, os.path.basename(upload.filename), data)
        except service.ImportDenied as exc:
            return self._page(str(exc), 403, kind)
        except ImportFileError as exc:
            return self._page(exc.message(lang()), 400, kind)
        return redirect(url_for(".result", pk=outcome.record.id))

    def _check_in_background(self, kind, filename, data):
        """A large file is checked by a background job; its page follows on to the result."""
        try:
            return start_and_show(job_kinds.start_import_check, self._user(), kind, filename, data)
        except service.ImportDenied as exc:
            return self._page(str(exc), 403, kind)

    @expose("/result/<int:pk>")
    @has_access
    def result(self, pk):
        """The dry-run (or applied) outcome: summary, every error, ignored columns."""
        record = self._record(pk)
        can_confirm = service.can_confirm(self._user(), record)
        return self.render_template(
            "imports/result.html", title=_("导入预检结果"), record=record, summary=record.summary_dict,
            errors=record.error_list, lang=lang(), can_confirm=can_confirm, helpers=_helpers(),
        )

    @expose("/confirm/<int:pk>", methods=["POST"])
    @has_access
    def confirm(self, pk):
        """Apply a clean dry run in one transaction (the file is checked again first)."""
        record = self._record(pk)
        try:
            if record.file_size > service.job_threshold():
                return start_and_show(job_kinds.start_import_apply, self._user(), record)
            outcome = service.apply(self._user(), record.id)
        except service.ImportDenied as exc:
            flash(str(exc), "danger")
            return redirect(url_for(".result", pk=pk))
        if outcome.applied:
            s = outcome.summary
            flash(_("导入完成：新增 %(new)d 条，更新 %(updated)d 条，未变 %(unchanged)d 条。",
                    new=s["new"], updated=s["updated"], unchanged=s["unchanged"]), "success")
        else:
            flash(_("文件与系统中的数据核对时发现错误，未导入任何数据。请改正后重新上传。"), "danger")
        return redirect(url_for(".result", pk=pk))

    @expose("/records")
    @has_access
    def records(self):
        """Every import in scope, newest first (who, when, file, outcome)."""
        org = current_org()
        page = max(request.args.get("page", 0, type=int), 0)
        where = scope_clause(ImportRecord, org)
        count = db.session.scalar(select(func.count()).select_from(ImportRecord).where(where))
        rows = db.session.scalars(
            select(ImportRecord).where(where).order_by(ImportRecord.id.desc())
            .offset(page * RECORDS_PER_PAGE).limit(RECORDS_PER_PAGE)
        ).all()
        return self.render_template(
            "imports/records.html", title=_("导入记录"), records=rows, page=page, count=count,
            pages=max((count + RECORDS_PER_PAGE - 1) // RECORDS_PER_PAGE, 1), helpers=_helpers(),
        )

    @expose("/file/<int:pk>")
    @has_access
    def file(self, pk):
        """The uploaded file as it was received (audit)."""
        record = self._record(pk)
        data = db.session.scalar(select(ImportRecord.file_data).where(ImportRecord.id == record.id))
        return xlsx_download(data, record.filename or f"import-{record.id}.xlsx", f"import-{record.id}.xlsx")

    @expose("/template/<kind>")
    @has_access
    def template(self, kind):
        """The empty roster template, in the current language."""
        if kind not in service.KINDS:
            abort(404)
        build, ascii_name = TEMPLATES[kind]
        name = ascii_name if lang() == "en" else f"{KIND_TITLES[kind]}导入模板.xlsx"
        return xlsx_download(build(lang()), name, ascii_name)

    @expose("/export/<kind>")
    @has_access
    def export(self, kind):
        """The roster in scope in the template's layout; importing it back changes nothing."""
        if kind not in service.KINDS:
            abort(404)
        org = current_org()
        if org is None or not service.may_export(self._user(), kind):
            abort(403)
        stamp = f"{date.today():%Y%m%d}"
        return xlsx_download(service.export_bytes(org, kind), f"{KIND_TITLES[kind]}-{stamp}.xlsx",
                             f"{EXPORT_NAMES[kind]}-{stamp}.xlsx")


def xlsx_download(data: bytes, name: str, ascii_name: str):
    """An xlsx attachment: the (Chinese) name as RFC 5987 filename*, an ASCII name for old clients."""
    response = send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=str(name))
    quoted = quote(str(name), safe="")
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"
    return response


def _helpers() -> dict:
    return {
        "kind_label": lambda code: label(IMPORT_KINDS, code),
        "status_label": lambda code: label(IMPORT_STATUSES, code),
        "org_label": lambda code: label(ORG_KINDS, code),
        "message": service.error_message,
        "lang": lang(),
    }


def too_large(error):
    """413: a clean page instead of the server's bare error (MAX_CONTENT_LENGTH)."""
    if "user" not in g:     # CSRFProtect read the form before FAB's before_request ran
        g.user = current_user._get_current_object()
    limit = human_size(service.max_import_bytes())
    message = _("上传的文件超过大小上限 %(limit)s。请拆分成几个文件分批导入。", limit=limit)
    view = next((v for v in current_app.appbuilder.baseviews if isinstance(v, RosterImportView)), None)
    if view is not None and request.path.startswith(RosterImportView.route_base):
        return view._page(message, 413)
    return handle_http_error(RequestEntityTooLarge(description=message))


def configure() -> None:
    """MAX_CONTENT_LENGTH follows ZHIBU_IMPORT_MAX_BYTES (config.py), 1 MB above; a clean 413.

    Called from app/menu.py inside create_app, after the config overrides are in.
    """
    app = current_app
    app.config.setdefault("ZHIBU_IMPORT_MAX_BYTES", service.DEFAULT_MAX_BYTES)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["ZHIBU_IMPORT_MAX_BYTES"] + 1024 * 1024
    app.register_error_handler(RequestEntityTooLarge, too_large)
