"""述职记录: the records in scope, the upload form, the file download (through the rules)."""
from datetime import date

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import DUTY_LEVELS, Branch, DutyReport, GeneralBranch, label
from app.security.scope import current_org
from app.services import duty_reports as service
from app.views.ballots import _scoped
from app.views.base import send_private
from app.views.boundary import parse_id


def _optional(model, name):
    text = (request.form.get(name) or "").strip()
    if not text:
        return None
    pk = parse_id(text)
    return _scoped(model, pk if pk is not None else 0)


def _date(name):
    text = (request.form.get(name) or "").strip()
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise service.ReportError(_("述职日期须写成 2024-01-15 这样的日期。")) from None


class DutyReportView(BaseView):
    """联述联评联考之「述职」: who reported to whom, when, and the report itself."""

    route_base = "/dutyreports"
    class_permission_name = "DutyReport"
    method_permission_name = {"index": "read", "upload": "write", "file": "read", "delete": "delete"}
    default_view = "index"

    def _page(self, error=None, status=200):
        org = current_org()
        reports = db.session.scalars(select(DutyReport).order_by(DutyReport.year.desc(), DutyReport.id.desc())).all()
        general_branches = [] if org is None or org.kind == "branch" else db.session.scalars(
            select(GeneralBranch).order_by(*GeneralBranch.by_name())).all()
        branches = db.session.scalars(select(Branch).order_by(Branch.general_branch_id, *Branch.by_name())).all()
        return self.render_template(
            "duty_reports/index.html", reports=reports, general_branches=general_branches, branches=branches,
            error=error, levels=DUTY_LEVELS, label=label, today=date.today().isoformat(),
            max_mb=service.max_bytes() // (1024 * 1024), form=request.form,
            may_write=self.appbuilder.sm.has_access("can_write", "DutyReport"),
            may_delete=self.appbuilder.sm.has_access("can_delete", "DutyReport")), status

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        upload = request.files.get("file")
        try:
            branch = _optional(Branch, "branch")
            general_branch = _optional(GeneralBranch, "general_branch")
            data = upload.read(service.max_bytes() + 1) if upload is not None else b""
            service.file_report(current_org(), g.user, general_branch=general_branch, branch=branch,
                                reported_on=_date("reported_on"), title=request.form.get("title"),
                                reporter=request.form.get("reporter"),
                                filename=(upload.filename if upload is not None else "") or "", data=data)
        except Refused as exc:
            db.session.rollback()
            return self._page(str(exc), 403)
        except DomainError as exc:
            db.session.rollback()
            return self._page(str(exc), 400)
        flash(_("述职记录已保存。"), "success")
        return redirect(url_for("DutyReportView.index"))

    @expose("/<int:pk>/file")
    @has_access
    def file(self, pk):
        """The report file, for users whose rules allow the record (else 404)."""
        return send_private(service.report_file(pk))

    @expose("/<int:pk>/delete", methods=["POST"])
    @has_access
    def delete(self, pk):
        report = _scoped(DutyReport, pk)
        try:
            service.delete_report(report)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(_("述职记录已删除。"), "success")
        return redirect(url_for("DutyReportView.index"))
