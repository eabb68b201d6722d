"""Checks on the uploaded bytes before any spreadsheet library reads them.

Order: size, then magic bytes (encrypted / legacy / text / other), then the zip
directory (a zip bomb is refused from the directory alone, nothing is
decompressed), then the parts an xlsx must have.
"""
from __future__ import annotations

import io
import zipfile

from . import errors as E
from .errors import ImportFileError

MAX_UNCOMPRESSED = 200 * 1024 * 1024   # sum of the declared sizes of all parts
RATIO_MIN_SIZE = 10 * 1024 * 1024      # parts at least this large must not ...
MAX_RATIO = 100                        # ... expand more than this many times
MAX_PARTS = 10_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

_SAVE_AS_ZH = "请在 Excel 或 WPS 中打开，选择“另存为”→“Excel 工作簿（*.xlsx）”后重新上传。"
_SAVE_AS_EN = 'Open it in Excel or WPS, choose "Save As" → "Excel Workbook (*.xlsx)" and upload that.'


def _not_xlsx(what_zh: str, what_en: str) -> ImportFileError:
    return ImportFileError(E.NOT_XLSX, f"{what_zh}系统只接受 Excel 工作簿（.xlsx）。{_SAVE_AS_ZH}",
                           f"{what_en} Only Excel workbooks (.xlsx) are accepted. {_SAVE_AS_EN}")


def _corrupt(detail_zh: str = "", detail_en: str = "") -> ImportFileError:
    return ImportFileError(
        E.CORRUPT,
        f"文件已损坏或不完整，无法读取{('（' + detail_zh + '）') if detail_zh else ''}。"
        f"可能是下载或复制时中断。{_SAVE_AS_ZH}",
        f"The file is damaged or incomplete and cannot be read{(' (' + detail_en + ')') if detail_en else ''}; "
        f"perhaps a download or copy was cut short. {_SAVE_AS_EN}")


def _zip_bomb(detail_zh: str, detail_en: str) -> ImportFileError:
    return ImportFileError(
        E.ZIP_BOMB,
        f"文件解压后的体积异常（{detail_zh}），为安全起见不予处理。一份正常的名册远小于此。"
        "请确认文件来源，或将数据复制到导入模板中重新保存后上传。",
        f"The file would expand to an abnormal size ({detail_en}) and was refused for safety; "
        "a normal roster is far smaller. Check where the file came from, or copy the data into "
        "the import template, save it and upload that.")


def _sniff_non_zip(head: bytes) -> ImportFileError:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):            # UTF-16 text, e.g. "Unicode text"
        return _not_xlsx("这是文本文件（如 CSV），不是 Excel 工作簿。请下载导入模板，把数据粘贴进去再保存。",
                         "This is a text file (such as CSV), not an Excel workbook. Download the import "
                         "template and paste the data into it.")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return _not_xlsx("这是网页（HTML/XML）格式的文件，只是扩展名被改成了 Excel 的。",
                         "This is a web page (HTML/XML) file whose name merely ends like an Excel file.")
    if head.startswith(b"%PDF"):
        return _not_xlsx("这是 PDF 文件，不是 Excel 工作簿。", "This is a PDF file, not an Excel workbook.")
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return _not_xlsx("这是压缩包，不是 Excel 工作簿。", "This is a compressed archive, not an Excel workbook.")
    sample = head[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = sample.decode("gb18030")
        except UnicodeDecodeError:
            text = None
    if text is not None and "\x00" not in text:
        return _not_xlsx("这是文本文件（如 CSV），不是 Excel 工作簿。请下载导入模板，把数据粘贴进去再保存。",
                         "This is a text file (such as CSV), not an Excel workbook. Download the import "
                         "template and paste the data into it.")
    return _not_xlsx("无法识别的文件格式，不是 Excel 工作簿。",
                     "The file format is not recognised; it is not an Excel workbook.")


def open_xlsx_zip(data: bytes, max_bytes: int) -> zipfile.ZipFile:
    """Check the bytes and return the zip, or raise ImportFileError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("data must be bytes")
    size = len(data)
    if size == 0:
        raise ImportFileError(E.EMPTY_FILE, "上传的文件是空的（0 字节）。请重新选择文件。",
                              "The uploaded file is empty (0 bytes). Choose the file again.")
    if size > max_bytes:
        raise ImportFileError(
            E.FILE_TOO_LARGE,
            f"文件大小为 {E.human_size(size)}，超过上限 {E.human_size(max_bytes)}。请拆分成几个文件分批导入。",
            f"The file is {E.human_size(size)}, over the {E.human_size(max_bytes)} limit. "
            "Split it into several files and import them one by one.",
            {"size": size, "max_bytes": max_bytes})
    data = bytes(data)
    if data.startswith(OLE_MAGIC):
        if any(marker in data for marker in _ENCRYPTED_STREAMS):
            raise ImportFileError(
                E.ENCRYPTED,
                "文件设置了打开密码（已加密），系统无法读取。请在 Excel 中依次点击“文件 → 信息 → 保护工作簿 → "
                "用密码进行加密”，清空密码（WPS：“文件 → 文档加密 → 密码加密”）并保存后重新上传。",
                "The file is protected with a password (encrypted) and cannot be read. In Excel choose "
                '"File → Info → Protect Workbook → Encrypt with Password", clear the password, save, '
                "and upload it again.")
        raise _not_xlsx("这是旧版 Excel 97-2003 格式（.xls）的文件。",
                        "This is an old Excel 97-2003 (.xls) file.")
    if not data.startswith(ZIP_MAGICS):
        raise _sniff_non_zip(data[:8192])
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError,
            IndexError, TypeError, NotImplementedError, UnicodeDecodeError) as exc:
        raise _corrupt("压缩结构无效", "invalid zip structure") from exc

    if len(infos) > MAX_PARTS:
        raise _zip_bomb(f"包含 {len(infos)} 个部件", f"{len(infos)} parts")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _zip_bomb(f"其中一个部件压缩比约为 {ratio}:1，解压后 {E.human_size(info.file_size)}",
                            f"one part expands {ratio}:1 to {E.human_size(info.file_size)}")
        if info.flag_bits & 0x1:
            raise ImportFileError(E.ENCRYPTED, "文件内容被加密（压缩包密码），系统无法读取。请去掉密码后重新上传。",
                                  "The file's content is encrypted (a zip password) and cannot be read. "
                                  "Remove the password and upload it again.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt("使用了不支持的压缩方式", "unsupported compression method")
    if total > MAX_UNCOMPRESSED:
        raise _zip_bomb(f"解压后共 {E.human_size(total)}，上限 {E.human_size(MAX_UNCOMPRESSED)}",
                        f"{E.human_size(total)} in all, limit {E.human_size(MAX_UNCOMPRESSED)}")

    names = {info.filename.lower() for info in infos}
    if not any(n == "workbook.xml" or n.endswith("/workbook.xml") for n in names):
        if any(n.endswith("workbook.bin") for n in names):
            raise _not_xlsx("这是 Excel 二进制工作簿（.xlsb）。", "This is an Excel binary workbook (.xlsb).")
        if "mimetype" in names and "content.xml" in names:
            raise _not_xlsx("这是 OpenDocument 表格（.ods 等）。", "This is an OpenDocument file (.ods or similar).")
        if any(n.startswith("word/") for n in names):
            raise _not_xlsx("这是 Word 文档（.docx）。", "This is a Word document (.docx).")
        if any(n.startswith("ppt/") for n in names):
            raise _not_xlsx("这是 PowerPoint 文档（.pptx）。", "This is a PowerPoint document (.pptx).")
        if "[content_types].xml" in names:
            raise _corrupt("缺少工作簿部件", "the workbook part is missing")
        raise _not_xlsx("这是一个 zip 压缩包，不是 Excel 工作簿。", "This is a zip archive, not an Excel workbook.")

    # No XML part may declare a DTD (entity expansion, external entities).
    for info in infos:
        if info.file_size and info.filename.lower().endswith((".xml", ".rels", ".vml")):
            try:
                with zf.open(info) as part:
                    head = part.read(65536)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise _corrupt("部件无法解压", "a part cannot be decompressed") from exc
            except Exception as exc:  # zlib.error and friends
                raise _corrupt("部件无法解压", "a part cannot be decompressed") from exc
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise _corrupt("含有不允许的 XML 文档类型声明", "it contains a forbidden XML DOCTYPE")
    return zf
