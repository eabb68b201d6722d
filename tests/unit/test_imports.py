"""The roster import/export core (app.imports): pure, no app or database.

Input files are built here with openpyxl, XlsxWriter and zipfile.
"""
from __future__ import annotations

import io
import struct
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.imports.reader as reader_mod
from app.imports import (
    BRANCH_SPEC, MEMBER_SPEC, BranchRow, ImportFileError, MemberRow, ParseResult, Plan, RowError,
    branch_template, export_branches, export_members, member_template, parse_branches,
    parse_members, plan_branches, plan_members,
)
from app.imports import container
from app.imports.reader import parse
from app.imports.sheetxml import UNCACHED, ExcelError, iter_sheet

MEMBER_HEADERS = MEMBER_SPEC.headers()
BRANCH_HEADERS = BRANCH_SPEC.headers()
GB, BR = "计算机学院党委", "计算机学院本科生第一党支部"


# ---------------------------------------------------------------- helpers


def xlsx(rows, headers=MEMBER_HEADERS, sheet="党员名册", extra_sheets=(), epoch=None) -> bytes:
    """A workbook written by openpyxl: header row then rows (lists of values)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if epoch is not None:
        wb.epoch = epoch
    if headers is not None:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    for name in extra_sheets:
        wb.create_sheet(name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def member(number="2012001", name="张三", gender="男", mtype="正式党员", joined="2012-04-18",
           unit="计算机学院2010级1班", backbone="否", gb=GB, br=BR) -> list:
    return [number, name, gender, mtype, joined, unit, backbone, gb, br]


def branch(gb=GB, name=BR, category="本科生", joint="否", founded="2010-09-15",
           elected="2023-10-20", term=3, note=None) -> list:
    return [gb, name, category, joint, founded, elected, term, note]


def file_error(fn, data, **kw) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        fn(data, **kw)
    exc = info.value
    assert exc.message_zh and exc.message_en
    return exc


def only_error(result: ParseResult) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def patch_zip(data: bytes, name: str, transform) -> bytes:
    """Rewrite one part of a zip."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == name:
                body = transform(body)
            dst.writestr(info.filename, body)
    return out.getvalue()


SHEET1 = "xl/worksheets/sheet1.xml"


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize("make,parse_fn", [(member_template, parse_members),
                                           (branch_template, parse_branches)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unedited_template_imports_zero_rows_and_no_errors(make, parse_fn, lang):
    result = parse_fn(make(lang))
    assert result.rows == [] and result.errors == [] and result.total_rows == 0
    assert result.ignored_columns == []


@pytest.mark.parametrize("spec,make", [(MEMBER_SPEC, member_template), (BRANCH_SPEC, branch_template)])
def test_template_layout(spec, make):
    wb = openpyxl.load_workbook(io.BytesIO(make()))
    assert wb.sheetnames == [spec.sheet_zh, "说明", "示例"]
    ws = wb[spec.sheet_zh]
    headers = [c.value for c in ws[1]]
    assert headers == spec.headers() == [c.header_zh for c in spec.columns]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1                                      # header only
    for i, col in enumerate(spec.columns):
        letter = openpyxl.utils.get_column_letter(i + 1)
        assert ws.column_dimensions[letter].width >= 8
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            lists[str(dv.sqref).split(":")[0]] = dv.formula1
    enum_cols = [(i, c) for i, c in enumerate(spec.columns) if c.choices]
    assert len(enum_cols) >= 2
    for i, col in enum_cols:
        letter = openpyxl.utils.get_column_letter(i + 1)
        assert lists[f"{letter}2"] == '"' + ",".join(ch.zh for ch in col.choices) + '"'
    # instructions in Chinese and English; examples on their own sheet
    text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "示例" in text and "Examples" in text and "必填" in text and "required" in text.lower()
    ex = wb["示例"]
    assert str(ex["A1"].value).startswith("示例")
    assert [c.value for c in ex[2]] == spec.headers()
    assert ex.max_row == 4


def test_member_template_enumerations_and_formats():
    wb = openpyxl.load_workbook(io.BytesIO(member_template()))
    ws = wb["党员名册"]
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists == {"C2:C1048576": '"男,女"', "D2:D1048576": '"正式党员,预备党员"',
                     "G2:G1048576": '"是,否"'}
    assert ws.column_dimensions["A"].number_format == "@"       # numbers typed as text
    assert ws.column_dimensions["E"].number_format == "yyyy-mm-dd"
    assert ws["A1"].font.color.rgb.endswith("FFFFFF")           # required: white on red
    assert not ws["C1"].fill.fgColor.rgb.endswith("C00000")


def test_branch_template_enumerations():
    wb = openpyxl.load_workbook(io.BytesIO(branch_template()))
    ws = wb["支部名册"]
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists == {"C2:C1048576": '"教师,本科生,研究生,管理,服务,离退休"', "D2:D1048576": '"是,否"'}
    ints = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert ints and ints[0].formula1 == "1" and ints[0].formula2 == "10"


def test_english_template_headers_and_dropdowns_import_back():
    wb = openpyxl.load_workbook(io.BytesIO(member_template("en")))
    assert wb.sheetnames == ["Members", "Instructions", "Examples"]
    assert [c.value for c in wb["Members"][1]] == MEMBER_SPEC.headers("en")
    lists = [dv.formula1 for dv in wb["Members"].data_validations.dataValidation if dv.type == "list"]
    assert '"male,female"' in lists
    # the English examples (en labels) parse to the same rows as the Chinese ones
    en = parse(MEMBER_SPEC, member_template("en"), sheet="Examples")
    zh = parse(MEMBER_SPEC, member_template("zh"), sheet="示例")
    assert en.errors == zh.errors == []
    assert [r for _, r in en.rows] == [r for _, r in zh.rows] == list(MEMBER_SPEC.example_rows)


def test_example_sheet_rows_are_valid_and_marked():
    result = parse(BRANCH_SPEC, branch_template(), sheet="示例")
    assert result.errors == [] and [r for _, r in result.rows] == list(BRANCH_SPEC.example_rows)
    assert result.header_row == 2                               # a "示例…" title line above


def test_bad_lang_is_refused():
    with pytest.raises(ValueError):
        member_template("fr")


# ---------------------------------------------------------------- export and round trip


def sample_members():
    return [
        MemberRow("2012001", "张三", "M", "formal", date(2012, 4, 18), "计算机学院2010级1班", False, GB, BR),
        MemberRow("0012", "=1+1", None, "probationary", None, None, True, GB, BR),
        MemberRow("T-9", "O'Neil 李", "F", "formal", date(1900, 1, 1), "http://example.org", False,
                  "物理系党总支", "物理系教工党支部"),
    ]


def test_export_writes_strings_and_real_dates():
    wb = openpyxl.load_workbook(io.BytesIO(export_members(sample_members())))
    assert wb.sheetnames == ["党员名册", "说明"]
    ws = wb["党员名册"]
    assert [c.value for c in ws[1]] == MEMBER_HEADERS
    assert ws.freeze_panes == "A2"
    assert ws["A3"].value == "0012" and ws["A3"].data_type == "s"
    assert ws["B3"].value == "=1+1" and ws["B3"].data_type == "s"       # never a formula
    assert ws["F4"].data_type == "s"                                    # never a hyperlink
    assert ws["E2"].is_date and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["E2"].value == datetime(2012, 4, 18)
    assert [ws["C2"].value, ws["D2"].value, ws["G2"].value, ws["G3"].value] == ["男", "正式党员", "否", "是"]


def test_export_parse_plan_round_trip_members():
    rows = sample_members()
    data = export_members(rows)
    parsed = parse_members(data)
    assert parsed.errors == []
    assert [r for _, r in parsed.rows] == rows
    plan = plan_members(parsed, {r.number: r for r in rows}, {(r.general_branch, r.branch) for r in rows})
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": 3, "errors": 0}


def test_export_parse_plan_round_trip_branches():
    rows = list(BRANCH_SPEC.example_rows) + [
        BranchRow("物理系党总支", "物理系离退休党支部", "retired", False, None, None, 5, "第一行\n第二行")]
    parsed = parse_branches(export_branches(rows))
    assert parsed.errors == [] and [r for _, r in parsed.rows] == rows
    plan = plan_branches(parsed, {(r.general_branch, r.name): r for r in rows},
                         {r.general_branch for r in rows})
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": 3, "errors": 0}


def test_round_trip_tolerates_untidy_stored_text():
    stored = MemberRow(" 2012001", "  张\u3000三 ", "M", "formal", datetime(2012, 4, 18, 0, 0), "一班 ",
                       False, GB + " ", BR)
    parsed = parse_members(export_members([stored]))
    plan = plan_members(parsed, {stored.number: stored}, {(GB + " ", BR)})
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


def test_round_trip_drops_characters_excel_cannot_hold():
    stored = BranchRow(GB, "计算机\x01学院\u200b党支部", "teacher", False, None, None, 3, "a\x0bb\r\nc\x00")
    parsed = parse_branches(export_branches([stored]))
    assert parsed.errors == []
    assert parsed.rows[0][1].name == "计算机学院党支部" and parsed.rows[0][1].note == "ab\nc"
    plan = plan_branches(parsed, {(stored.general_branch, stored.name): stored}, {GB})
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


def test_export_rejects_other_row_types():
    with pytest.raises(TypeError):
        export_members(list(BRANCH_SPEC.example_rows))


_TEXT = st.characters(categories=("L", "N", "P", "Zs"))
_NAMEish = st.text(_TEXT, min_size=1, max_size=30).filter(lambda s: s.strip() and not s.isspace())
_NUMBER = st.text(st.sampled_from("0123456789ABCDEFGHJKxyz-_０１２"), min_size=1, max_size=20)
_DATE = st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))

member_rows = st.builds(
    MemberRow, number=_NUMBER, name=_NAMEish, gender=st.sampled_from(["M", "F", None]),
    member_type=st.sampled_from(["formal", "probationary"]), joined_on=_DATE,
    unit=st.one_of(st.none(), _NAMEish), is_teacher_backbone=st.booleans(),
    general_branch=_NAMEish, branch=_NAMEish)
branch_rows = st.builds(
    BranchRow, general_branch=_NAMEish, name=_NAMEish,
    category=st.sampled_from(["teacher", "undergraduate", "graduate", "admin", "service", "retired"]),
    is_joint=st.booleans(), founded_on=_DATE, elected_on=_DATE, term_years=st.integers(1, 10),
    note=st.one_of(st.none(), st.text(st.characters(categories=("L", "N", "P", "Zs"), include_characters="\n"),
                                      max_size=60)))


def _unique(key):
    from app.imports.values import clean_text, match_key
    return lambda r: tuple(match_key(clean_text(x)) for x in key(r))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(member_rows, max_size=8, unique_by=_unique(lambda r: (r.number,))))
def test_property_member_round_trip(rows):
    data = export_members(rows)
    parsed = parse_members(data)
    assert parsed.errors == []
    plan = plan_members(parsed, {r.number: r for r in rows}, {(r.general_branch, r.branch) for r in rows})
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": len(rows), "errors": 0}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(branch_rows, max_size=6, unique_by=_unique(lambda r: (r.general_branch, r.name))))
def test_property_branch_round_trip(rows):
    parsed = parse_branches(export_branches(rows))
    assert parsed.errors == []
    plan = plan_branches(parsed, {(r.general_branch, r.name): r for r in rows},
                         {r.general_branch for r in rows})
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": len(rows), "errors": 0}


# ---------------------------------------------------------------- whole-file problems


def test_empty_file():
    exc = file_error(parse_members, b"")
    assert exc.code == "empty_file" and "空" in exc.message_zh and "empty" in exc.message_en


def test_file_over_max_bytes():
    data = xlsx([member()])
    exc = file_error(parse_members, data, max_bytes=1000)
    assert exc.code == "file_too_large"
    assert "超过上限" in exc.message_zh and "limit" in exc.message_en
    assert exc.details["size"] == len(data)


@pytest.mark.parametrize("data,zh,en", [
    (b"\x00\x01\x02 definitely not a spreadsheet \xff\xfe\x00", "无法识别", "not recognised"),
    ("学号/工号,姓名\n2012001,张三\n".encode("utf-8"), "CSV", "CSV"),
    ("学号/工号,姓名\n2012001,张三\n".encode("gbk"), "CSV", "CSV"),
    ("学号\t姓名\n".encode("utf-16"), "CSV", "CSV"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML", "HTML"),
    (b"%PDF-1.4\n...", "PDF", "PDF"),
])
def test_not_an_xlsx(data, zh, en):
    exc = file_error(parse_members, data)
    assert exc.code == "not_xlsx"
    assert zh in exc.message_zh and en in exc.message_en
    assert ".xlsx" in exc.message_zh and ".xlsx" in exc.message_en


def _cfb(*stream_names: str) -> bytes:
    """The start of an OLE compound file with the given directory entries."""
    body = b"".join(n.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for n in stream_names)
    return container.OLE_MAGIC + b"\x00" * 504 + body


def test_legacy_xls_renamed():
    exc = file_error(parse_members, _cfb("Root Entry", "Workbook", "\x05SummaryInformation"))
    assert exc.code == "not_xlsx"
    assert ".xls" in exc.message_zh and "97-2003" in exc.message_en and "Save As" in exc.message_en


def test_password_protected_file():
    exc = file_error(parse_members, _cfb("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    assert exc.code == "encrypted"
    assert "密码" in exc.message_zh and "password" in exc.message_en


@pytest.mark.parametrize("parts,zh,en", [
    ({"word/document.xml": "<w/>", "[Content_Types].xml": "<Types/>"}, "Word", "Word"),
    ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
     "OpenDocument", "OpenDocument"),
    ({"xl/workbook.bin": "x", "[Content_Types].xml": "<Types/>"}, ".xlsb", ".xlsb"),
    ({"readme.txt": "hello"}, "zip", "zip"),
])
def test_other_zip_files_are_not_xlsx(parts, zh, en):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    exc = file_error(parse_members, out.getvalue())
    assert exc.code == "not_xlsx" and zh in exc.message_zh and en in exc.message_en


def test_truncated_file_is_corrupt():
    data = xlsx([member()] * 50)
    exc = file_error(parse_members, data[: len(data) // 2])
    assert exc.code == "corrupt"
    assert "损坏" in exc.message_zh and "damaged" in exc.message_en


def test_broken_sheet_xml_is_corrupt():
    data = patch_zip(xlsx([member()] * 5), SHEET1, lambda b: b[: len(b) // 2])
    exc = file_error(parse_members, data)
    assert exc.code == "corrupt" and "损坏" in exc.message_zh


def test_missing_workbook_part_is_corrupt():
    src = zipfile.ZipFile(io.BytesIO(xlsx([member()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            if info.filename != "xl/workbook.xml":
                zf.writestr(info.filename, src.read(info.filename))
    exc = file_error(parse_members, out.getvalue())
    assert exc.code == "corrupt"


def test_xml_with_doctype_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    data = patch_zip(xlsx([member()]), SHEET1, lambda b: bomb + b)
    exc = file_error(parse_members, data)
    assert exc.code == "corrupt" and "DOCTYPE" in exc.message_en


def test_zip_bomb_high_ratio_part():
    data = xlsx([member()])
    out = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
        zf.writestr("xl/media/padding.bin", b"\x00" * (11 * 1024 * 1024))   # ~1000:1
    exc = file_error(parse_members, out.getvalue())
    assert exc.code == "zip_bomb"
    assert "压缩比" in exc.message_zh and "expands" in exc.message_en


def test_zip_bomb_declared_total_size():
    """A directory that declares a huge part is refused before anything is
    decompressed (the sizes are patched into the central directory)."""
    data = bytearray(xlsx([member()]))
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        name = bytes(data[pos + 46: pos + 46 + name_len])
        if name == SHEET1.encode():
            struct.pack_into("<I", data, pos + 24, 300 * 1024 * 1024)   # uncompressed size
            struct.pack_into("<I", data, pos + 20, 300 * 1024 * 1024)   # compressed: no ratio alarm
        pos = data.find(b"PK\x01\x02", pos + 4)
    exc = file_error(parse_members, bytes(data))
    assert exc.code == "zip_bomb"
    assert "200.0 MB" in exc.message_zh and "limit" in exc.message_en


def test_no_data_sheet():
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.create_sheet("示例")
    out = io.BytesIO()
    wb.save(out)
    exc = file_error(parse_members, out.getvalue())
    assert exc.code == "no_data_sheet"
    assert "党员名册" in exc.message_zh and "no data sheet" in exc.message_en


def test_empty_data_sheet_has_no_header():
    exc = file_error(parse_members, xlsx([], headers=None))
    assert exc.code == "no_header"
    assert "空" in exc.message_zh and "empty" in exc.message_en


def test_missing_and_renamed_required_columns():
    headers = ["学号/工号", "名字", "性别", "入党日期", "所属党总支", "所属党支部", "电话"]
    exc = file_error(parse_members, xlsx([["1", "张三", "男", None, GB, BR, "123"]], headers=headers))
    assert exc.code == "missing_columns"
    assert "“姓名”" in exc.message_zh and "“党员类型”" in exc.message_zh
    assert "“名字”" in exc.message_zh and "“电话”" in exc.message_zh
    assert '"姓名" (Name)' in exc.message_en and '"名字"' in exc.message_en
    assert exc.details["missing"] == ["姓名", "党员类型"]
    assert exc.details["unknown"] == ["名字", "电话"]


def test_duplicate_column():
    headers = MEMBER_HEADERS + ["姓名"]
    exc = file_error(parse_members, xlsx([member() + ["李四"]], headers=headers))
    assert exc.code == "duplicate_columns"
    assert "“姓名”" in exc.message_zh and "B、J" in exc.message_zh


def test_wrong_roster_kind():
    exc = file_error(parse_members, branch_template())
    assert exc.code == "wrong_template"
    assert "支部名册" in exc.message_zh and "党员名册" in exc.message_zh
    exc = file_error(parse_branches, xlsx([member()]))
    assert exc.code == "wrong_template"


def test_too_many_rows():
    data = xlsx([member(number=str(i)) for i in range(4)])
    exc = file_error(parse_members, data, max_rows=3)
    assert exc.code == "too_many_rows" and "3" in exc.message_zh and "3" in exc.message_en
    assert len(parse_members(data, max_rows=4).rows) == 4


# ---------------------------------------------------------------- columns and rows


def test_extra_columns_are_ignored_and_listed():
    headers = ["序号"] + MEMBER_HEADERS + ["联系电话", None, "备注"]
    result = parse_members(xlsx([[1] + member() + ["13800000000", None, "x"]], headers=headers))
    assert result.errors == []
    assert result.ignored_columns == ["序号", "联系电话", "备注"]
    assert result.rows[0][1].number == "2012001"


def test_columns_in_any_order_header_variants_and_title_row():
    headers = ["所属党支部", "所属党总支", "姓名 ", "学号/工号*", "党员类型（必填）"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["计算机学院党员名册（2024年）"])
    ws.append([])
    ws.append(headers)
    ws.append([BR, GB, "张三", "2012001", "正式党员"])
    out = io.BytesIO()
    wb.save(out)
    result = parse_members(out.getvalue())
    assert result.errors == [] and result.header_row == 3
    row_no, row = result.rows[0]
    assert row_no == 4
    assert row == MemberRow("2012001", "张三", None, "formal", None, None, False, GB, BR)
    assert result.present_fields == ("number", "name", "member_type", "general_branch", "branch")


def test_branch_header_with_ascii_parentheses_and_english_headers():
    headers = ["General branch", "Branch name", "Category", "联合党支部", "任期(年)"]
    result = parse_branches(xlsx([[GB, BR, "graduate", "是", "4"]], headers=headers))
    assert result.errors == []
    assert result.rows[0][1] == BranchRow(GB, BR, "graduate", True, None, None, 4, None)


def test_trailing_and_middle_blank_rows_are_ignored():
    rows = [member(number="1"), [None] * 9, ["  ", "\u3000", None, "", None, None, None, None, None],
            member(number="2")] + [[None] * 9] * 20 + [[" "] * 9]
    result = parse_members(xlsx(rows))
    assert result.errors == [] and result.total_rows == 2
    assert [n for n, _ in result.rows] == [2, 5]


def test_styled_empty_trailing_rows_are_ignored():
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet("党员名册")
    fmt = wb.add_format({"bg_color": "#FFFF00"})
    for c, h in enumerate(MEMBER_HEADERS):
        ws.write_string(0, c, h)
    for c, v in enumerate(member()):
        ws.write_string(1, c, v)
    for r in range(2, 500):
        ws.write_blank(r, 0, None, fmt)
        ws.set_row(r, 20, fmt)
    wb.close()
    result = parse_members(out.getvalue())
    assert result.errors == [] and result.total_rows == 1


def test_a_wrong_dimension_does_not_cut_rows_off():
    data = xlsx([member(number=str(i)) for i in range(10)])
    data = patch_zip(data, SHEET1, lambda b: b.replace(b'<dimension ref="A1:I11"/>', b'<dimension ref="A1:A1"/>'))
    assert len(parse_members(data).rows) == 10


def test_whitespace_is_trimmed_full_width_too():
    row = member(number=" 2012001\u3000", name="\u3000张\u3000\u3000三 \u200b\u202e", unit="\t一班\n",
                 gb="\u3000" + GB, br=BR + "\u00a0")
    result = parse_members(xlsx([row]))
    assert result.errors == []
    r = result.rows[0][1]
    assert (r.number, r.name, r.unit, r.general_branch, r.branch) == ("2012001", "张 三", "一班", GB, BR)


def test_required_values_missing():
    result = parse_members(xlsx([member(name="  ", mtype=None, br="\u3000")]))
    errs = result.errors
    assert [(e.row, e.column, e.code) for e in errs] == [
        (2, "姓名", "required"), (2, "党员类型", "required"), (2, "所属党支部", "required")]
    assert errs[0].message_zh == "第 2 行 B 列“姓名”：必填，不能为空。"
    assert errs[0].message_en == "Row 2, column B (Name): is required."
    assert result.rows == [] and result.total_rows == 1


@pytest.mark.parametrize("cell", [
    "2012-04-18", "2012/4/18", "2012.4.18", "2012年4月18日", "2012年04月18号", "20120418", 20120418,
    "2012-4-18 00:00:00", "２０１２－０４－１８", " 2012 年 4 月 18 日 ", 41017, 41017.75, "41017",
    datetime(2012, 4, 18, 9, 30), date(2012, 4, 18),
])
def test_accepted_date_forms(cell):
    result = parse_members(xlsx([member(joined=cell)]))
    assert result.errors == []
    assert result.rows[0][1].joined_on == date(2012, 4, 18)


def test_serial_numbers_follow_the_1904_date_system():
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    result = parse_members(xlsx([member(joined=39555)], epoch=CALENDAR_MAC_1904))
    assert result.rows[0][1].joined_on == date(2012, 4, 18)


@pytest.mark.parametrize("cell,zh,en", [
    ("2012-13-01", "不是存在的日期", "not a real date"),
    ("2012-02-30", "不是存在的日期", "not a real date"),
    ("去年四月", "不是可识别的日期", "not a recognisable date"),
    ("2012-04", "缺少“日”", "has no day"),
    ("2012年4月", "缺少“日”", "has no day"),
    ("2012", "只有年份", "only a year"),
    (2012, "只有年份", "only a year"),
    ("1899-12-31", "超出合理范围", "outside"),
    (123, "不是可识别的日期", "not a recognisable date"),
    (True, "不是可识别的日期", "not a recognisable date"),
])
def test_unparsable_dates(cell, zh, en):
    err = only_error(parse_members(xlsx([member(joined=cell)])))
    assert (err.row, err.column, err.code) == (2, "入党日期", "invalid_date")
    assert err.message_zh.startswith("第 2 行 E 列“入党日期”：") and zh in err.message_zh
    assert en in err.message_en
    if "recognisable" in en:
        assert "2012-04-18" in err.message_zh and "2012-04-18" in err.message_en


@pytest.mark.parametrize("cell,expected", [
    ("2012001", "2012001"), (2012001, "2012001"), (2012001.0, "2012001"), ("００１２", "0012"),
    ("0012", "0012"), ("s2012001", "s2012001"), (" T-0315 ", "T-0315"),
])
def test_member_numbers_as_text_or_number(cell, expected):
    result = parse_members(xlsx([member(number=cell)]))
    assert result.errors == [] and result.rows[0][1].number == expected


@pytest.mark.parametrize("cell,zh", [
    (2012001.5, "带小数"), (1.2345678901234567e17, "15 位"), ("2.01201E+11", "科学计数法"),
    ("2012 001", "空格"), ("x" * 41, "超过上限"),
])
def test_bad_member_numbers(cell, zh):
    err = only_error(parse_members(xlsx([member(number=cell)])))
    assert err.column == "学号/工号" and err.code in ("invalid_number", "too_long")
    assert zh in err.message_zh


@pytest.mark.parametrize("cell,expected", [("3", 3), (5, 5), (7.0, 7), ("4年", 4), ("１０", 10), (None, 3),
                                           ("  ", 3)])
def test_term_years(cell, expected):
    result = parse_branches(xlsx([branch(term=cell)], headers=BRANCH_HEADERS, sheet="支部名册"))
    assert result.errors == [] and result.rows[0][1].term_years == expected


@pytest.mark.parametrize("cell", ["3.5", 0, 11, "三年", True])
def test_bad_term_years(cell):
    err = only_error(parse_branches(xlsx([branch(term=cell)], headers=BRANCH_HEADERS, sheet="支部名册")))
    assert err.code == "invalid_integer" and "1 至 10" in err.message_zh and "1 to 10" in err.message_en


@pytest.mark.parametrize("gender,mtype,backbone,expected", [
    ("男", "正式党员", "是", ("M", "formal", True)),
    ("女", "预备党员", "否", ("F", "probationary", False)),
    ("M", "formal", "yes", ("M", "formal", True)),
    ("female", "PROBATIONARY", "No", ("F", "probationary", False)),
    (" f ", "预备", True, ("F", "probationary", True)),
    (None, "正式", None, (None, "formal", False)),
    ("男性", "formal", 1, ("M", "formal", True)),
    ("Ｍ", "正式党员", "√", ("M", "formal", True)),
])
def test_enumerations_accept_labels_and_codes(gender, mtype, backbone, expected):
    result = parse_members(xlsx([member(gender=gender, mtype=mtype, backbone=backbone)]))
    assert result.errors == []
    r = result.rows[0][1]
    assert (r.gender, r.member_type, r.is_teacher_backbone) == expected


@pytest.mark.parametrize("label,code", [("教师", "teacher"), ("本科生", "undergraduate"), ("研究生", "graduate"),
                                        ("管理", "admin"), ("服务", "service"), ("离退休", "retired"),
                                        ("Retired", "retired"), ("教工党支部", "teacher")])
def test_branch_categories(label, code):
    result = parse_branches(xlsx([branch(category=label)], headers=BRANCH_HEADERS, sheet="支部名册"))
    assert result.errors == [] and result.rows[0][1].category == code


def test_bad_enumerations():
    result = parse_members(xlsx([member(gender="未知", mtype="入党积极分子", backbone="也许")]))
    codes = [(e.column, e.code) for e in result.errors]
    assert codes == [("性别", "invalid_choice"), ("党员类型", "invalid_choice"), ("教学科研骨干", "invalid_bool")]
    assert "男、女" in result.errors[0].message_zh and "male, female" in result.errors[0].message_en
    assert "“是”或“否”" in result.errors[2].message_zh


def test_too_long_text():
    err = only_error(parse_members(xlsx([member(name="张" * 61)])))
    assert err.code == "too_long" and "61" in err.message_zh and "60" in err.message_en


def test_duplicate_keys_in_file_name_the_first_row():
    rows = [member(number="2012001"), member(number="2012002"), member(number="２０１２００１"),
            member(number=2012002)]
    result = parse_members(xlsx(rows))
    assert [n for n, _ in result.rows] == [2, 3]
    assert [(e.row, e.code) for e in result.errors] == [(4, "duplicate_key"), (5, "duplicate_key")]
    assert "与第 2 行重复" in result.errors[0].message_zh and "row 2" in result.errors[0].message_en
    assert "与第 3 行重复" in result.errors[1].message_zh


def test_duplicate_branches_in_file():
    rows = [branch(), branch(name="计算机学院本科生第二党支部"), branch(name=BR.replace("第一", " 第一"))]
    result = parse_branches(xlsx(rows, headers=BRANCH_HEADERS, sheet="支部名册"))
    err = only_error(result)
    assert err.row == 4 and err.code == "duplicate_key" and "与第 2 行重复" in err.message_zh


def test_formula_without_cached_value_is_a_row_error():
    row = member()
    row[1] = '=CONCATENATE("张","三")'                # openpyxl saves formulas without a result
    row[4] = "=DATE(2012,4,18)"
    result = parse_members(xlsx([row, member(number="2")]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (2, "姓名", "formula_no_value"), (2, "入党日期", "formula_no_value")]
    assert "公式" in result.errors[0].message_zh and "formula" in result.errors[0].message_en
    assert [n for n, _ in result.rows] == [3]


def test_formula_with_cached_value_is_read_as_its_value():
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet("党员名册")
    for c, h in enumerate(MEMBER_HEADERS):
        ws.write_string(0, c, h)
    for c, v in enumerate(member()):
        ws.write_string(1, c, v)
    ws.write_formula(1, 1, '=CONCATENATE("李","四")', None, "李四")
    ws.write_formula(1, 4, "=DATE(2012,4,18)", wb.add_format({"num_format": "yyyy-mm-dd"}), 41017)
    ws.write_formula(1, 0, '="20"&"12001"', None, "2012001")
    # a pre-filled formula column below the data: no result cached, nothing else in the row
    for r in range(2, 30):
        ws.write_formula(r, 5, '=IF(A{0}="","",A{0})'.format(r + 1), None, "")
    wb.close()
    result = parse_members(out.getvalue())
    assert result.errors == [] and result.total_rows == 1
    r = result.rows[0][1]
    assert (r.number, r.name, r.joined_on) == ("2012001", "李四", date(2012, 4, 18))


def test_error_values_in_cells():
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out)
    ws = wb.add_worksheet("党员名册")
    for c, h in enumerate(MEMBER_HEADERS):
        ws.write_string(0, c, h)
    for c, v in enumerate(member()):
        ws.write_string(1, c, v)
    ws.write_formula(1, 8, "=VLOOKUP(A2,X:Y,2,0)", None, "#N/A")
    wb.close()
    err = only_error(parse_members(out.getvalue()))
    assert (err.column, err.code) == ("所属党支部", "cell_error") and "#N/A" in err.message_zh


def test_errors_are_capped():
    rows = [member(number=str(i), mtype="?") for i in range(30)]
    result = parse_members(xlsx(rows), max_errors=10)
    assert len(result.errors) == 11 and result.errors[-1].code == "too_many_errors"
    assert result.errors[-1].row is None and result.total_rows == 30


def test_data_sheet_found_by_name_then_first_other_sheet():
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("Sheet1")
    ws.append(MEMBER_HEADERS)
    ws.append(member())
    out = io.BytesIO()
    wb.save(out)
    result = parse_members(out.getvalue())
    assert result.sheet_name == "Sheet1" and len(result.rows) == 1


# ---------------------------------------------------------------- the lean reader


def _values_via_openpyxl(data):
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    out = {}
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                out[(r, c)] = v
    wb.close()
    return out


def _values_via_lean(data):
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    zf = zipfile.ZipFile(io.BytesIO(data))
    out = {}
    with zf.open(ws._worksheet_path) as part:
        for r, cells in iter_sheet(part, ws._shared_strings, wb._date_formats, wb._timedelta_formats,
                                   wb.epoch):
            for c, v in cells.items():
                out[(r, c)] = None if v is UNCACHED else v
    wb.close()
    return {k: v for k, v in out.items() if v is not None}


def _mixed_workbook(constant_memory: bool) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": constant_memory})
    ws = wb.add_worksheet("s")
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    tfmt = wb.add_format({"num_format": "hh:mm"})
    bold = wb.add_format({"bold": True})
    ws.write_string(0, 0, "文本 ")
    ws.write_number(0, 1, 3)
    ws.write_number(0, 2, 2.5)
    ws.write_boolean(0, 3, True)
    ws.write_datetime(0, 4, datetime(2012, 4, 18), dfmt)
    ws.write_datetime(0, 5, datetime(1900, 1, 1, 12, 30), tfmt)
    ws.write_rich_string(1, 0, "普通", bold, "加粗", "尾")
    ws.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    ws.write_formula(1, 2, '="a"&"b"', None, "ab")
    ws.write_string(3, 7, "  ")
    ws.write_number(5, 0, 20120418)
    wb.close()
    return out.getvalue()


@pytest.mark.parametrize("make", [
    lambda: _mixed_workbook(False), lambda: _mixed_workbook(True),
    lambda: xlsx([member(), member(joined=datetime(2012, 4, 18), number=2012002)]),
    lambda: export_members(sample_members()),
])
def test_lean_reader_agrees_with_openpyxl(make):
    data = make()
    assert _values_via_lean(data) == _values_via_openpyxl(data)


def test_lean_reader_marks_uncached_formulas_and_errors():
    data = xlsx([["=1+1", "x"]], headers=None, sheet="s")
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = wb.worksheets[0]
    with zipfile.ZipFile(io.BytesIO(data)).open(ws._worksheet_path) as part:
        rows = list(iter_sheet(part, ws._shared_strings))
    assert rows == [(1, {1: UNCACHED, 2: "x"})]
    data = _mixed_workbook(False)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = wb.worksheets[0]
    with zipfile.ZipFile(io.BytesIO(data)).open(ws._worksheet_path) as part:
        cells = dict(iter_sheet(part, ws._shared_strings))
    assert isinstance(cells[2][2], ExcelError) and cells[2][2] == "#DIV/0!"


def test_openpyxl_internals_used_by_the_lean_reader_exist():
    data = xlsx([member()])
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    assert ws._worksheet_path == SHEET1
    assert isinstance(ws._shared_strings, list)
    assert isinstance(wb._date_formats, set) and isinstance(wb._timedelta_formats, set)


@pytest.fixture
def fallback_reader(monkeypatch):
    """Make the parser take openpyxl's iter_rows path instead of the lean one."""
    monkeypatch.setattr(reader_mod, "USE_LEAN_READER", False)


def test_fallback_reader_same_results(fallback_reader):
    row = member()
    row[1] = "=1+1"
    data = xlsx([row, member(number="2", joined=41017), member(number="3")] + [[None] * 9] * 3)
    result = parse_members(data)
    assert [(e.row, e.code) for e in result.errors] == [(2, "formula_no_value")]
    assert [n for n, _ in result.rows] == [3, 4]
    assert result.rows[0][1].joined_on == date(2012, 4, 18)
    rows = sample_members()
    parsed = parse_members(export_members(rows))
    assert parsed.errors == [] and [r for _, r in parsed.rows] == rows


# ---------------------------------------------------------------- plans

SCOPE = {(GB, BR), (GB, "计算机学院研究生（博士）党支部")}


def _existing():
    return {
        "2012001": MemberRow("2012001", "张三", "M", "formal", date(2012, 4, 18), "一班", False, GB, BR),
        "2012002": MemberRow("2012002", "李四", "F", "probationary", None, None, False, GB, BR),
    }


def test_plan_members_new_updated_unchanged():
    rows = [member(number="2012001", unit="一班"),                          # unchanged
            member(number="2012002", name="李四", gender="女", mtype="正式党员", joined=None, unit=None,
                   br="计算机学院研究生(博士) 党支部"),                         # updated + moved
            member(number="2012003", name="王五")]                            # new
    plan = plan_members(parse_members(xlsx(rows)), _existing(), SCOPE)
    assert plan.summary() == {"new": 1, "updated": 1, "unchanged": 1, "errors": 0}
    assert isinstance(plan, Plan) and plan.ok
    (row_no, old, new, changed), = plan.updated
    assert row_no == 3 and old is _existing()["2012002"] or old == _existing()["2012002"]
    assert changed == ("member_type", "branch")
    assert new.branch == "计算机学院研究生（博士）党支部"                      # the stored spelling
    assert plan.new[0][0] == 4 and plan.new[0][1].name == "王五"
    assert plan.unchanged[0][0] == 2


def test_plan_members_blank_cell_clears_but_absent_column_keeps():
    existing = _existing()
    headers = ["学号/工号", "姓名", "党员类型", "所属党总支", "所属党支部", "所在单位/班级/课题组"]
    rows = [["2012001", "张三", "正式党员", GB, BR, None]]
    plan = plan_members(parse_members(xlsx(rows, headers=headers)), existing, SCOPE)
    (_, old, new, changed), = plan.updated
    assert changed == ("unit",) and new.unit is None
    assert new.joined_on == date(2012, 4, 18) and new.gender == "M"     # columns not in the file
    rows = [["2012001", "张三", "正式党员", GB, BR, "一班"]]
    plan = plan_members(parse_members(xlsx(rows, headers=headers)), existing, SCOPE)
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


def test_plan_members_matches_numbers_case_blind_and_keeps_stored_key():
    existing = {"S001": MemberRow("S001", "张三", None, "formal", None, None, False, GB, BR)}
    headers = ["学号/工号", "姓名", "党员类型", "所属党总支", "所属党支部"]
    plan = plan_members(parse_members(xlsx([["ｓ001", "张三", "正式党员", GB, BR]], headers=headers)),
                        existing, SCOPE)
    assert plan.summary()["unchanged"] == 1 and plan.unchanged[0][1].number == "S001"


def test_unknown_branch_message_names_only_what_was_typed():
    rows = [member(number="1", br="外校某党支部"), member(number="2", br="物理系教工党支部", gb="物理系党总支")]
    parsed = parse_members(xlsx(rows))
    # "物理系教工党支部" exists elsewhere in the university, "外校某党支部" nowhere:
    # the plan only knows the importer's scope, and both messages read alike.
    plan = plan_members(parsed, _existing(), SCOPE)
    assert plan.summary() == {"new": 0, "updated": 0, "unchanged": 0, "errors": 2}
    e1, e2 = plan.errors
    assert (e1.row, e1.column, e1.code) == (2, "所属党支部", "unknown_branch")
    assert e1.message_zh == f"第 2 行：在您可管理的党支部中找不到“{GB} / 外校某党支部”。请核对“所属党总支”和“所属党支部”与系统中的名称是否一致。"
    assert e2.message_zh == e1.message_zh.replace("2 行", "3 行").replace(f"{GB} / 外校某党支部", "物理系党总支 / 物理系教工党支部")
    assert e2.message_en.replace("物理系党总支 / 物理系教工党支部", "X").replace("Row 3", "Row 2") == \
        e1.message_en.replace(f"{GB} / 外校某党支部", "X")
    for e in (e1, e2):
        assert BR not in e.message_zh and "计算机学院研究生" not in e.message_zh   # nothing of the scope


def test_plan_keeps_parse_errors_in_row_order():
    rows = [member(number="1", br="不存在"), member(number="2", mtype="?"), member(number="3")]
    plan = plan_members(parse_members(xlsx(rows)), {}, SCOPE)
    assert [(e.row, e.code) for e in plan.errors] == [(2, "unknown_branch"), (3, "invalid_choice")]
    assert plan.summary() == {"new": 1, "updated": 0, "unchanged": 0, "errors": 2}
    assert not plan.ok


def test_plan_branches():
    existing = {(GB, BR): BranchRow(GB, BR, "undergraduate", False, date(2010, 9, 15), date(2023, 10, 20), 3, None),
                (GB, "计算机学院教工党支部"): BranchRow(GB, "计算机学院教工党支部", "teacher", False, None, None, 3, None)}
    rows = [branch(),                                                      # unchanged
            branch(name="计算机学院教工党支部", category="教师", joint="是", founded=None, elected=None,
                   term=None, note="与实验中心联合"),                         # updated
            branch(name="计算机学院研究生党支部", category="研究生"),            # new
            branch(gb="外校党委", name="某党支部")]                             # unknown general branch
    parsed = parse_branches(xlsx(rows, headers=BRANCH_HEADERS, sheet="支部名册"))
    plan = plan_branches(parsed, existing, [GB + " "])
    assert plan.summary() == {"new": 1, "updated": 1, "unchanged": 1, "errors": 1}
    (row_no, old, new, changed), = plan.updated
    assert row_no == 3 and changed == ("is_joint", "note")
    assert plan.new[0][1].general_branch == GB + " "                        # the stored spelling
    err = plan.errors[0]
    assert (err.row, err.column, err.code) == (5, "所属党总支", "unknown_general_branch")
    assert "“外校党委”" in err.message_zh and '"外校党委"' in err.message_en


def test_plan_refuses_a_parse_of_the_other_roster():
    parsed = parse_branches(export_branches(list(BRANCH_SPEC.example_rows)))
    with pytest.raises(TypeError):
        plan_members(parsed, {}, set())


def test_messages_are_bilingual_everywhere():
    rows = [member(number="1", name=None, joined="x", gender="?", backbone="?"), member(number="1")]
    plan = plan_members(parse_members(xlsx(rows)), {}, {("x", "y")})
    assert plan.errors
    for e in plan.errors:
        assert e.message_zh.startswith("第 ") and e.message_en.startswith("Row ")
        assert e.to_dict()["code"] == e.code


def test_one_dry_run_reports_an_unknown_branch_beside_the_cell_errors_of_its_row():
    """A row with a bad cell and a branch outside the scope: both in the first upload, not one
    per upload."""
    rows = [member(number="1", br="外校某党支部", mtype="?"), member(number="2", mtype="?"), member(number="3")]
    plan = plan_members(parse_members(xlsx(rows)), {}, SCOPE)
    assert [(e.row, e.code) for e in plan.errors] == [(2, "invalid_choice"), (2, "unknown_branch"), (3, "invalid_choice")]
    assert plan.summary() == {"new": 1, "updated": 0, "unchanged": 0, "errors": 3}


def test_one_dry_run_reports_an_unknown_general_branch_beside_cell_errors():
    existing = {(GB, BR): BranchRow(GB, BR, "undergraduate", False, date(2010, 9, 15), date(2023, 10, 20), 3, None)}
    rows = [branch(gb="别的学院党委", name="某党支部", category="?"), branch(name="新党支部")]
    plan = plan_branches(parse_branches(xlsx(rows, headers=BRANCH_HEADERS, sheet="党支部")), existing, {GB})
    assert [(e.row, e.code) for e in plan.errors] == [(2, "invalid_choice"), (2, "unknown_general_branch")]
