"""附件3 北京高校基层党支部整改汇总表: one row per rectification, A4 landscape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._sheet import (
    FIRST_DATA_ROW,
    HEADING_ROW,
    FormHeader,
    Styles,
    build_form,
    cell_text,
    fit_row,
    put_text,
    setup_page,
    write_note,
    write_top,
)

TITLE = "北京高校基层党支部整改汇总表"
SHEET = "附件3"
COLUMNS = (
    "序号",
    "党支部名称",
    "存在的主要问题",
    "主要整改措施",
    "完成整改时间",
    "党支部定点联系人",
    "备注",
)
# The two long text columns get the room; the printed form wraps 完成整/改时间 and
# 党支部定/点联系人 in its heading, so those stay narrow and the heading row is 2 lines.
WIDTHS = (6.0, 18.0, 38.0, 38.0, 11.0, 14.0, 12.0)


@dataclass(frozen=True, slots=True)
class Annex3Row:
    """One branch's problems and measures; due is already formatted text (e.g. 2012-06-30)."""

    branch: str
    problems: str
    measures: str
    due: str = ""
    contact: str = ""
    remark: str = ""


def annex3_workbook(header: FormHeader, rows: Iterable[Annex3Row]) -> bytes:
    """The 附件3 xlsx for these rows; rows is consumed once, in order (constant memory)."""

    def fill(workbook) -> None:
        styles = Styles(workbook)
        text_styles = (styles.text, styles.text, styles.text, styles.centered, styles.centered,
                       styles.text)
        sheet = workbook.add_worksheet(SHEET)
        setup_page(sheet, WIDTHS, landscape=True)
        write_top(sheet, styles, SHEET, TITLE, header, WIDTHS)

        sheet.set_row(HEADING_ROW, 32)
        for col, name in enumerate(COLUMNS):
            sheet.write_string(HEADING_ROW, col, name, styles.heading)

        row_no = FIRST_DATA_ROW
        for seq, item in enumerate(rows, start=1):
            texts = (
                cell_text(item.branch),
                cell_text(item.problems),
                cell_text(item.measures),
                cell_text(item.due),
                cell_text(item.contact),
                cell_text(item.remark),
            )
            fit_row(sheet, row_no, zip(texts, WIDTHS[1:]))
            sheet.write_number(row_no, 0, seq, styles.number)
            for col, (text, style) in enumerate(zip(texts, text_styles), start=1):
                put_text(sheet, row_no, col, text, style)
            row_no += 1
        write_note(sheet, styles, row_no, header, WIDTHS)

    return build_form(TITLE, header, fill)
