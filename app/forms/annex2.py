"""附件2 北京高校基层党支部分类定级汇总表: one row per branch, then the 合计 block.

The 5-wide 合计 block. The printed form's table has 4 columns (序号 | 所属党委（党总支）|
党支部名称 | 分类定级结果) but its 合计 block has 5 cells (合计 | 好 | 较好 | 一般 | 较差, and
below it a blank cell and the four counts). A spreadsheet is one grid, so the sheet has 5
columns A-E and 分类定级结果 occupies D:E:
  * the heading cell 分类定级结果 is a real merge D4:E4 (one merge, fixed cost);
  * each branch row writes its grade in D and a blank in E, both "center across
    selection" with borders only on the outside of D:E, so it prints as one cell.
    No per-row merge: XlsxWriter keeps every merged cell in a dict (memory would grow
    with the branch count) and 50,000 merges make Excel and WPS crawl;
  * the 合计 block then uses A-E one cell each: 合计 under 序号, 好 under 所属党委,
    较好 under 党支部名称, 一般 and 较差 under the two halves of 分类定级结果.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ._sheet import (
    FIRST_DATA_ROW,
    HEADING_ROW,
    LABEL_ROW_PT,
    TITLE_ROW_PT,
    FormHeader,
    Pages,
    Styles,
    build_form,
    cell_text,
    info_height,
    put_text,
    line_count,
    lines_height,
    set_height,
    setup_page,
    write_note,
    write_top,
)

TITLE = "北京高校基层党支部分类定级汇总表"
SHEET = "附件2"
COLUMNS = ("序号", "所属党委（党总支）", "党支部名称", "分类定级结果")
GRADES = ("好", "较好", "一般", "较差")
TOTAL_LABEL = "合计"
# A 序号 | B 所属党委（党总支）| C 党支部名称 | D:E 分类定级结果 (see the module docstring)
WIDTHS = (7.0, 26.0, 32.0, 9.0, 9.0)
GRADE_COL, GRADE_PAD_COL = 3, 4
HEADING_PT = 24.0


@dataclass(frozen=True, slots=True)
class Annex2Row:
    """One branch line: its general branch, its name, its grade label ('' = not graded)."""

    general_branch: str
    branch: str
    grade: str = ""


class _Annex2Styles(Styles):
    """The shared formats plus the two halves of the D:E grade cell and grouped 党总支 cells."""

    def __init__(self, workbook) -> None:
        super().__init__(workbook)
        across = {"align": "center_across", "valign": "top", "top": 1, "bottom": 1}
        self.grade = self.add(left=1, **across)
        self.grade_pad = self.add(right=1, **across)
        # grouped=True: one 党总支 cell drawn over its run of rows (first/middle/last/only)
        side = {"align": "left", "valign": "top", "text_wrap": True, "left": 1, "right": 1}
        self.group = {
            (True, False): self.add(top=1, **side),
            (False, False): self.add(**side),
            (False, True): self.add(bottom=1, **side),
            (True, True): self.add(top=1, bottom=1, **side),
        }


def _with_next(rows: Iterable[Annex2Row]) -> Iterator[tuple[Annex2Row, Annex2Row | None]]:
    """Each row with the one after it (None at the end): grouping needs one row of lookahead."""
    iterator = iter(rows)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following
        current = following


def annex2_workbook(header: FormHeader, rows: Iterable[Annex2Row], *, grouped: bool = False) -> bytes:
    """The 附件2 xlsx for these branch rows, 合计 counted from their grade labels.

    rows is consumed once, in order, and never held whole (constant memory). With
    grouped=True consecutive rows of the same 所属党委 share one visually merged cell
    that names it once, and again at the top of every printed page it runs onto (the
    page breaks are set here, see Pages); pass rows ordered by general branch for that
    to group fully.
    Raises ValueError for a grade label outside 好/较好/一般/较差/''.
    """

    def fill(workbook) -> None:
        styles = _Annex2Styles(workbook)
        sheet = workbook.add_worksheet(SHEET)
        setup_page(sheet, WIDTHS, landscape=False)
        write_top(sheet, styles, SHEET, TITLE, header, WIDTHS)

        sheet.set_row(HEADING_ROW, HEADING_PT)
        pages = Pages(sheet, TITLE_ROW_PT + info_height(header, WIDTHS) + HEADING_PT, LABEL_ROW_PT,
                      landscape=False)
        for col, name in enumerate(COLUMNS[:GRADE_COL]):
            sheet.write_string(HEADING_ROW, col, name, styles.heading)
        sheet.merge_range(HEADING_ROW, GRADE_COL, HEADING_ROW, GRADE_PAD_COL, "", styles.heading)
        sheet.write_string(HEADING_ROW, GRADE_COL, COLUMNS[GRADE_COL], styles.heading)

        counts = dict.fromkeys(GRADES, 0)
        row_no = FIRST_DATA_ROW
        previous_group, group_lines = None, 1
        next_group = None   # the following row's cleaned group, carried to its own turn
        for seq, (item, following) in enumerate(_with_next(rows), start=1):
            grade = cell_text(item.grade).strip()
            if grade:
                if grade not in counts:
                    raise ValueError(f"附件2 row {seq}: unknown grade label {item.grade!r}")
                counts[grade] += 1
            group = cell_text(item.general_branch) if next_group is None else next_group
            branch = cell_text(item.branch)
            first = group != previous_group or not grouped or pages.exhausted
            # row_height of (group, branch) and of ("", branch): the group measured once per run
            if group != previous_group:
                group_lines = line_count(group, WIDTHS[1])
            branch_lines = line_count(branch, WIDTHS[2])
            named = lines_height(max(group_lines, branch_lines))
            unnamed = named if first else lines_height(branch_lines)
            if pages.starts_page(row_no, unnamed, named):
                first = True  # a page's first row names its group again
            shown = group if first else ""
            set_height(sheet, row_no, named if first else unnamed)   # the row's height, measured above
            sheet.write_number(row_no, 0, seq, styles.number)
            next_group = None if following is None else cell_text(following.general_branch)
            if grouped:
                last = following is None or next_group != group
                put_text(sheet, row_no, 1, shown, styles.group[first, last])
            else:
                put_text(sheet, row_no, 1, shown, styles.text)
            previous_group = group
            put_text(sheet, row_no, 2, branch, styles.text)
            put_text(sheet, row_no, GRADE_COL, grade, styles.grade)
            sheet.write_blank(row_no, GRADE_PAD_COL, None, styles.grade_pad)
            row_no += 1

        # 合计 block, as printed: 合计 | 好 | 较好 | 一般 | 较差, then (blank) | four counts
        sheet.write_string(row_no, 0, TOTAL_LABEL, styles.heading)
        for col, grade in enumerate(GRADES, start=1):
            sheet.write_string(row_no, col, grade, styles.heading)
        row_no += 1
        sheet.write_blank(row_no, 0, None, styles.number)
        for col, grade in enumerate(GRADES, start=1):
            sheet.write_number(row_no, col, counts[grade], styles.number)
        write_note(sheet, styles, row_no + 1, header, WIDTHS)
        pages.close()

    return build_form(TITLE, header, fill)
