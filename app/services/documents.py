"""A branch's annual work plan and work summary (附表 工作机制好 3): one of each a year, a file each."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError
from app.extensions import db
from app.models import DOCUMENT_KINDS, BranchDocument
from app.services import uploads
from app.services.tx import commit

FOLDER = "documents"
MAX_TITLE = 200


class DocumentError(DomainError):
    """A document the rules refuse (HTTP 400)."""


def file_document(branch, user, *, year, kind, title, filename, data) -> BranchDocument:
    """Keep a branch's plan or summary for a year with its file; nothing half-saved."""
    if not isinstance(year, int) or not 1949 <= year <= date.today().year + 1:
        raise DocumentError(_("「年度」须为 1949 到 %(max)d 之间的年份。", max=date.today().year + 1))
    if kind not in DOCUMENT_KINDS:
        raise DocumentError(_("请选择文件类型：年度工作计划或年度工作总结。"))
    title = (title or "").strip() or f"{year}{DOCUMENT_KINDS[kind]}"
    if len(title) > MAX_TITLE:
        raise DocumentError(_("标题不能超过 %(n)d 个字。", n=MAX_TITLE))
    stored = uploads.store(FOLDER, filename, data, uploads.DOCUMENT_TYPES)
    row = BranchDocument(branch_id=branch.id, year=year, kind=kind, title=title,
                         uploaded_by_id=getattr(user, "id", None), **stored.columns())
    db.session.add(row)
    try:
        commit()
    except IntegrityError:
        db.session.rollback()
        uploads.discard(FOLDER, stored.stored_name)
        raise DocumentError(_("%(branch)s %(year)d 年的%(kind)s已经有了；如需更换，请先删除原文件。",
                              branch=branch.name, year=year, kind=DOCUMENT_KINDS[kind])) from None
    except BaseException:
        db.session.rollback()
        uploads.discard(FOLDER, stored.stored_name)
        raise
    return row
