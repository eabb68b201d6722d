"""Templates and exports, written with XlsxWriter.

A template and an export share one data-sheet layout (headers, column formats,
dropdowns, frozen header), so an export can be edited and imported back.

Workbook layout:
  1. data sheet  党员名册 / 支部名册 (Members / Branches in the English template):
     header row only in a template, the rows in an export;
  2. 说明 (Instructions): how to fill in the sheet, in Chinese and English;
  3. 示例 (Examples), templates only: a title line, the header, two example rows.
The example rows live on their own sheet and never on the data sheet, so an
unedited template imports as zero rows with no errors; the importer never reads
the sheets 说明/示例/Instructions/Examples.

All text is written with write_string (never as a formula, never converted to a
number); dates are real Excel dates formatted yyyy-mm-dd.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Iterable

import xlsxwriter

from .reader import MAX_ROWS
from .spec import (APPRAISAL_SPEC, AUX_SHEETS_EN, AUX_SHEETS_ZH, BOOL, BRANCH_SPEC, DATE, DECIMAL, ENUM, INT,
                   MEMBER_SPEC, TRAINING_SPEC,
                   NOTE, ColumnSpec, RosterSpec)
from .values import MAX_DATE, MIN_DATE, clean_note, clean_text

LAST_ROW = 1_048_575          # data validation reaches the sheet's last row
_OPTIONS = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": False,
    "default_date_format": "yyyy-mm-dd",
}


def member_template(lang: str = "zh") -> bytes:
    return _template(MEMBER_SPEC, lang)


def branch_template(lang: str = "zh") -> bytes:
    return _template(BRANCH_SPEC, lang)


def appraisal_template(lang: str = "zh") -> bytes:
    return _template(APPRAISAL_SPEC, lang)


def export_appraisals(rows: Iterable) -> bytes:
    return export(APPRAISAL_SPEC, rows)


def training_template(lang: str = "zh") -> bytes:
    return _template(TRAINING_SPEC, lang)


def export_trainings(rows: Iterable) -> bytes:
    return export(TRAINING_SPEC, rows)


def export_members(rows: Iterable) -> bytes:
    return export(MEMBER_SPEC, rows)


def export_branches(rows: Iterable) -> bytes:
    return export(BRANCH_SPEC, rows)


# ---------------------------------------------------------------- formats


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "等线", "font_size": 11, "valign": "vcenter"}
        self.head_req = wb.add_format({**base, "bold": True, "font_color": "#FFFFFF",
                                       "bg_color": "#C00000", "border": 1, "align": "center",
                                       "text_wrap": True})
        self.head_opt = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "border": 1,
                                       "align": "center", "text_wrap": True})
        self.text = wb.add_format({**base, "num_format": "@"})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd", "align": "left"})
        self.int = wb.add_format({**base, "num_format": "0", "align": "left"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.bold = wb.add_format({**base, "bold": True})
        self.para = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.cell = wb.add_format({**base, "text_wrap": True, "valign": "top", "border": 1})
        self.cell_head = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "border": 1})
        self.note_banner = wb.add_format({**base, "bold": True, "font_color": "#C00000"})

    def for_column(self, col: ColumnSpec):
        if col.kind == DATE:
            return self.date
        if col.kind in (INT, DECIMAL):
            return self.int
        return self.text


def _label(col: ColumnSpec, code, lang: str) -> str:
    for ch in col.choices:
        if ch.code == code:
            return ch.en if lang == "en" else ch.zh
    return str(code)


# ---------------------------------------------------------------- data sheet


def _setup_data_sheet(ws, spec: RosterSpec, lang: str, fm: _Formats, header_row: int = 0):
    for c, col in enumerate(spec.columns):
        ws.set_column(c, c, col.width, fm.for_column(col))
    ws.set_row(header_row, 30)
    for c, col in enumerate(spec.columns):
        ws.write_string(header_row, c, col.header(lang), fm.head_req if col.required else fm.head_opt)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_landscape()
    ws.set_paper(9)                       # A4
    ws.fit_to_pages(1, 0)                 # all columns on the page width
    ws.repeat_rows(header_row)            # the header on every printed page
    first = header_row + 1
    for c, col in enumerate(spec.columns):
        ws.data_validation(first, c, LAST_ROW, c, _validation(col, lang))


def _validation(col: ColumnSpec, lang: str) -> dict:
    title = (col.header(lang) + ("（必填）" if lang != "en" and col.required else
                                 " (required)" if col.required else ""))[:32]
    message = (col.help_en if lang == "en" else col.help_zh)[:250]
    common = {"input_title": title, "input_message": message,
              "error_title": ("Invalid value" if lang == "en" else "输入有误")}
    if col.kind in (ENUM, BOOL):
        labels = [ch.en if lang == "en" else ch.zh for ch in col.choices]
        return {**common, "validate": "list", "source": labels, "error_type": "stop",
                "error_message": (("Choose one of: " if lang == "en" else "请从下拉列表中选择：")
                                  + ("/".join(labels)))}
    if col.kind == DATE:
        return {**common, "validate": "date", "criteria": "between",
                "minimum": datetime.combine(MIN_DATE, datetime.min.time()),
                "maximum": datetime.combine(MAX_DATE, datetime.min.time()),
                "error_type": "warning",
                "error_message": ("Enter a date such as 2012-04-18." if lang == "en"
                                  else "请填写日期，如 2012-04-18。")}
    if col.kind == INT:
        return {**common, "validate": "integer", "criteria": "between",
                "minimum": col.min_value, "maximum": col.max_value, "error_type": "stop",
                "error_message": (f"Enter a whole number from {col.min_value} to {col.max_value}."
                                  if lang == "en" else
                                  f"请填写 {col.min_value} 至 {col.max_value} 的整数。")}
    if col.kind == DECIMAL:
        return {**common, "validate": "decimal", "criteria": "between",
                "minimum": col.min_value, "maximum": col.max_value, "error_type": "stop",
                "error_message": (f"Enter a number above {col.min_value} and at most {col.max_value}."
                                  if lang == "en" else
                                  f"请填写大于 {col.min_value}、不超过 {col.max_value} 的数。")}
    if col.max_len:
        return {**common, "validate": "length", "criteria": "<=", "value": col.max_len,
                "error_type": "warning",
                "error_message": (f"At most {col.max_len} characters." if lang == "en"
                                  else f"最多 {col.max_len} 个字符。")}
    return {**common, "validate": "any"}


def _write_row(ws, r: int, spec: RosterSpec, row, fm: _Formats, lang: str = "zh"):
    for c, col in enumerate(spec.columns):
        value = getattr(row, col.field)
        if value is None:
            continue
        kind = col.kind
        if kind in (ENUM, BOOL):
            if kind == BOOL:
                value = bool(value)
            ws.write_string(r, c, _label(col, value, lang), fm.text)
        elif kind == DATE:
            if isinstance(value, datetime):
                value = value.date()
            if isinstance(value, date):
                ws.write_datetime(r, c, value, fm.date)
            else:
                ws.write_string(r, c, str(value), fm.text)
        elif kind in (INT, DECIMAL):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value, fm.int)
            else:
                ws.write_string(r, c, str(value), fm.text)
        else:
            # the text as an import will read it: no control or zero-width characters
            # (Excel cannot hold some of them), trimmed
            text = clean_note(str(value)) if kind == NOTE else clean_text(str(value))
            if text:
                ws.write_string(r, c, text[:32767], fm.text)


# ---------------------------------------------------------------- other sheets


def _general_notes(spec: RosterSpec, lang: str) -> list[str]:
    req = [c for c in spec.columns if c.required]
    if lang == "en":
        key = {"member": "the number (学号/工号)",
               "appraisal": "the pair number + year (学号/工号 + 年度)",
               "training": "number + the event: date, topic, hours, mode, organizer (学号/工号 + 培训)"}.get(
            spec.kind, "the pair general branch + branch name (所属党总支 + 党支部名称)")
        return [
            f'Fill in the sheet "{spec.sheet_zh}" ({spec.sheet_en} in the English template). Row 1 '
            "holds the column headers: do not rename or delete them. Extra columns are allowed and "
            "are ignored on import; the order of the columns does not matter.",
            "Required columns have red headers: " + ", ".join(f"{c.header_zh} ({c.header_en})" for c in req) + ".",
            'The sheet "示例" (Examples) shows two example rows. It is never imported: an unedited '
            "template imports zero rows.",
            "Dates: 2012-04-18 (2012/4/18, 2012.4.18, 2012年4月18日, 20120418 and real Excel dates "
            "are accepted too). Type numbers such as student numbers as text to keep leading zeros.",
            f"Rows are matched by {key}: a row not yet in the system is added, an existing one is "
            "updated. The same key may appear only once in the file.",
            "An empty cell in a column that is in the file clears that value (yes/no columns become "
            "no, a blank term becomes 3 years). A column left out of the file leaves that value "
            "unchanged in the system.",
            "Values must be typed, not computed: a formula whose result was never saved by Excel is "
            f"rejected. Password-protected files cannot be read. At most {MAX_ROWS:,} rows and 20 MB "
            "per file.",
            "Errors are reported with the Excel row number and column, e.g. \"Row 5, column D\".",
        ]
    key = {"member": "学号/工号", "appraisal": "“学号/工号 + 年度”",
           "training": "“学号/工号 + 培训（日期、主题、学时、方式、组织单位）”"}.get(spec.kind, "“所属党总支 + 党支部名称”")
    return [
        f"请在“{spec.sheet_zh}”工作表中填写。第 1 行为列标题，请勿修改或删除；可以增加其他列（导入时忽略），"
        "列的先后顺序不限。",
        "红色标题为必填列：" + "、".join(c.header_zh for c in req) + "。",
        "“示例”工作表中有两行示例数据，仅供参考，不会被导入；模板不经修改直接上传，导入 0 行。",
        "日期请写成 2012-04-18（也接受 2012/4/18、2012.4.18、2012年4月18日、20120418 以及 Excel 日期）。"
        "学号、工号等编号请按文本填写，以免丢失开头的 0。",
        f"按{key}比对：系统中没有的新增，已有的更新；同一文件中{key}不能重复。",
        "文件中有某列但单元格留空，表示清空该项（“是/否”列视为“否”，任期视为 3 年）；"
        "文件中没有某列，则不改动系统中的该项。",
        f"请直接填写数值，不要使用公式（未经 Excel 计算保存的公式无法读取）；设置了打开密码的文件无法导入。"
        f"每个文件最多 {MAX_ROWS:,} 行、20 MB。",
        "出错时会给出 Excel 行号和列，如“第 5 行 D 列”。",
    ]


def _instructions_sheet(wb, spec: RosterSpec, lang: str, fm: _Formats):
    ws = wb.add_worksheet(AUX_SHEETS_EN[0] if lang == "en" else AUX_SHEETS_ZH[0])
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 80)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    r = 0
    for block in (("en", "zh") if lang == "en" else ("zh", "en")):
        title = (f"{spec.title_en} – how to fill in" if block == "en" else f"{spec.title_zh}填写说明")
        ws.write_string(r, 0, title, fm.title)
        r += 1
        for i, text in enumerate(_general_notes(spec, block), start=1):
            ws.write_string(r, 0, f"{i}.", fm.para)
            ws.write_string(r, 1, "", fm.para)
            ws.write_string(r, 2, text, fm.para)
            ws.set_row(r, 15 * (1 + len(text) // (75 if block == "en" else 38)))
            r += 1
        r += 1
        heads = (("Column", "Required", "How to fill in") if block == "en" else ("列名", "必填", "填写说明"))
        for c, h in enumerate(heads):
            ws.write_string(r, c, h, fm.cell_head)
        r += 1
        for col in spec.columns:
            name = f"{col.header_zh} ({col.header_en})" if block == "en" else col.header_zh
            req = ("yes" if col.required else "no") if block == "en" else ("是" if col.required else "否")
            help_text = col.help_en if block == "en" else col.help_zh
            ws.write_string(r, 0, name, fm.cell)
            ws.write_string(r, 1, req, fm.cell)
            ws.write_string(r, 2, help_text, fm.cell)
            r += 1
        r += 2


def _examples_sheet(wb, spec: RosterSpec, lang: str, fm: _Formats):
    ws = wb.add_worksheet(AUX_SHEETS_EN[1] if lang == "en" else AUX_SHEETS_ZH[1])
    sheet = spec.sheet_en if lang == "en" else spec.sheet_zh
    banner = (f'Examples only: this sheet is never imported. Fill in the sheet "{sheet}".'
              if lang == "en" else f"示例数据，仅供参考，不会被导入。请在“{sheet}”工作表中填写。")
    ws.write_string(0, 0, banner, fm.note_banner)
    _setup_data_sheet(ws, spec, lang, fm, header_row=1)
    for i, row in enumerate(spec.example_rows):
        _write_row(ws, 2 + i, spec, row, fm, lang)
    ws.set_tab_color("#A6A6A6")


# ---------------------------------------------------------------- workbooks


def _template(spec: RosterSpec, lang: str) -> bytes:
    if lang not in ("zh", "en"):
        raise ValueError("lang must be 'zh' or 'en'")
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {**_OPTIONS, "in_memory": True})
    fm = _Formats(wb)
    ws = wb.add_worksheet(spec.sheet_name(lang))
    _setup_data_sheet(ws, spec, lang, fm)
    _instructions_sheet(wb, spec, lang, fm)
    _examples_sheet(wb, spec, lang, fm)
    ws.activate()
    wb.set_properties({"title": f"{spec.title_zh}导入模板" if lang != "en" else f"{spec.title_en} template"})
    wb.close()
    return out.getvalue()


def export(spec: RosterSpec, rows: Iterable) -> bytes:
    """The rows on a data sheet in the template's layout (Chinese headers and
    labels), plus the instructions sheet. Streams rows (constant memory)."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {**_OPTIONS, "constant_memory": True})
    fm = _Formats(wb)
    ws = wb.add_worksheet(spec.sheet_zh)
    _setup_data_sheet(ws, spec, "zh", fm)
    r = 0
    for r, row in enumerate(rows, start=1):
        if not isinstance(row, spec.row_type):
            raise TypeError(f"expected {spec.row_type.__name__}, got {type(row).__name__}")
        _write_row(ws, r, spec, row, fm)
    ws.autofilter(0, 0, max(r, 1), len(spec.columns) - 1)
    _instructions_sheet(wb, spec, "zh", fm)
    ws.activate()
    wb.close()
    return out.getvalue()
