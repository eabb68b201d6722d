"""Turning cell values into typed values, and the text normalisation that
parsing and planning share (so a value survives export → import unchanged).
"""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from . import errors as E
from .spec import BOOL, DATE, DECIMAL, ENUM, INT, KEY, NOTE, TEXT, ColumnSpec

MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
WINDOWS_EPOCH = datetime(1899, 12, 30)

# Excel's error values as openpyxl returns them (type "e" cells).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
    "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
    "#BUSY!", "#UNKNOWN!", "#PYTHON!",
})


class BadValue(Exception):
    """A cell value that cannot be used; the message says what is wrong."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(code)
        self.code, self.zh, self.en = code, zh, en


# ---------------------------------------------------------------- text

# zero-width characters and BOMs that come with copy-paste, bidirectional
# controls (they can make a name display as another), C0/C1 controls
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad"
                        "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_HSPACE = re.compile(r"[^\S\n]")


def clean_text(s: str) -> str:
    """One-line text: invisible characters removed, every run of white space
    (full-width U+3000, no-break, tabs and line breaks too) made one space,
    and trimmed."""
    if s.isprintable() and "  " not in s:      # fast path: the common case
        return s.strip()
    s = _INVISIBLE.sub("", s)
    return _SPACES.sub(" ", s).strip()


def clean_note(s: str) -> str:
    """Multi-line text: invisible characters removed, line breaks kept (at most
    one empty line in a row), other white space made plain spaces, each line
    trimmed."""
    if s.isprintable():
        return s.strip()
    s = _INVISIBLE.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))
    s = "\n".join(_HSPACE.sub(" ", line).strip() for line in s.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", s).strip()


def nfkc(s: str) -> str:
    """Full-width letters, digits and punctuation to their plain forms."""
    return s if s.isascii() else unicodedata.normalize("NFKC", s)


def match_key(s: str) -> str:
    """How two names or numbers are compared: NFKC, no white space, case-blind.
    So "计算机学院（研究生）党支部" matches "计算机学院(研究生) 党支部"."""
    s = nfkc(s)
    if not s.isprintable() or " " in s:
        s = _SPACES.sub("", _INVISIBLE.sub("", s))
    return s.casefold()


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- coercers


def _text(col: ColumnSpec, value, epoch) -> str | None:
    s = clean_note(_as_text(value)) if col.kind == NOTE else clean_text(_as_text(value))
    if not s:
        return None
    if col.max_len is not None and len(s) > col.max_len:
        raise BadValue(E.TOO_LONG, f"内容长度为 {len(s)} 个字符，超过上限 {col.max_len}。",
                       f"is {len(s)} characters long; at most {col.max_len} are allowed.")
    return s


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d{2}$", re.I)   # how Excel shows 2.012E+11


def _key(col: ColumnSpec, value, epoch) -> str | None:
    if isinstance(value, bool) or isinstance(value, (datetime, date, time, timedelta)):
        raise BadValue(E.INVALID_NUMBER, f"“{E.shorten(_as_text(value))}”不是有效的编号。",
                       f'"{E.shorten(_as_text(value))}" is not a valid number.')
    if isinstance(value, float):
        if not value.is_integer() or not math.isfinite(value):
            raise BadValue(E.INVALID_NUMBER,
                           f"“{E.shorten(value)}”不是有效的编号（带小数）。请将该列设为文本格式后重新填写。",
                           f'"{E.shorten(value)}" is not a valid number (it has decimals). '
                           "Format the column as text and type it again.")
        if abs(value) >= 1e15:
            raise BadValue(E.INVALID_NUMBER,
                           "编号超过 15 位，Excel 以数字保存时已丢失精度。请将该列设为文本格式后重新填写。",
                           "the number has more than 15 digits and Excel, storing it as a number, "
                           "has lost precision. Format the column as text and type it again.")
        value = int(value)
    s = clean_text(nfkc(_as_text(value)))
    if not s:
        return None
    if " " in s:
        raise BadValue(E.INVALID_NUMBER, f"“{E.shorten(s)}”中间有空格，编号不能包含空格。",
                       f'"{E.shorten(s)}" contains a space; a number cannot.')
    if _SCIENTIFIC.match(s):
        raise BadValue(E.INVALID_NUMBER,
                       f"“{E.shorten(s)}”是科学计数法，原编号可能已被 Excel 改变。请将该列设为文本格式后重新填写。",
                       f'"{E.shorten(s)}" is in scientific notation; Excel has probably changed the '
                       "number. Format the column as text and type it again.")
    if col.max_len is not None and len(s) > col.max_len:
        raise BadValue(E.TOO_LONG, f"编号长度为 {len(s)} 个字符，超过上限 {col.max_len}。",
                       f"is {len(s)} characters long; at most {col.max_len} are allowed.")
    return s


def _choice_table(col: ColumnSpec) -> dict[str, object]:
    table: dict[str, object] = {}
    for ch in col.choices:
        for label in (ch.zh, ch.en, str(ch.code), *ch.aliases):
            table[match_key(label)] = ch.code
    return table


_CHOICE_TABLES: dict[str, dict[str, object]] = {}


def _enum(col: ColumnSpec, value, epoch):
    if col.kind == BOOL and isinstance(value, bool):
        return value
    table = _CHOICE_TABLES.get(col.field + col.header_zh)
    if table is None:
        table = _CHOICE_TABLES[col.field + col.header_zh] = _choice_table(col)
    s = clean_text(_as_text(value)) if not isinstance(value, bool) else ("是" if value else "否")
    if not s:
        return col.default
    code = table.get(match_key(s), _MISSING)
    if code is _MISSING:
        zh_opts = "、".join(c.zh for c in col.choices)
        en_opts = ", ".join(c.en for c in col.choices)
        if col.kind == BOOL:
            raise BadValue(E.INVALID_BOOL, f"“{E.shorten(s)}”无法识别，请填写“是”或“否”。",
                           f'"{E.shorten(s)}" is not understood; use yes or no (是/否).')
        raise BadValue(E.INVALID_CHOICE, f"“{E.shorten(s)}”不是可选的值，请从以下选择：{zh_opts}。",
                       f'"{E.shorten(s)}" is not one of the allowed values: {en_opts} '
                       f"({'/'.join(c.zh for c in col.choices)}).")
    return code


_MISSING = object()

_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[ T]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_SERIAL_TEXT = re.compile(r"^\d{5}(\.\d+)?$")

_DATE_FORMS_ZH = "请按 2012-04-18 的格式填写（也接受 2012/4/18、2012.4.18、2012年4月18日、20120418）。"
_DATE_FORMS_EN = "use the form 2012-04-18 (2012/4/18, 2012.4.18, 2012年4月18日 and 20120418 are accepted too)."


def _bad_date(shown: str) -> BadValue:
    return BadValue(E.INVALID_DATE, f"“{E.shorten(shown)}”不是可识别的日期，{_DATE_FORMS_ZH}",
                    f'"{E.shorten(shown)}" is not a recognisable date; {_DATE_FORMS_EN}')


def _checked(d: date, shown: str) -> date:
    if not (MIN_DATE <= d <= MAX_DATE):
        raise BadValue(E.INVALID_DATE, f"日期“{E.shorten(shown)}”超出合理范围（1900-01-01 至 2100-12-31）。",
                       f'the date "{E.shorten(shown)}" is outside 1900-01-01 to 2100-12-31.')
    return d


def _ymd(y: int, m: int, d: int, shown: str) -> date:
    try:
        return _checked(date(y, m, d), shown)
    except ValueError:
        raise BadValue(E.INVALID_DATE, f"“{E.shorten(shown)}”不是存在的日期（月份或日期超出范围）。",
                       f'"{E.shorten(shown)}" is not a real date (month or day out of range).') from None


def _from_serial(x: float, epoch: datetime, shown: str) -> date:
    try:
        return _checked((epoch + timedelta(days=int(x))).date(), shown)
    except OverflowError:
        raise _bad_date(shown) from None


def _number_to_date(x: float, epoch: datetime, shown: str) -> date:
    if not math.isfinite(x):
        raise _bad_date(shown)
    if 10_000_000 <= x <= 99_991_231 and float(x).is_integer():      # 20120418
        n = int(x)
        return _ymd(n // 10000, n // 100 % 100, n % 100, shown)
    if 10_000 <= x < 2_958_466:                                     # Excel serial number
        return _from_serial(x, epoch, shown)
    if 1900 <= x <= 2100 and float(x).is_integer():
        raise BadValue(E.INVALID_DATE, f"“{int(x)}”只有年份，请填写完整日期，如 {int(x)}-01-01。",
                       f'"{int(x)}" is only a year; give the full date, e.g. {int(x)}-01-01.')
    raise _bad_date(shown)


def _date(col: ColumnSpec, value, epoch) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value.date(), value.date().isoformat())
    if isinstance(value, date):
        return _checked(value, value.isoformat())
    if isinstance(value, bool) or isinstance(value, (time, timedelta)):
        raise _bad_date(_as_text(value))
    if isinstance(value, (int, float)):
        return _number_to_date(value, epoch, _as_text(value))
    s = clean_text(nfkc(_as_text(value)))
    if not s:
        return None
    m = _DATE_TEXT.match(s)
    if m:
        return _ymd(int(m[1]), int(m[2]), int(m[3]), s)
    if len(s) == 8 and s.isdigit():
        return _ymd(int(s[:4]), int(s[4:6]), int(s[6:]), s)
    if _SERIAL_TEXT.match(s):
        return _number_to_date(float(s), epoch, s)
    m = _YEAR_MONTH.match(s)
    if m and 1 <= int(m[2]) <= 12:
        raise BadValue(E.INVALID_DATE, f"“{E.shorten(s)}”缺少“日”，请填写完整日期，如 {m[1]}-{int(m[2]):02d}-01。",
                       f'"{E.shorten(s)}" has no day; give the full date, e.g. {m[1]}-{int(m[2]):02d}-01.')
    if s.isdigit() and len(s) == 4:
        return _number_to_date(int(s), epoch, s)
    raise _bad_date(s)


def _int(col: ColumnSpec, value, epoch) -> int:
    shown = _as_text(value)
    if value is None:
        return col.default
    n = None
    if isinstance(value, bool) or isinstance(value, (date, time, timedelta)):
        n = None
    elif isinstance(value, int):
        n = value
    elif isinstance(value, float):
        n = int(value) if value.is_integer() else None
    else:
        s = clean_text(nfkc(shown))
        if not s:
            return col.default
        s = s.removesuffix("年").strip()
        if re.fullmatch(r"[+-]?\d+(\.0+)?", s):
            n = int(float(s))
    lo, hi = col.min_value, col.max_value
    if n is None:
        raise BadValue(E.INVALID_INTEGER, f"“{E.shorten(shown)}”不是整数，请填写 {lo} 至 {hi} 的整数。",
                       f'"{E.shorten(shown)}" is not a whole number; give a whole number from {lo} to {hi}.')
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        raise BadValue(E.INVALID_INTEGER, f"{n} 超出范围，请填写 {lo} 至 {hi} 的整数。",
                       f"{n} is out of range; give a whole number from {lo} to {hi}.")
    return n


def _decimal(col: ColumnSpec, value, epoch) -> float:
    """A number above min_value and at most max_value, with at most one decimal place."""
    shown = _as_text(value)
    if value is None:
        return col.default
    n = None
    if isinstance(value, bool) or isinstance(value, (date, time, timedelta)):
        n = None
    elif isinstance(value, (int, float)):
        n = float(value)
    else:
        s = clean_text(nfkc(shown)).removesuffix("学时").removesuffix("小时").strip()
        if not s:
            return col.default
        if re.fullmatch(r"[+-]?\d+(\.\d+)?", s):
            n = float(s)
    lo, hi = col.min_value, col.max_value
    if n is None or not math.isfinite(n) or round(n, 1) != round(n, 6):
        raise BadValue(E.INVALID_NUMBER, f"“{E.shorten(shown)}”不是数值，请填写大于 {lo}、不超过 {hi} 的数（可有一位小数）。",
                       f'"{E.shorten(shown)}" is not a number; give a number above {lo} and at most {hi} '
                       "(one decimal place allowed).")
    if not lo < n <= hi:
        raise BadValue(E.INVALID_NUMBER, f"{n:g} 超出范围，请填写大于 {lo}、不超过 {hi} 的数。",
                       f"{n:g} is out of range; give a number above {lo} and at most {hi}.")
    return round(n, 1)


COERCERS = {TEXT: _text, NOTE: _text, KEY: _key, ENUM: _enum, BOOL: _enum, DATE: _date, INT: _int,
            DECIMAL: _decimal}


def coerce(col: ColumnSpec, value, epoch: datetime = WINDOWS_EPOCH):
    """Typed value of one cell, or col.default for a blank one; BadValue if the
    value cannot be used. Required-ness is checked by the caller."""
    return COERCERS[col.kind](col, value, epoch)


def canonical(col: ColumnSpec, value):
    """A stored value as an import of it would read it back; used by the plan so
    that existing data with stray spaces is not reported as changed."""
    if value is None:
        return col.default
    if col.kind in (TEXT, NOTE):
        s = clean_note(str(value)) if col.kind == NOTE else clean_text(str(value))
        return s or None
    if col.kind == KEY:
        return clean_text(nfkc(str(value))) or None
    if col.kind == DATE:
        return value.date() if isinstance(value, datetime) else value
    if col.kind == BOOL:
        return bool(value)
    if col.kind == INT:
        return int(value)
    if col.kind == DECIMAL:
        return round(float(value), 1)
    return value
