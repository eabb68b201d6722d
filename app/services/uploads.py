"""Files attached to records (meeting minutes and photos, a branch's work plan and summary).

Each file is checked by extension *and* first bytes, limited to ZHIBU_UPLOAD_MAX_BYTES (10 MB)
and written under ZHIBU_UPLOAD_DIR/<folder> (the instance folder by default: outside the web
root, nothing there is served by a static route) with a random name. A file is read back only
through file_of(), which loads its record under the record rules first: a user who may not
read the record gets None (the view answers 404), never the file.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.errors import DomainError
from app.security.scope import get_in_scope

DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
}
IMAGE_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class UploadError(DomainError):
    """A file the limits refuse (HTTP 400)."""


@dataclass
class StoredFile:
    """What a record keeps of its file."""

    file_name: str
    stored_name: str
    content_type: str
    file_size: int
    file_sha256: str

    def columns(self) -> dict:
        return dict(file_name=self.file_name, stored_name=self.stored_name, content_type=self.content_type,
                    file_size=self.file_size, file_sha256=self.file_sha256)


@dataclass
class ServedFile:
    path: Path
    download_name: str
    content_type: str


def max_bytes() -> int:
    return int(current_app.config.get("ZHIBU_UPLOAD_MAX_BYTES") or DEFAULT_MAX_BYTES)


def folder(name: str) -> Path:
    """ZHIBU_UPLOAD_DIR/<name>, created on first use."""
    root = Path(current_app.config.get("ZHIBU_UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def _names(types: dict) -> str:
    return "、".join(sorted(types))


def check_file(filename: str, data: bytes, types: dict) -> tuple[str, str]:
    """(extension, content type) of an accepted file, else UploadError saying why."""
    ext = os.path.splitext(filename or "")[1].lower()
    if not data and not filename:
        raise UploadError(_("请选择要上传的文件。"))
    if ext not in types:
        raise UploadError(_("不支持这种文件类型：只能上传 %(types)s 文件。", types=_names(types)))
    if not data:
        raise UploadError(_("上传的文件是空的。"))
    if len(data) > max_bytes():
        raise UploadError(_("文件不能超过 %(mb)d MB。", mb=max_bytes() // (1024 * 1024)))
    content_type, magic = types[ext]
    if not any(data.startswith(m) for m in magic):
        raise UploadError(_("文件内容与扩展名“%(ext)s”不符，请上传真实的文件。", ext=ext))
    return ext, content_type


def store(folder_name: str, filename: str, data: bytes, types: dict) -> StoredFile:
    """Check and write the file under a random name; the caller saves the row (or discard()s)."""
    ext, content_type = check_file(filename, data, types)
    stored = secrets.token_hex(16) + ext
    path = folder(folder_name) / stored
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return StoredFile(os.path.basename(filename)[-255:], stored, content_type, len(data),
                      hashlib.sha256(data).hexdigest())


def discard(folder_name: str, stored_name: str) -> None:
    (folder(folder_name) / stored_name).unlink(missing_ok=True)


def file_of(model, pk: int, folder_name: str) -> ServedFile | None:
    """The file of a record the actor may read (None: no such record for this actor)."""
    row = get_in_scope(model, pk)
    if row is None:
        return None
    path = folder(folder_name) / row.stored_name
    if not path.is_file():
        return None
    return ServedFile(path, row.file_name, row.content_type)
