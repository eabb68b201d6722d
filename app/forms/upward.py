"""联述联评联考 report (五、(三)): the upward evaluation of each general branch and of the
committee, one row each, for the committee's annual cadre assessment. Plain rows in, bytes out."""
import io
from dataclasses import dataclass

import xlsxwriter


@dataclass(frozen=True)
class UpwardRow:
    """One evaluated organization in one round."""

    round_name: str
    target: str
    level: str                       # 党委 / 党总支
    turnout: int
    min_turnout: int
    issued: int
    item_means: tuple | None         # five means 0..20, None below the minimum turnout
    score: float | None              # mean total 0..100, None below the minimum turnout
    final: bool                      # the campaign is closed


def upward_workbook(title: str, items: list[str], rows: list[UpwardRow]) -> bytes:
    """One sheet: a row per evaluated organization, the five items' means and the score."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties({"title": title})
    head = book.add_format({"bold": True, "border": 1, "font_name": "SimSun", "align": "center",
                            "valign": "vcenter", "text_wrap": True})
    cell = book.add_format({"border": 1, "font_name": "SimSun", "valign": "vcenter", "text_wrap": True})
    number = book.add_format({"border": 1, "font_name": "SimSun", "num_format": "0.00"})
    whole = book.add_format({"border": 1, "font_name": "SimSun", "num_format": "0"})
    sheet = book.add_worksheet("联评结果")
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    headings = ["序号", "考评批次", "被评议组织", "层级", *items, "评议得分（满分100）", "有效票数", "最低有效票数",
                "发放代码", "状态"]
    sheet.merge_range(0, 0, 0, len(headings) - 1, title,
                      book.add_format({"bold": True, "font_size": 14, "font_name": "SimHei", "align": "center"}))
    for col, text in enumerate(headings):
        sheet.write_string(2, col, text, head)
    sheet.set_row(2, 45)
    for i, row in enumerate(rows, start=1):
        r = 2 + i
        sheet.write_number(r, 0, i, whole)
        sheet.write_string(r, 1, row.round_name, cell)
        sheet.write_string(r, 2, row.target, cell)
        sheet.write_string(r, 3, row.level, cell)
        for j in range(len(items)):
            if row.item_means is None:
                sheet.write_string(r, 4 + j, "—", cell)
            else:
                sheet.write_number(r, 4 + j, row.item_means[j], number)
        col = 4 + len(items)
        if row.score is None:
            sheet.write_string(r, col, f"有效票不足（{row.turnout}/{row.min_turnout}）", cell)
        else:
            sheet.write_number(r, col, row.score, number)
        sheet.write_number(r, col + 1, row.turnout, whole)
        sheet.write_number(r, col + 2, row.min_turnout, whole)
        sheet.write_number(r, col + 3, row.issued, whole)
        sheet.write_string(r, col + 4, "已结束（最终结果）" if row.final else "进行中", cell)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 2, 26)
    sheet.set_column(3, 3, 7)
    sheet.set_column(4, 3 + len(items), 12)
    sheet.set_column(4 + len(items), 4 + len(items), 14)
    sheet.set_column(5 + len(items), 8 + len(items), 10)
    note = 3 + len(rows) + 1
    sheet.write_string(note, 0, "说明：各项为匿名选票的平均分（每项 0–20 分），评议得分为选票总分的平均值；"
                                "有效票数少于最低有效票数时不计分。", book.add_format({"font_name": "SimSun"}))
    book.close()
    return buffer.getvalue()
