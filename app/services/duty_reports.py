"""述职 records (五、(三)): branch secretaries report to their general branch, general-branch
secretaries to the committee, once a year, with the report file.

Files: PDF, Word (.docx, .doc) or OpenDocument text (.odt), at most ZHIBU_REPORT_MAX_BYTES
(10 MB), checked by extension *and* by the file's first bytes (a renamed executable is not a
PDF). Each is written under ZHIBU_UPLOAD_DIR (outside the web root: nothing there is served
by a static route) with a random name; the row keeps the uploaded name, the type, size and
SHA-256. The file is read back only through report_file(), i.e. through the record rules:
a user who may not read the record gets a 404, never the file.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import Branch, DutyReport, GeneralBranch
from app.security.scope import get_in_scope
from app.services.tx import commit

# extension -> (content type, accepted first bytes)
FILE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_TITLE = 200
SUBDIR = "duty_reports"


class ReportError(DomainError):
    """A 述职 record the rules refuse (HTTP 400)."""


class ReportRefused(ReportError, Refused):
    """Not this organization's to file (HTTP 403)."""


@dataclass
class ReportFile:
    """A stored report file as it is served."""

    path: Path
    download_name: str
    content_type: str


def max_bytes() -> int:
    return int(current_app.config.get("ZHIBU_REPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def upload_dir() -> Path:
    """ZHIBU_UPLOAD_DIR/duty_reports, created on first use."""
    root = Path(current_app.config.get("ZHIBU_UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    folder = root / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_type(filename: str, data: bytes) -> tuple[str, str]:
    """(extension, content type) of an accepted file, else ReportError with the reason."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext not in FILE_TYPES:
        raise ReportError(_("述职报告须为 PDF、Word（.docx、.doc）或 OpenDocument（.odt）文件。"))
    if not data:
        raise ReportError(_("请选择述职报告文件。"))
    if len(data) > max_bytes():
        raise ReportError(_("述职报告文件不能超过 %(mb)d MB。", mb=max_bytes() // (1024 * 1024)))
    content_type, magic = FILE_TYPES[ext]
    if not any(data.startswith(m) for m in magic):
        raise ReportError(_("文件内容与扩展名“%(ext)s”不符，请上传真实的述职报告文件。", ext=ext))
    return ext, content_type


def _target(actor, general_branch: GeneralBranch | None, branch: Branch | None):
    """(general branch, branch or None) the report belongs to, by who files it."""
    if actor is None:
        raise ReportRefused(_("请先登录。"))
    if actor.kind == "branch":
        if branch is None or branch.id != actor.branch_id:
            raise ReportRefused(_("党支部只能提交本支部书记的述职记录。"))
        return branch.general_branch, branch
    if branch is not None:
        return branch.general_branch, branch
    if general_branch is None:
        raise ReportError(_("请选择述职的党总支或党支部。"))
    return general_branch, None


def file_report(actor, user, *, general_branch, branch, reported_on, title, reporter, filename, data) -> DutyReport:
    """Keep a 述职 record with its file; the year is the report's; once a year per reporter."""
    gb, branch = _target(actor, general_branch, branch)
    if not isinstance(reported_on, date):
        raise ReportError(_("请填写述职日期。"))
    if reported_on > date.today():
        raise ReportError(_("述职日期不能晚于今天。"))
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise ReportError(_("请填写标题（不超过 %(n)d 个字）。", n=MAX_TITLE))
    ext, content_type = _file_type(filename, data)
    stored = secrets.token_hex(16) + ext
    path = upload_dir() / stored
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    report = DutyReport(
        committee_id=gb.committee_id, general_branch_id=gb.id, branch_id=branch.id if branch else None,
        year=reported_on.year, reported_on=reported_on, title=title, reporter=(reporter or "").strip()[:60] or None,
        file_name=os.path.basename(filename)[-255:], stored_name=stored, content_type=content_type,
        file_size=len(data), file_sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(user, "id", None))
    db.session.add(report)
    try:
        commit()
    except IntegrityError:
        db.session.rollback()
        path.unlink(missing_ok=True)
        raise ReportError(_("%(year)d 年的述职记录已经有了：每年述职一次。如需更换，请先删除原记录。",
                            year=reported_on.year)) from None
    except BaseException:
        path.unlink(missing_ok=True)  # nothing half-saved: no file without its row
        raise
    return report


def report_file(pk: int) -> ReportFile | None:
    """The file of a record the actor may read (None: no such record for this actor)."""
    report = get_in_scope(DutyReport, pk)
    if report is None:
        return None
    path = upload_dir() / report.stored_name
    if not path.is_file():
        return None
    return ReportFile(path, report.file_name, report.content_type)


def delete_report(report: DutyReport) -> None:
    """Delete the record (the rules decide), then its file."""
    path = upload_dir() / report.stored_name
    db.session.delete(report)
    commit()
    path.unlink(missing_ok=True)
