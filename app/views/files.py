"""Records with a file: meeting attachments (minutes, photos) and a branch's annual work plan and
summary. Listed, shown, edited (the caption or title) and deleted as scoped model views; the add
form uploads the file; /<pk>/file serves it only after loading the record under the rule table."""
from datetime import date

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import DOCUMENT_KINDS, Branch, BranchDocument, Meeting, MeetingAttachment
from app.security.scope import get_in_scope
from app.services import documents, meetings, uploads
from app.views.base import ScopedModelRestApi, ScopedModelView, send_private
from app.views.boundary import parse_id


def _size(value) -> str:
    return f"{(value or 0) / 1024:.1f} KB"


class FileRecordView(ScopedModelView):
    """A scoped model view whose add form uploads a file (the subclass says what it saves)."""

    folder = ""
    add_template_name = ""
    method_permission_name = {**ScopedModelView.method_permission_name, "file": "read"}
    formatters_columns = {"file_size": _size}

    def _form_context(self) -> dict:
        return {}

    def _save(self, data: bytes, filename: str):
        raise NotImplementedError

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """The upload form; POST saves the record and its file, or shows why not."""
        error, status = None, 200
        if request.method == "POST":
            upload = request.files.get("file")
            try:
                data = upload.read(uploads.max_bytes() + 1) if upload is not None else b""
                row = self._save(data, (upload.filename if upload is not None else "") or "")
            except Refused as exc:
                db.session.rollback()
                error, status = str(exc), 403
            except DomainError as exc:
                db.session.rollback()
                error, status = str(exc), 400
            else:
                flash(_("已保存。"), "success")
                return redirect(url_for(f"{type(self).__name__}.show", pk=row.id))
        return self.render_template(
            self.add_template_name, title=self.add_title, error=error, form=request.form,
            max_mb=uploads.max_bytes() // (1024 * 1024), today=date.today().isoformat(),
            **self._form_context()), status

    @expose("/<int:pk>/file")
    @has_access
    def file(self, pk):
        """The file, for users whose rules allow the record (else 404)."""
        return send_private(uploads.file_of(self.model, pk, self.folder))

    def post_delete(self, item):
        uploads.discard(self.folder, item.stored_name)


def _form_int(name):
    text = (request.form.get(name) or "").strip()
    return parse_id(text) if text else None


class MeetingAttachmentView(FileRecordView):
    model = MeetingAttachment
    folder = meetings.FOLDER
    add_template_name = "files/meeting_attachment.html"
    class_permission_name = "Meeting"
    list_title = show_title = _l("组织生活附件")
    add_title = _l("上传组织生活附件")
    edit_title = _l("编辑组织生活附件")
    label_columns = {**ScopedModelView.label_columns, "file_link": _l("文件"), "file_size": _l("大小"),
                     "content_type": _l("文件格式")}
    list_columns = ["meeting", "caption", "file_link", "file_size", "uploaded_at"]
    show_columns = ["meeting", "caption", "file_link", "file_size", "content_type", "uploaded_at"]
    edit_columns = ["caption"]
    order_columns = ["uploaded_at"]
    base_order = ("uploaded_at", "desc")

    def _form_context(self):
        chosen = parse_id(request.values.get("meeting") or request.args.get("_flt_0_meeting") or "")
        recent = db.session.scalars(select(Meeting).order_by(Meeting.held_on.desc().nulls_last(), Meeting.id.desc())
                                    .limit(300)).all()
        return {"meetings": recent, "chosen": chosen, "accept": ",".join(sorted(meetings.ATTACHMENT_TYPES))}

    def _save(self, data, filename):
        meeting = get_in_scope(Meeting, _form_int("meeting") or 0)
        if meeting is None:
            raise meetings.MeetingError(_("请选择组织生活记录。"))
        return meetings.attach(meeting, g.user, filename, data, caption=request.form.get("caption"))


class BranchDocumentView(FileRecordView):
    model = BranchDocument
    folder = documents.FOLDER
    add_template_name = "files/branch_document.html"
    class_permission_name = "Document"
    list_title = show_title = _l("支部工作计划和总结")
    add_title = _l("上传工作计划或总结")
    edit_title = _l("编辑工作计划或总结")
    label_columns = {**ScopedModelView.label_columns, "file_link": _l("文件"), "file_size": _l("大小"),
                     "content_type": _l("文件格式"), "kind": _l("文件类型")}
    list_columns = ["branch", "year", "kind", "title", "file_link", "uploaded_at"]
    show_columns = ["branch", "year", "kind", "title", "file_link", "file_size", "content_type", "uploaded_at"]
    edit_columns = ["title"]
    search_columns = ["branch", "year", "kind"]
    order_columns = ["year", "kind", "uploaded_at"]
    base_order = ("year", "desc")

    def _form_context(self):
        branches = db.session.scalars(select(Branch).order_by(Branch.general_branch_id, Branch.code)).all()
        return {"branches": branches, "kinds": DOCUMENT_KINDS, "year": date.today().year}

    def _save(self, data, filename):
        branch = get_in_scope(Branch, _form_int("branch") or 0)
        if branch is None:
            raise documents.DocumentError(_("请选择党支部。"))
        return documents.file_document(branch, g.user, year=_form_int("year"), kind=request.form.get("kind"),
                                       title=request.form.get("title"), filename=filename, data=data)


class BranchDocumentApi(ScopedModelRestApi):
    """Read, retitle and delete (files are uploaded through the web form)."""

    resource_name = "branchdocument"
    model = BranchDocument
    class_permission_name = "Document"
    include_route_methods = {"get_list", "get", "put", "delete", "info"}
    list_columns = show_columns = ["id", "branch.id", "branch.name", "year", "kind", "title", "file_name",
                                   "file_size", "content_type", "uploaded_at"]
    edit_columns = ["title"]
    add_columns = ["title"]

    def post_delete(self, item):
        uploads.discard(documents.FOLDER, item.stored_name)
