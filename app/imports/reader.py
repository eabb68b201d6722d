"""Reading a roster file into typed rows and per-row errors.

openpyxl opens the workbook read-only (sheet list, shared strings, date styles,
epoch); the data sheet's XML is then streamed once by sheetxml.iter_sheet,
which yields the cached values of formulas (data-only semantics) and marks, in
the same pass, formula cells that have no cached value and error cells. Should
openpyxl's internals that this needs ever be missing, openpyxl's own
iter_rows(values_only=True) is used, plus a second read-only pass
(data_only=False) to find the formulas.

Rows: the header is the first row among the first 20 that names a known
column (title lines above it are skipped); every later row that has a value in
a roster column is a data row; blank rows anywhere are skipped. Row numbers
are Excel's.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

import openpyxl
from openpyxl.utils import get_column_letter

from . import errors as E
from .container import _corrupt, open_xlsx_zip
from .errors import ImportFileError, RowError
from .spec import (APPRAISAL_SPEC, AUX_SHEETS_EN, AUX_SHEETS_ZH, BRANCH_SPEC, MEMBER_SPEC, SPECS, TRAINING_SPEC,
                   ColumnSpec, RosterSpec)
from .sheetxml import UNCACHED, ExcelError, iter_sheet
from .values import EXCEL_ERRORS, WINDOWS_EPOCH, BadValue, _as_text, clean_text, coerce, match_key

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_ERRORS = 1000
HEADER_SCAN_ROWS = 20     # the header is the first row, among these, naming a known column
USE_LEAN_READER = True    # False: openpyxl's iter_rows (tests of the fallback)


@dataclass
class ParseResult:
    rows: list                       # [(excel_row_number, MemberRow | BranchRow)], valid rows only
    errors: list                     # [RowError], ordered by row
    ignored_columns: list            # header texts of columns that are not part of the roster
    total_rows: int                  # non-blank data rows read (valid + invalid)
    present_fields: tuple | None = None   # fields whose column is in the file (None: all)
    sheet_name: str | None = None
    header_row: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {"total_rows": self.total_rows, "valid_rows": len(self.rows),
                "errors": len(self.errors), "ignored_columns": list(self.ignored_columns)}


def parse_members(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
                  max_errors: int = MAX_ERRORS) -> ParseResult:
    return parse(MEMBER_SPEC, data, max_bytes=max_bytes, max_rows=max_rows, max_errors=max_errors)


def parse_appraisals(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
                     max_errors: int = MAX_ERRORS) -> ParseResult:
    return parse(APPRAISAL_SPEC, data, max_bytes=max_bytes, max_rows=max_rows, max_errors=max_errors)


def parse_trainings(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
                    max_errors: int = MAX_ERRORS) -> ParseResult:
    return parse(TRAINING_SPEC, data, max_bytes=max_bytes, max_rows=max_rows, max_errors=max_errors)


def parse_branches(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
                   max_errors: int = MAX_ERRORS) -> ParseResult:
    return parse(BRANCH_SPEC, data, max_bytes=max_bytes, max_rows=max_rows, max_errors=max_errors)


# ---------------------------------------------------------------- headers


def _header_key(value) -> str:
    """Header text as compared: NFKC, no spaces, case-blind, without a
    required-marker (* or （必填）)."""
    s = clean_text(_as_text(value)) if value is not None else ""
    k = match_key(s)
    for suffix in ("(必填)", "必填", "(required)"):
        k = k.removesuffix(suffix)
    return k.rstrip("*")


def _header_index(spec: RosterSpec) -> dict[str, ColumnSpec]:
    index: dict[str, ColumnSpec] = {}
    for col in spec.columns:
        for text in (col.header_zh, col.header_en, *col.aliases):
            index.setdefault(_header_key(text), col)
    return index


_INDEX = {spec.kind: _header_index(spec) for spec in SPECS.values()}


def _other_specs(spec: RosterSpec) -> list[RosterSpec]:
    return [other for other in SPECS.values() if other.kind != spec.kind]


def _map_header(spec: RosterSpec, values: tuple, sheet: str, row_no: int):
    """(column index → ColumnSpec, ignored header texts) or ImportFileError."""
    index = _INDEX[spec.kind]
    mapping: dict[int, ColumnSpec] = {}
    where: dict[str, list[int]] = {}
    ignored: list[str] = []
    for i, value in enumerate(values):
        key = _header_key(value)
        if not key:
            continue
        col = index.get(key)
        if col is None:
            ignored.append(clean_text(_as_text(value)))
            continue
        where.setdefault(col.field, []).append(i)
        mapping[i] = col
    dups = {f: idx for f, idx in where.items() if len(idx) > 1}
    if dups:
        f, idx = next(iter(dups.items()))
        col = spec.column(f)
        letters = "、".join(get_column_letter(i + 1) for i in idx)
        raise ImportFileError(
            E.DUPLICATE_COLUMNS,
            f"工作表“{sheet}”第 {row_no} 行中，列“{col.header_zh}”出现了不止一次（{letters} 列）。请删除多余的列。",
            f'In sheet "{sheet}", row {row_no}, the column "{col.header_zh}" ({col.header_en}) appears '
            f"more than once (columns {', '.join(get_column_letter(i + 1) for i in idx)}). "
            "Delete the extra columns.",
            {"column": col.header_zh, "columns": [get_column_letter(i + 1) for i in idx]})
    missing = [c for c in spec.required_columns if c.field not in where]
    for other in (_other_specs(spec) if missing else ()):
        other_index = _INDEX[other.kind]
        found_other = {other_index[k].field for k in map(_header_key, values) if k in other_index}
        if all(c.field in found_other for c in other.required_columns):
            raise ImportFileError(
                E.WRONG_TEMPLATE,
                f"这是{other.title_zh}文件，不能用来导入{spec.title_zh}。请使用{spec.title_zh}的导入模板。",
                f"This is a {other.title_en.lower()} file; it cannot be imported as a "
                f"{spec.title_en.lower()}. Use the {spec.title_en.lower()} import template.",
                {"expected": spec.kind, "found": other.kind})
    if missing:
        miss_zh = "、".join(f"“{c.header_zh}”" for c in missing)
        miss_en = ", ".join(f'"{c.header_zh}" ({c.header_en})' for c in missing)
        shown = [E.shorten(t, 30) for t in ignored[:20]]
        unk_zh = f"发现无法识别的列：{'、'.join('“' + t + '”' for t in shown)}（是否改动了列标题？）。" if shown else ""
        unk_en = f"Columns not recognised: {', '.join(chr(34) + t + chr(34) for t in shown)} (were headers renamed?). " if shown else ""
        raise ImportFileError(
            E.MISSING_COLUMNS,
            f"工作表“{sheet}”缺少必填列：{miss_zh}。{unk_zh}请使用导入模板中的列标题，不要修改标题文字。",
            f'Sheet "{sheet}" lacks required columns: {miss_en}. {unk_en}'
            "Use the column headers of the import template unchanged.",
            {"sheet": sheet, "header_row": row_no, "missing": [c.header_zh for c in missing],
             "unknown": list(ignored)})
    return mapping, ignored


# ---------------------------------------------------------------- sheets


def _data_sheet(wb, spec: RosterSpec):
    sheets = list(wb.worksheets)
    wanted = {match_key(spec.sheet_zh), match_key(spec.sheet_en)}
    for ws in sheets:
        if match_key(ws.title) in wanted:
            return ws
    aux = {match_key(n) for n in AUX_SHEETS_ZH + AUX_SHEETS_EN}
    candidates = [ws for ws in sheets if match_key(ws.title) not in aux]
    visible = [ws for ws in candidates if getattr(ws, "sheet_state", "visible") == "visible"]
    if visible or candidates:
        return (visible or candidates)[0]
    raise ImportFileError(
        E.NO_DATA_SHEET,
        f"工作簿中没有可导入的数据工作表。请在“{spec.sheet_zh}”工作表中填写数据"
        "（“说明”和“示例”工作表不会被导入）。",
        f'The workbook has no data sheet to import. Fill in the sheet "{spec.sheet_zh}" '
        '(the sheets "说明"/Instructions and "示例"/Examples are never imported).')


def _formula_cells_second_pass(data: bytes, title: str) -> set[tuple[int, int]]:
    """Fallback reader only: formula cells, found by a non-data-only read."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = wb[title]
        ws.reset_dimensions()
        out = set()
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            for c, v in enumerate(values, start=1):
                if (isinstance(v, str) and v.startswith("=")) or (v is not None and not isinstance(
                        v, (str, int, float, bool, datetime))):
                    out.add((r, c))
        return out
    finally:
        wb.close()


def _openpyxl_rows(ws, data: bytes) -> Iterator[tuple[int, dict]]:
    """Fallback when openpyxl's internals used by the lean reader are missing:
    its own iter_rows, plus a second pass for formulas without a cached value."""
    formulas = _formula_cells_second_pass(data, ws.title)
    ws.reset_dimensions()       # a wrong <dimension> must not cut rows off
    for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = {}
        for c, v in enumerate(values, start=1):
            if v is None:
                if (row_no, c) in formulas:
                    cells[c] = UNCACHED
            elif isinstance(v, str) and v in EXCEL_ERRORS:
                cells[c] = ExcelError(v)
            else:
                cells[c] = v
        yield row_no, cells


class _Source:
    """The rows of the data sheet as (row_number, {column_number: value})."""

    def __init__(self, zf, wb, ws, data: bytes):
        self._wanted: list = [None]
        path = getattr(ws, "_worksheet_path", None)
        shared = getattr(ws, "_shared_strings", None)
        date_styles = getattr(wb, "_date_formats", None)
        td_styles = getattr(wb, "_timedelta_formats", None)
        self.lean = USE_LEAN_READER and None not in (path, shared, date_styles, td_styles)
        if self.lean:
            self._part = zf.open(path)
            self._it = iter_sheet(self._part, shared, date_styles, td_styles,
                                  getattr(wb, "epoch", WINDOWS_EPOCH), wanted_box=self._wanted)
        else:
            self._part = None
            self._it = _openpyxl_rows(ws, data)

    def set_wanted(self, columns: set[int]) -> None:
        """From the next row on, only these columns matter (lean reader only)."""
        self._wanted[0] = set(columns)

    def __iter__(self):
        while True:
            try:
                item = next(self._it)
            except StopIteration:
                return
            except ImportFileError:
                raise
            except Exception as exc:
                raise _corrupt("工作表内容无法解析", "the sheet's content cannot be parsed") from exc
            yield item

    def close(self):
        if self._part is not None:
            self._part.close()


# ---------------------------------------------------------------- parse


def _blank(v) -> bool:
    """No data in the cell (an uncached formula counts as blank here)."""
    if v is None or v is UNCACHED:
        return True
    if isinstance(v, str) and not isinstance(v, ExcelError):
        return not v or v.isspace() or (not v.isprintable() and not clean_text(v))
    return False


def parse(spec: RosterSpec, data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS,
          max_errors: int = MAX_ERRORS, sheet: str | None = None) -> ParseResult:
    """Parse the roster of ``spec``. ``sheet`` forces the sheet to read (by
    title); by default the sheet named like the spec's data sheet, else the
    first visible sheet that is not 说明/示例/Instructions/Examples."""
    zf = open_xlsx_zip(data, max_bytes)
    try:
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                        keep_links=False)
        except Exception as exc:
            raise _corrupt("无法打开工作簿", "the workbook cannot be opened") from exc
        try:
            return _parse_workbook(spec, data, zf, wb, max_rows, max_errors, sheet)
        finally:
            wb.close()
    finally:
        zf.close()


def _parse_workbook(spec, data, zf, wb, max_rows, max_errors, sheet_title=None) -> ParseResult:
    if sheet_title is not None and sheet_title in wb.sheetnames:
        ws = wb[sheet_title]
    else:
        ws = _data_sheet(wb, spec)
    sheet = ws.title
    epoch = getattr(wb, "epoch", WINDOWS_EPOCH)
    try:
        source = _Source(zf, wb, ws, data)
    except Exception as exc:
        raise _corrupt("工作表无法打开", "the sheet cannot be opened") from exc
    try:
        return _parse_rows(spec, source, sheet, epoch, max_rows, max_errors)
    finally:
        source.close()


def _parse_rows(spec, source, sheet, epoch, max_rows, max_errors) -> ParseResult:
    rows_iter = iter(source)
    index = _INDEX[spec.kind]
    header_row = None
    first_nonblank = None
    mapping: dict[int, ColumnSpec] = {}
    ignored: list[str] = []
    for row_no, cells in rows_iter:
        if row_no > HEADER_SCAN_ROWS:
            break
        if all(_blank(v) for v in cells.values()):
            continue
        values = [cells.get(c) for c in range(1, max(cells) + 1)]
        values = [None if v is UNCACHED else v for v in values]
        if first_nonblank is None:
            first_nonblank = (row_no, values)
        if any(_header_key(v) in index for v in values if not _blank(v)):
            header_row = row_no
            mapping, ignored = _map_header(spec, values, sheet, row_no)
            break
    if header_row is None:
        if first_nonblank is None:
            raise ImportFileError(
                E.NO_HEADER,
                f"工作表“{sheet}”是空的，找不到表头行。请使用导入模板：第一行为列标题，从第二行起填写数据。",
                f'Sheet "{sheet}" is empty: there is no header row. Use the import template: '
                "headers in the first row, data from the second row on.",
                {"sheet": sheet})
        _map_header(spec, first_nonblank[1], sheet, first_nonblank[0])   # raises missing_columns
        raise AssertionError("unreachable")

    present = tuple(col.field for col in spec.columns if col in mapping.values())
    absent_defaults = {col.field: col.default for col in spec.columns if col.field not in present}
    # (column number, spec, letter), in sheet order
    cols = [(i + 1, col, get_column_letter(i + 1)) for i, col in sorted(mapping.items())]
    source.set_wanted({c for c, _, _ in cols})
    key_fields = spec.key_fields
    row_type = spec.row_type

    rows: list = []
    errors: list[RowError] = []
    truncated = False
    seen: dict[tuple, int] = {}
    total = 0

    for row_no, cells in rows_iter:
        if not cells:
            continue
        values = [cells.get(c) for c, _, _ in cols]
        if all(_blank(v) for v in values):
            continue
        total += 1
        if total > max_rows:
            raise ImportFileError(
                E.TOO_MANY_ROWS,
                f"数据超过 {max_rows} 行的上限。请拆分成几个文件分批导入。",
                f"The file has more than {max_rows} data rows. Split it into several files "
                "and import them one by one.", {"max_rows": max_rows})
        fields = dict(absent_defaults)
        row_errors: list[RowError] = []
        for (c, col, letter), v in zip(cols, values):
            if v is None or v is UNCACHED or (v.__class__ is str and _blank(v)):
                if v is UNCACHED:
                    row_errors.append(_cell_error(row_no, col, letter, E.FORMULA_NO_VALUE, *_UNCACHED_MSG))
                elif col.required:
                    row_errors.append(_cell_error(row_no, col, letter, E.REQUIRED, *_REQUIRED_MSG))
                else:
                    fields[col.field] = col.default
                continue
            if isinstance(v, ExcelError):
                row_errors.append(_cell_error(
                    row_no, col, letter, E.CELL_ERROR,
                    f"单元格是错误值 {E.shorten(v)}（通常是公式出错），请改正后重新上传。",
                    f"the cell holds the error value {E.shorten(v)} (usually a broken formula); fix it."))
                continue
            try:
                value = coerce(col, v, epoch)
            except BadValue as bad:
                row_errors.append(_cell_error(row_no, col, letter, bad.code, bad.zh, bad.en))
                continue
            if value is None and col.required:
                row_errors.append(_cell_error(row_no, col, letter, E.REQUIRED, *_REQUIRED_MSG))
                continue
            fields[col.field] = value

        if all(fields.get(f) is not None for f in key_fields):
            key = tuple(match_key(fields[f]) if isinstance(fields[f], str) else fields[f] for f in key_fields)
            first = seen.get(key)
            if first is None:
                seen[key] = row_no
            else:
                row_errors.append(_duplicate(spec, row_no, first, fields))

        if row_errors:
            if len(errors) + len(row_errors) <= max_errors:
                errors.extend(row_errors)
            else:
                truncated = True
        else:
            rows.append((row_no, row_type(**fields)))

    if truncated:
        errors.append(RowError(
            None, None, E.TOO_MANY_ERRORS,
            f"错误过多，只列出了前 {len(errors)} 条。请先改正这些错误后重新上传。",
            f"Too many errors; only the first {len(errors)} are listed. Fix them and upload again."))
    return ParseResult(rows=rows, errors=errors, ignored_columns=ignored, total_rows=total,
                       present_fields=present, sheet_name=sheet, header_row=header_row)


_REQUIRED_MSG = ("必填，不能为空。", "is required.")
_UNCACHED_MSG = (
    "这是公式，但文件中没有保存计算结果（常见于程序生成、未用 Excel 打开保存过的文件）。"
    "请用 Excel 或 WPS 打开并保存后重新上传，或直接填写数值。",
    "the cell holds a formula whose result is not saved in the file (usual for files made by a "
    "program and never saved in Excel). Open and save the file in Excel or WPS, or type the value itself.")


def _cell_error(row_no: int, col: ColumnSpec, letter: str, code: str, zh: str, en: str) -> RowError:
    return RowError(row_no, col.header_zh, code,
                    f"第 {row_no} 行 {letter} 列“{col.header_zh}”：{zh}",
                    f"Row {row_no}, column {letter} ({col.header_en}): {en}")


def _duplicate(spec: RosterSpec, row_no: int, first: int, fields: dict) -> RowError:
    if spec.kind == APPRAISAL_SPEC.kind:
        col = spec.column("number")
        shown = E.shorten(fields["number"])
        return RowError(row_no, col.header_zh, E.DUPLICATE_KEY,
                        f"第 {row_no} 行：学号/工号“{shown}”的 {fields['year']} 年度结果与第 {first} 行重复，"
                        "每名党员每年只能有一个评议结果。",
                        f'Row {row_no}: the {fields["year"]} result of "{shown}" repeats row {first}; a member '
                        "has one result per year.")
    if spec.kind == TRAINING_SPEC.kind:
        col = spec.column("number")
        shown, topic = E.shorten(fields["number"]), E.shorten(fields["topic"])
        return RowError(row_no, col.header_zh, E.DUPLICATE_KEY,
                        f"第 {row_no} 行：学号/工号“{shown}”在 {fields['held_on']}“{topic}”的培训中与第 {first} 行重复，"
                        "同一次培训每人只记一次。",
                        f'Row {row_no}: "{shown}" at "{topic}" on {fields["held_on"]} repeats row {first}; a '
                        "member is credited once per training event.")
    if spec.kind == MEMBER_SPEC.kind:
        col = spec.column("number")
        shown = E.shorten(fields["number"])
        return RowError(row_no, col.header_zh, E.DUPLICATE_KEY,
                        f"第 {row_no} 行：学号/工号“{shown}”与第 {first} 行重复，同一编号只能出现一次。",
                        f'Row {row_no}: the number "{shown}" repeats row {first}; each number may '
                        "appear only once.")
    col = spec.column("name")
    gb, name = E.shorten(fields["general_branch"]), E.shorten(fields["name"])
    return RowError(row_no, col.header_zh, E.DUPLICATE_KEY,
                    f"第 {row_no} 行：党支部“{gb} / {name}”与第 {first} 行重复，同一党支部只能出现一次。",
                    f'Row {row_no}: the branch "{gb} / {name}" repeats row {first}; each branch may '
                    "appear only once.")
