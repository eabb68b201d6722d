"""Grade statistics per general branch with a native Excel chart (not an official form)."""
import io
from dataclasses import dataclass

import xlsxwriter

GRADES = ("好", "较好", "一般", "较差")


@dataclass(frozen=True)
class GradeCountRow:
    """One general branch's grade counts (and, for a 复评, its movement against the base round)."""

    general_branch: str
    counts: tuple[int, int, int, int]          # 好, 较好, 一般, 较差
    movement: tuple[int, int, int] | None = None  # up, same, down


def _one_a4_page(sheet, *, landscape: bool) -> None:
    """Print the sheet on one A4 page, shrunk to fit, centred, with modest margins."""
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 1)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()


def statistics_workbook(title: str, rows: list[GradeCountRow]) -> bytes:
    """A sheet of counts with a stacked column chart; a second table of up/same/down when given."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties({"title": title})
    bold = book.add_format({"bold": True, "border": 1, "font_name": "SimSun", "align": "center"})
    cell = book.add_format({"border": 1, "font_name": "SimSun"})
    sheet = book.add_worksheet("统计")
    _one_a4_page(sheet, landscape=True)  # the 720 px chart is wider than a portrait page
    sheet.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14, "font_name": "SimHei"}))
    for col, heading in enumerate(("所属党委（党总支）",) + GRADES + ("合计",)):
        sheet.write_string(2, col, heading, bold)
    for i, row in enumerate(rows, start=3):
        sheet.write_string(i, 0, row.general_branch, cell)
        for j, value in enumerate(row.counts, start=1):
            sheet.write_number(i, j, value, cell)
        sheet.write_number(i, 5, sum(row.counts), cell)
    last = 2 + len(rows)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 5, 9)
    if rows:
        chart = book.add_chart({"type": "column", "subtype": "stacked"})
        for j, grade in enumerate(GRADES, start=1):
            chart.add_series({"name": grade, "categories": ["统计", 3, 0, last, 0], "values": ["统计", 3, j, last, j]})
        chart.set_title({"name": "各党总支分类定级结果"})
        chart.set_size({"width": 720, "height": 360})
        sheet.insert_chart(last + 2, 0, chart)
    moved = [r for r in rows if r.movement is not None]
    if moved:
        table = book.add_worksheet("晋位升级")
        _one_a4_page(table, landscape=False)
        for col, heading in enumerate(("所属党委（党总支）", "晋位", "持平", "降位")):
            table.write_string(0, col, heading, bold)
        for i, row in enumerate(moved, start=1):
            table.write_string(i, 0, row.general_branch, cell)
            for j, value in enumerate(row.movement, start=1):
                table.write_number(i, j, value, cell)
        table.set_column(0, 0, 34)
    book.close()
    return buffer.getvalue()
