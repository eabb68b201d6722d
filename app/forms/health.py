"""The health check's tables as xlsx: one sheet, a title, a heading row, text and numbers.

Pure: XlsxWriter only (rows in, bytes out); the view decides the scope and the words.
"""
from __future__ import annotations

import io

import xlsxwriter

from app.forms._sheet import cell_text


def health_workbook(title: str, headings: list, rows: list, sheet_name: str = "体检") -> bytes:
    """A bordered table under a title; numbers stay numbers, None is an empty cell."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"title": title})
    head = book.add_format({"bold": True, "border": 1, "font_name": "SimSun", "align": "center",
                            "valign": "vcenter", "text_wrap": True, "bg_color": "#EEEEEE"})
    text = book.add_format({"border": 1, "font_name": "SimSun", "valign": "top", "text_wrap": True})
    number = book.add_format({"border": 1, "font_name": "SimSun", "valign": "top"})
    sheet = book.add_worksheet(sheet_name)
    sheet.write_string(0, 0, cell_text(title), book.add_format({"bold": True, "font_size": 14, "font_name": "SimHei"}))
    for col, heading in enumerate(headings):
        sheet.write_string(2, col, cell_text(heading), head)
    for i, row in enumerate(rows, start=3):
        for j, value in enumerate(row):
            if value is None:
                sheet.write_blank(i, j, None, text)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(i, j, value, number)
            else:
                sheet.write_string(i, j, cell_text(str(value)), text)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, max(1, len(headings) - 1), 14)
    sheet.repeat_rows(2)
    sheet.freeze_panes(3, 1)
    book.close()
    return buffer.getvalue()
