"""附件2 / 附件3 builders: build in memory, read back with openpyxl, check the printed form."""

import io
import zipfile

import openpyxl
import pytest

from app.forms import Annex2Row, Annex3Row, FormHeader, annex2_workbook, annex3_workbook

HEADER = FormHeader(
    unit="资源与安全工程学院党委",
    person="张三",
    phone="010-62331234",
    deadline_text="4月18日",
    email="zzb@cumtb.edu.cn",
)
INFO = "填报单位（盖章）：资源与安全工程学院党委    填报人：张三    联系电话：010-62331234"
NOTE = "填表说明：此表4月18日前由各党总支汇总后报送至党委组织部，同时发送电子版至zzb@cumtb.edu.cn。"
ANNEX2_HEADINGS = ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"]
ANNEX3_HEADINGS = ["序号", "党支部名称", "存在的主要问题", "主要整改措施", "完成整改时间",
                   "党支部定点联系人", "备注"]
TRICKY = ["=SUM(A1)", "+1", "-x", "@x", "=1+1", "http://example.com", "0012", "1e5"]


def branches():
    """7 branches in two general branches: 好 x2, 较好 x2, 一般 x1, 较差 x1, ungraded x1."""
    return [
        Annex2Row("资源与安全工程学院党委", "采矿系教工党支部", "好"),
        Annex2Row("资源与安全工程学院党委", "安全系教工党支部", "较好"),
        Annex2Row("资源与安全工程学院党委", "研究生第一党支部", "好"),
        Annex2Row("能源与矿业学院党总支", "本科生第一党支部", "一般"),
        Annex2Row("能源与矿业学院党总支", "本科生第二党支部", ""),
        Annex2Row("能源与矿业学院党总支", "本科生第三党支部", "较差"),
        Annex2Row("能源与矿业学院党总支", "离退休党支部", "较好"),
    ]


def rectifications(n=3):
    return [
        Annex3Row(f"第{i}党支部", "三会一课记录不全。\n组织生活会流于形式。", "建立台账，每月检查。",
                  "2012-06-30", "李四", "")
        for i in range(1, n + 1)
    ]


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_of(data: bytes, name: str):
    workbook = load(data)
    assert workbook.sheetnames == [name]
    return workbook[name]


def values(ws, row, first_col=1, last_col=None):
    last_col = last_col or ws.max_column
    return [ws.cell(row, col).value for col in range(first_col, last_col + 1)]


def edge(ws, row, col, side):
    """Is the given side of cell (row, col) drawn, by the cell or by its neighbour?"""
    own = getattr(ws.cell(row, col).border, side).style
    neighbour = {"left": (0, -1, "right"), "right": (0, 1, "left"),
                 "top": (-1, 0, "bottom"), "bottom": (1, 0, "top")}[side]
    dr, dc, opposite = neighbour
    other = None
    if row + dr >= 1 and col + dc >= 1:
        other = getattr(ws.cell(row + dr, col + dc).border, opposite).style
    return bool(own or other)


def fit_to_width(ws):
    """fitToWidth as Excel reads it: XlsxWriter leaves out the attribute at its default, 1."""
    value = ws.page_setup.fitToWidth
    return 1 if value is None else int(value)


def annex2_layout(ws, n):
    """Row numbers of the 合计 label row, the counts row and the note for n branches."""
    total = 5 + n
    return total, total + 1, total + 2


# --- 附件2 -----------------------------------------------------------------


def test_annex2_top_block_and_headings():
    ws = sheet_of(annex2_workbook(HEADER, branches()), "附件2")
    assert ws["A1"].value == "附件2"
    assert ws["A2"].value == "北京高校基层党支部分类定级汇总表"
    assert ws["A2"].font.b and ws["A2"].font.sz > ws["A5"].font.sz
    assert ws["A2"].alignment.horizontal == "center"
    assert ws["A3"].value == INFO
    assert values(ws, 4, 1, 4) == ANNEX2_HEADINGS
    assert all(ws.cell(4, c).alignment.horizontal == "center" for c in range(1, 5))


def test_annex2_rows_numbered_in_order():
    rows = branches()
    ws = sheet_of(annex2_workbook(HEADER, iter(rows)), "附件2")  # a one-shot iterator is enough
    for i, row in enumerate(rows):
        assert values(ws, 5 + i, 1, 4) == [i + 1, row.general_branch, row.branch, row.grade or None]
    total, counts, note = annex2_layout(ws, len(rows))
    assert ws.max_row == note


def test_annex2_total_block_counts_each_grade():
    rows = branches()
    ws = sheet_of(annex2_workbook(HEADER, rows), "附件2")
    total, counts, note = annex2_layout(ws, len(rows))
    assert values(ws, total, 1, 5) == ["合计", "好", "较好", "一般", "较差"]
    assert values(ws, counts, 1, 5) == [None, 2, 2, 1, 1]


def test_annex2_merges_are_few_and_disjoint():
    rows = branches()
    ws = sheet_of(annex2_workbook(HEADER, rows), "附件2")
    total, counts, note = annex2_layout(ws, len(rows))
    merges = sorted(str(m) for m in ws.merged_cells.ranges)
    assert merges == sorted(["A2:E2", "A3:E3", "D4:E4", f"A{note}:E{note}"])
    # the grade of a branch row sits in D and is centred across D:E, not merged
    assert ws["D5"].alignment.horizontal == "centerContinuous"


def test_annex2_note_with_deadline_and_email():
    rows = branches()
    ws = sheet_of(annex2_workbook(HEADER, rows), "附件2")
    assert ws.cell(annex2_layout(ws, len(rows))[2], 1).value == NOTE


@pytest.mark.parametrize(
    ("deadline", "email", "note"),
    [
        ("4月18日", "", "填表说明：此表4月18日前由各党总支汇总后报送至党委组织部。"),
        ("", "zzb@cumtb.edu.cn",
         "填表说明：此表由各党总支汇总后报送至党委组织部，同时发送电子版至zzb@cumtb.edu.cn。"),
        ("", "", "填表说明：此表由各党总支汇总后报送至党委组织部。"),
    ],
    ids=["no-email", "no-deadline", "neither"],
)
def test_note_adapts_to_missing_deadline_or_email(deadline, email, note):
    header = FormHeader(HEADER.unit, HEADER.person, HEADER.phone, deadline, email)
    ws2 = sheet_of(annex2_workbook(header, branches()), "附件2")
    assert ws2.cell(annex2_layout(ws2, 7)[2], 1).value == note
    ws3 = sheet_of(annex3_workbook(header, rectifications(2)), "附件3")
    assert ws3.cell(ws3.max_row, 1).value == note


def test_annex2_print_settings():
    ws = sheet_of(annex2_workbook(HEADER, branches()), "附件2")
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert fit_to_width(ws) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$2:$4"
    assert ws.print_options.horizontalCentered


def test_annex2_every_table_cell_has_borders():
    rows = branches()
    ws = sheet_of(annex2_workbook(HEADER, rows), "附件2")
    total, counts, _ = annex2_layout(ws, len(rows))
    for row in range(4, counts + 1):
        for col in range(1, 6):
            sides = ["top", "bottom", "left", "right"]
            spanned = row <= total - 1 and col in (4, 5)  # 分类定级结果 spans D:E
            if spanned:
                sides.remove("right" if col == 4 else "left")
            for side in sides:
                assert edge(ws, row, col, side), (row, col, side)
        if 5 <= row < total:  # no line through the middle of a branch's grade cell
            assert not ws.cell(row, 4).border.right.style
            assert not ws.cell(row, 5).border.left.style


def test_annex2_long_cells_wrap_top_aligned_and_grow():
    long_name = "研究生第一党支部（材料科学与工程、化学工程与技术、环境科学与工程联合支部）"
    rows = [Annex2Row("资源与安全工程学院党委", long_name, "好"), *branches()]
    ws = sheet_of(annex2_workbook(HEADER, rows), "附件2")
    for col in (2, 3):
        assert ws.cell(5, col).alignment.wrap_text
        assert ws.cell(5, col).alignment.vertical == "top"
    assert ws.row_dimensions[5].height > 2 * 14  # estimated for LibreOffice/WPS, which do not autofit
    assert ws.row_dimensions[6].height == ws.sheet_format.defaultRowHeight  # short rows: the even default


def test_annex2_cjk_fonts_on_every_written_cell():
    ws = sheet_of(annex2_workbook(HEADER, branches()), "附件2")
    fonts = {cell.font.name for row in ws.iter_rows() for cell in row if cell.value is not None}
    assert fonts <= {"SimSun", "SimHei"}
    assert ws["A2"].font.name == "SimHei"
    assert ws["C5"].font.name == "SimSun"


def test_formula_looking_text_stays_a_string():
    rows = [Annex2Row(name, name, "") for name in TRICKY]
    data = annex2_workbook(FormHeader("=HYPERLINK(\"x\")", "+1", "-x", "@x", "=A1"), rows)
    ws = sheet_of(data, "附件2")
    for i, name in enumerate(TRICKY):
        for col in (2, 3):
            cell = ws.cell(5 + i, col)
            assert cell.value == name and cell.data_type == "s"
    assert ws["A3"].value.startswith("填报单位（盖章）：=HYPERLINK")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()


def test_annex3_formula_looking_text_stays_a_string():
    rows = [Annex3Row(name, name, name, name, name, name) for name in TRICKY]
    ws = sheet_of(annex3_workbook(HEADER, rows), "附件3")
    for i, name in enumerate(TRICKY):
        for col in range(2, 8):
            cell = ws.cell(5 + i, col)
            assert cell.value == name and cell.data_type == "s"


def test_annex2_without_rows_is_still_a_form():
    ws = sheet_of(annex2_workbook(HEADER, []), "附件2")
    assert values(ws, 4, 1, 4) == ANNEX2_HEADINGS
    assert values(ws, 5, 1, 5) == ["合计", "好", "较好", "一般", "较差"]
    assert values(ws, 6, 1, 5) == [None, 0, 0, 0, 0]
    assert ws.cell(7, 1).value == NOTE


def test_annex2_grouped_names_each_general_branch_once():
    rows = branches()
    ws = sheet_of(annex2_workbook(HEADER, rows, grouped=True), "附件2")
    assert [ws.cell(r, 2).value for r in range(5, 12)] == [
        "资源与安全工程学院党委", None, None, "能源与矿业学院党总支", None, None, None]
    assert [ws.cell(r, 3).value for r in range(5, 12)] == [row.branch for row in rows]
    # one drawn box per run: lines at its top and bottom, none inside, sides everywhere
    assert ws["B5"].border.top.style and not ws["B5"].border.bottom.style
    assert not ws["B6"].border.top.style and not ws["B6"].border.bottom.style
    assert ws["B7"].border.bottom.style and ws["B8"].border.top.style
    assert ws["B11"].border.bottom.style
    assert all(ws.cell(r, 2).border.left.style and ws.cell(r, 2).border.right.style
               for r in range(5, 12))
    assert values(ws, 13, 1, 5) == [None, 2, 2, 1, 1]


def test_annex2_grouped_single_row_runs_are_closed_boxes():
    rows = [Annex2Row("甲党总支", "一支部", "好"), Annex2Row("乙党总支", "二支部", "好")]
    ws = sheet_of(annex2_workbook(HEADER, rows, grouped=True), "附件2")
    for r in (5, 6):
        assert ws.cell(r, 2).border.top.style and ws.cell(r, 2).border.bottom.style


def test_annex2_unknown_grade_is_rejected():
    with pytest.raises(ValueError, match="优秀"):
        annex2_workbook(HEADER, [Annex2Row("甲党总支", "一支部", "优秀")])


def test_grade_labels_tolerate_surrounding_spaces():
    ws = sheet_of(annex2_workbook(HEADER, [Annex2Row("甲", "一", " 好 ")]), "附件2")
    assert ws["D5"].value == "好"
    assert values(ws, 7, 1, 5) == [None, 1, 0, 0, 0]


def test_control_characters_do_not_break_the_file():
    dirty = "一支部\x00\x07\x1b\r\n二行\ufffe"
    ws = sheet_of(annex2_workbook(HEADER, [Annex2Row("甲\x0b", dirty, "好")]), "附件2")
    assert ws["B5"].value == "甲"
    assert ws["C5"].value == "一支部\n二行"


def test_empty_header_fields_leave_room_to_write_by_hand():
    ws = sheet_of(annex2_workbook(FormHeader("", "", "", "", ""), []), "附件2")
    line = ws["A3"].value
    assert line.startswith("填报单位（盖章）：\u3000") and "填报人：\u3000" in line
    assert "联系电话：\u3000" in line


def test_workbook_properties():
    workbook = load(annex2_workbook(HEADER, branches()))
    assert workbook.properties.title == "北京高校基层党支部分类定级汇总表"
    assert workbook.properties.creator == "张三"
    workbook = load(annex3_workbook(FormHeader("某党委", "", "", "", ""), []))
    assert workbook.properties.title == "北京高校基层党支部整改汇总表"
    assert workbook.properties.creator == "某党委"


# --- 附件3 -----------------------------------------------------------------


def test_annex3_layout_rows_and_note():
    rows = rectifications(3)
    ws = sheet_of(annex3_workbook(HEADER, rows), "附件3")
    assert ws["A1"].value == "附件3"
    assert ws["A2"].value == "北京高校基层党支部整改汇总表"
    assert ws["A3"].value == INFO
    assert values(ws, 4, 1, 7) == ANNEX3_HEADINGS
    for i, row in enumerate(rows):
        assert values(ws, 5 + i, 1, 7) == [
            i + 1, row.branch, row.problems, row.measures, row.due, row.contact, None]
    assert ws.max_row == 5 + len(rows)
    assert ws.cell(ws.max_row, 1).value == NOTE
    merges = sorted(str(m) for m in ws.merged_cells.ranges)
    assert merges == sorted(["A2:G2", "A3:G3", f"A{ws.max_row}:G{ws.max_row}"])


def test_annex3_print_settings():
    ws = sheet_of(annex3_workbook(HEADER, rectifications()), "附件3")
    assert int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert fit_to_width(ws) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$2:$4"


def test_annex3_borders_wrap_and_fonts():
    rows = rectifications(4)
    ws = sheet_of(annex3_workbook(HEADER, rows), "附件3")
    for row in range(4, 5 + len(rows)):
        for col in range(1, 8):
            cell = ws.cell(row, col)
            assert all(getattr(cell.border, s).style == "thin"
                       for s in ("top", "bottom", "left", "right")), cell.coordinate
            assert cell.alignment.wrap_text
            assert cell.font.name == "SimSun"
    assert ws["C5"].alignment.vertical == "top"
    assert ws.row_dimensions[5].height >= 2 * 14  # two lines of 存在的主要问题


def test_annex3_without_rows_is_still_a_form():
    ws = sheet_of(annex3_workbook(HEADER, []), "附件3")
    assert values(ws, 4, 1, 7) == ANNEX3_HEADINGS
    assert ws.max_row == 5 and ws["A5"].value == NOTE
