"""What 附件2 and 附件3 share: the header, text hygiene, formats, the top block, the note.

Pure: XlsxWriter only, no Flask, no SQLAlchemy, no other app package.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass

import xlsxwriter

BODY_FONT = "SimSun"  # 宋体, the body face of the printed notice
TITLE_FONT = "SimHei"  # 黑体, for the title and the 附件 label
GB2312_CHARSET = 134  # lets Excel/WPS pick the CJK face on a non-Chinese system

# XlsxWriter silently turns constant_memory OFF when in_memory is on
# (Workbook.__init__: "We can't do 'constant_memory' mode while doing 'in_memory'
# mode"), which would keep every cell of a 50k-row sheet in a dict. So the rows go
# through a temp file (constant_memory) and only the finished zip lands in a BytesIO.
# strings_to_* off: a branch called "=SUM(A1)" or "http://x" must stay plain text.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

TITLE_ROW, INFO_ROW, HEADING_ROW = 1, 2, 3  # row 0 holds the small 附件N label
FIRST_DATA_ROW = HEADING_ROW + 1

_BLANK_FIELD = "\u3000" * 6  # room to fill in by hand, as the printed form leaves it
_FIELD_GAP = " " * 4
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAX_CELL_CHARS = 32767  # Excel's limit; XlsxWriter would truncate anyway
LINE_PT = 14.5  # one line of 11 pt SimSun
ROW_PAD_PT = 6.5  # a data row's padding above and below its lines
ROW_PT = LINE_PT + ROW_PAD_PT  # every one-line data row (the sheet's default height: 28 px)

# The printable height of an A4 page in points, less the top and bottom margins set below.
_A4_LONG_PT, _A4_SHORT_PT = 841.9, 595.3
_TOP_IN, _BOTTOM_IN = 0.6, 0.7
_PAGE_SLACK_PT = 24.0  # room left for renderers whose rows come out a little taller
MAX_PAGE_BREAKS = 1023  # Excel keeps at most this many manual breaks in a sheet


@dataclass(frozen=True, slots=True)
class FormHeader:
    """The 填报单位 line and the reporting note of one exported form."""

    unit: str
    person: str
    phone: str
    deadline_text: str = ""
    email: str = ""


def cell_text(value: str | None) -> str:
    """Text safe for an inline string: no XML-illegal characters, CRLF as LF, ≤ 32767."""
    if not value:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if not value.isprintable():  # fast path: almost every cell is printable
        value = _XML_ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value[:_MAX_CELL_CHARS]


def info_line(header: FormHeader) -> str:
    """填报单位（盖章）：… 填报人：… 联系电话：…, blanks left open for a pen."""

    def field(value: str) -> str:
        return cell_text(value).strip() or _BLANK_FIELD

    return _FIELD_GAP.join(
        (
            f"填报单位（盖章）：{field(header.unit)}",
            f"填报人：{field(header.person)}",
            f"联系电话：{field(header.phone)}",
        )
    )


def note_text(header: FormHeader) -> str:
    """The 填表说明 line; an empty deadline or e-mail drops its part of the sentence."""
    deadline = cell_text(header.deadline_text).strip()
    email = cell_text(header.email).strip()
    when = f"{deadline}前" if deadline else ""
    mail = f"，同时发送电子版至{email}" if email else ""
    return f"填表说明：此表{when}由各党总支汇总后报送至党委组织部{mail}。"


class _CharWidths(dict):
    """Character -> display width, each character's East Asian width looked up once."""

    def __missing__(self, ch):
        width = self[ch] = 2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1
        return width


_CHAR_WIDTHS = _CharWidths()


def display_width(text: str) -> float:
    """Rough printed width in Excel column units (a CJK glyph ≈ 2.1, Latin ≈ 1.1).

    Sized for Excel's SimSun (~2.1 units a glyph); LibreOffice's fallback face is
    narrower (~1.7), so there the estimate errs tall, never clipped. (A dict lookup
    per character, in C: 附件3's long texts are millions of characters.)
    """
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def line_count(text: str, width: float) -> int:
    """How many lines text wraps to in a column of this width."""
    room = max(width - 1.0, 1.0)  # cell padding
    if "\n" not in text and len(text) * 2.1 <= room:  # the common short cell, no scan
        return 1
    return sum(max(1, math.ceil(display_width(part) / room)) for part in text.split("\n"))


def wrapped_height(text: str, width: float) -> float:
    """Row height for text wrapped in a (merged) cell, in points."""
    return line_count(text, width) * LINE_PT + 6


def row_height(cells: Iterable[tuple[str, float]]) -> float:
    """The height a data row needs for its wrapped cells: ROW_PT for one line."""
    return lines_height(max((line_count(text, width) for text, width in cells), default=1))


def lines_height(lines: int) -> float:
    """The height of a data row of that many lines."""
    return lines * LINE_PT + ROW_PAD_PT


def fit_row(worksheet, row: int, cells: Iterable[tuple[str, float]]) -> float:
    """Give a data row the height its wrapped cells need; call before writing the row.

    LibreOffice (7.4) and WPS do not autofit row heights of a stored file, so a
    long 存在的主要问题 would print clipped; the height is estimated and set here.
    Every one-line row has the sheet's default height (ROW_PT, set by setup_page), so the
    table prints in even rows and only a row whose text wraps is taller; those cost one
    set_row call each. Returns the row's height.
    """
    return set_height(worksheet, row, row_height(cells))


def set_height(worksheet, row: int, height: float) -> float:
    """fit_row for a height the caller already knows (row_height of the row's cells)."""
    if height > ROW_PT:
        _forget_flushed_rows(worksheet, row - 1)
        worksheet.set_row(row, height)
    return height


class Pages:
    """Where the printed pages of a table break, chosen here rather than by Excel.

    A grouped cell (附件2's 所属党委, drawn once over its run of rows) would leave the
    top of a page that breaks inside a run without a name; with the breaks known, the
    first row of every page names its group again. Each page holds the repeated title
    rows and the data rows that fit under them, with some slack, at 100 % (the form's
    columns fit the page width, so fit_to_pages does not shrink it); past Excel's
    1023 manual breaks the caller names the group on every row.
    """

    def __init__(self, worksheet, repeated_pt: float, first_page_extra_pt: float, *, landscape: bool) -> None:
        long_side = _A4_SHORT_PT if landscape else _A4_LONG_PT
        self.room = long_side - (_TOP_IN + _BOTTOM_IN) * 72 - repeated_pt - _PAGE_SLACK_PT
        self.used = first_page_extra_pt
        self.breaks: list[int] = []
        self.exhausted = False
        self._worksheet = worksheet

    def starts_page(self, row: int, height: float, top_height: float | None = None) -> bool:
        """Place a data row; True when it begins a new printed page.

        height is the row's height where it continues a page, top_height (default: the
        same) where it opens one (a grouped row names its group there, and may wrap).
        """
        if self.used > 0 and self.used + height > self.room:
            if len(self.breaks) >= MAX_PAGE_BREAKS:
                self.exhausted = True
            else:
                self.breaks.append(row)
            self.used = height if top_height is None else top_height
            return True
        self.used += height
        return False

    def close(self) -> None:
        """Store the breaks (one list, kept to the page count: constant memory in the rows)."""
        self._worksheet.set_h_pagebreaks(self.breaks)


def _forget_flushed_rows(worksheet, pending: int) -> None:
    """Drop XlsxWriter's set_row records of rows before `pending`, already written out.

    XlsxWriter keeps row_info (and row_sizes, for placing images) for every row ever
    given a height, so both would grow with the row count; constant_memory reads a
    row's entry only when flushing that row, this sheet has no images, and every row
    before the pending one is flushed. Defensive: if XlsxWriter renames these, nothing
    is dropped and only memory flatness is lost.
    """
    for name in ("row_info", "row_sizes"):
        records = getattr(worksheet, name, None)
        if isinstance(records, dict):
            for done in [r for r in records if r < pending]:
                del records[done]


class Styles:
    """Every format a form uses; each names its font so no cell falls back to Calibri."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        def fmt(**props):
            base = {"font_name": BODY_FONT, "font_size": 11, "font_charset": GB2312_CHARSET}
            return workbook.add_format(base | props)

        boxed = {"border": 1, "text_wrap": True}
        self.label = fmt(font_name=TITLE_FONT, font_size=12, valign="vcenter")
        self.title = fmt(
            font_name=TITLE_FONT, font_size=18, bold=True, align="center", valign="vcenter"
        )
        self.info = fmt(valign="vcenter", text_wrap=True)
        self.note = fmt(valign="top", text_wrap=True)
        self.heading = fmt(bold=True, align="center", valign="vcenter", **boxed)
        self.number = fmt(align="center", valign="top", **boxed)  # 序号, counts
        self.centered = fmt(align="center", valign="top", **boxed)  # short values
        self.text = fmt(align="left", valign="top", **boxed)  # long, wrapped values
        self._fmt = fmt

    def add(self, **props):
        """A further format with the body font (for a form's own special cells)."""
        return self._fmt(**props)


def new_workbook(buffer: io.BytesIO, title: str, header: FormHeader) -> xlsxwriter.Workbook:
    """A workbook streaming rows to a temp file, with title/author properties set."""
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    unit = cell_text(header.unit).strip()
    workbook.set_properties(
        {
            "title": title,
            "subject": title,
            "author": cell_text(header.person).strip() or unit or "zhibu",
            "company": unit,
            "comments": "由 zhibu 生成",
        }
    )
    return workbook


def setup_page(worksheet, widths: tuple[float, ...], *, landscape: bool) -> None:
    """A4, one page wide, title+info+heading repeated, centred, numbered pages."""
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, width)
    worksheet.set_paper(9)  # A4
    if landscape:
        worksheet.set_landscape()
    else:
        worksheet.set_portrait()
    worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(TITLE_ROW, HEADING_ROW)
    worksheet.center_horizontally()
    worksheet.set_margins(left=0.5, right=0.5, top=_TOP_IN, bottom=_BOTTOM_IN)
    worksheet.set_default_row(ROW_PT)
    worksheet.set_footer("&C第 &P 页，共 &N 页")
    worksheet.freeze_panes(FIRST_DATA_ROW, 0)


def put_text(worksheet, row: int, col: int, text: str, cell_format) -> None:
    """write_string, or a formatted blank for '' (XlsxWriter would store an empty string)."""
    if text:
        worksheet.write_string(row, col, text, cell_format)
    else:
        worksheet.write_blank(row, col, None, cell_format)


def merged_text(worksheet, row: int, last_col: int, text: str, cell_format) -> None:
    """Merge row[0:last_col] and put text in it through write_string, never write()."""
    worksheet.merge_range(row, 0, row, last_col, "", cell_format)
    worksheet.write_string(row, 0, text, cell_format)


LABEL_ROW_PT, TITLE_ROW_PT = 20.0, 36.0


def write_top(worksheet, styles: Styles, label: str, title: str, header: FormHeader,
              widths: tuple[float, ...]) -> None:
    """Rows 0-2: the 附件N label, the merged title, the merged 填报单位 line.

    constant_memory flushes a row as soon as a later one is touched, so these go first.
    """
    last_col = len(widths) - 1
    worksheet.set_row(0, LABEL_ROW_PT)
    worksheet.write_string(0, 0, label, styles.label)
    worksheet.set_row(TITLE_ROW, TITLE_ROW_PT)
    merged_text(worksheet, TITLE_ROW, last_col, title, styles.title)
    worksheet.set_row(INFO_ROW, info_height(header, widths))
    merged_text(worksheet, INFO_ROW, last_col, info_line(header), styles.info)


def info_height(header: FormHeader, widths: tuple[float, ...]) -> float:
    """The 填报单位 line's height: one line, or more when a long unit name wraps."""
    return max(24.0, wrapped_height(info_line(header), sum(widths)))


def write_note(worksheet, styles: Styles, row: int, header: FormHeader,
               widths: tuple[float, ...]) -> None:
    """The 填表说明 line under the table, merged across it, height set for its wrap."""
    note = note_text(header)
    worksheet.set_row(row, max(24.0, wrapped_height(note, sum(widths))))
    merged_text(worksheet, row, len(widths) - 1, note, styles.note)


def build_form(title: str, header: FormHeader, fill: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    """Run fill on a fresh workbook and return the file's bytes.

    On an error the workbook is still closed, so the constant_memory temp file is removed.
    """
    buffer = io.BytesIO()
    workbook = new_workbook(buffer, title, header)
    try:
        fill(workbook)
    except BaseException:
        with suppress(Exception):
            workbook.close()
        raise
    workbook.close()
    return buffer.getvalue()
