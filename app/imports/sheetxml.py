"""A lean streaming reader of one worksheet's XML.

openpyxl (read-only) opens the workbook and supplies what a cell value needs:
the shared strings, which styles are dates, the date epoch and the sheet's
part name. This module then walks the sheet XML once with iterparse and yields
the cell values that openpyxl's ``iter_rows(values_only=True)`` would give in
data-only mode, about three times faster, and in the same pass it marks:
  - formula cells without a cached value (UNCACHED): no <v>, or an empty <v>
    on a cell that is not of type "str" (a text result may be empty), and
  - error cells such as #N/A (ExcelError, a str).
tests/unit/test_imports.py checks it against openpyxl cell by cell.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterator

from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601


class _Uncached:
    """A formula cell whose result was never saved in the file."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNCACHED"


UNCACHED = _Uncached()


class ExcelError(str):
    """An error value (#N/A, #REF!, ...) stored in a cell of type "e"."""

    __slots__ = ()


_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


_COLS: dict[str, int] = {}


def _split_ref(ref: str) -> tuple[int, int]:
    i = 0
    n = len(ref)
    while i < n and ref[i].isalpha():
        i += 1
    letters = ref[:i]
    col = _COLS.get(letters)
    if col is None:
        col = _COLS[letters] = column_index_from_string(letters)
    return int(ref[i:]), col


def _inline_text(is_el) -> str:
    parts = []
    for child in is_el:
        name = _local(child.tag)
        if name == "t":
            if child.text is not None:
                parts.append(child.text)
        elif name == "r":
            for sub in child:
                if _local(sub.tag) == "t" and sub.text is not None:
                    parts.append(sub.text)
    return "".join(parts)


def iter_sheet(source, shared_strings, date_styles=frozenset(), timedelta_styles=frozenset(),
               epoch=None, wanted_box: list | None = None) -> Iterator[tuple[int, dict[int, object]]]:
    """Yield (row_number, {column_number: value}) for every <row> element,
    both numbers 1-based. Cells without a value are left out. When
    ``wanted_box[0]`` is a set, only those columns are read; the caller may
    set it between rows (e.g. once the header row is known)."""
    if wanted_box is None:
        wanted_box = [None]
    row_no = 0
    sheet_data = None
    for event, el in ET.iterparse(source, events=("start", "end")):
        if event == "start":
            if sheet_data is None and _local(el.tag) == "sheetData":
                sheet_data = el
            continue
        if _local(el.tag) != "row":
            continue
        r = el.get("r")
        row_no = int(r) if r and r.isdigit() else (int(float(r)) if r else row_no + 1)
        cells: dict[int, object] = {}
        col_no = 0
        wanted = wanted_box[0]
        for c in el:
            if _local(c.tag) != "c":
                continue
            ref = c.get("r")
            if ref:
                _, col_no = _split_ref(ref)
            else:
                col_no += 1
            if wanted is not None and col_no not in wanted:
                continue
            t = c.get("t", "n")
            v = None
            has_v = has_f = False
            is_el = None
            for child in c:
                name = _local(child.tag)
                if name == "v":
                    has_v = True
                    v = child.text
                elif name == "f":
                    has_f = True
                elif name == "is":
                    is_el = child
            if t == "inlineStr":
                if is_el is not None:
                    cells[col_no] = _inline_text(is_el)
                continue
            if not v:
                # openpyxl saves formulas as <f>..</f><v/>; Excel and XlsxWriter save a
                # formula that results in "" as t="str" with an empty <v>.
                if has_f and (not has_v or t != "str"):
                    cells[col_no] = UNCACHED
                continue
            if t == "n":
                value = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
                s = c.get("s")
                if s and int(s) in date_styles:
                    try:
                        value = from_excel(value, epoch, timedelta=int(s) in timedelta_styles)
                    except (OverflowError, ValueError):
                        value = ExcelError("#VALUE!")
                cells[col_no] = value
            elif t == "s":
                cells[col_no] = shared_strings[int(v)]
            elif t == "str":
                cells[col_no] = v
            elif t == "b":
                cells[col_no] = bool(int(v))
            elif t == "e":
                cells[col_no] = ExcelError(v)
            elif t == "d":
                cells[col_no] = from_ISO8601(v)
            else:
                cells[col_no] = v
        if sheet_data is not None:
            sheet_data.clear()
        else:
            el.clear()
        yield row_no, cells
