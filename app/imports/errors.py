"""Errors of an import: whole-file (raised) and per-row (collected).

Every error carries a stable ``code`` for programs and a message in Chinese and
in English for people. Messages quote what the user typed (shortened); the web
layer must HTML-escape them like any user input.
"""
from __future__ import annotations

from dataclasses import dataclass

# Whole-file problems (ImportFileError.code)
EMPTY_FILE = "empty_file"
FILE_TOO_LARGE = "file_too_large"
NOT_XLSX = "not_xlsx"
ENCRYPTED = "encrypted"
CORRUPT = "corrupt"
ZIP_BOMB = "zip_bomb"
NO_DATA_SHEET = "no_data_sheet"
NO_HEADER = "no_header"
MISSING_COLUMNS = "missing_columns"
DUPLICATE_COLUMNS = "duplicate_columns"
WRONG_TEMPLATE = "wrong_template"
TOO_MANY_ROWS = "too_many_rows"

FILE_ERROR_CODES = (
    EMPTY_FILE, FILE_TOO_LARGE, NOT_XLSX, ENCRYPTED, CORRUPT, ZIP_BOMB, NO_DATA_SHEET,
    NO_HEADER, MISSING_COLUMNS, DUPLICATE_COLUMNS, WRONG_TEMPLATE, TOO_MANY_ROWS,
)

# Per-row problems (RowError.code)
REQUIRED = "required"
INVALID_CHOICE = "invalid_choice"
INVALID_BOOL = "invalid_bool"
INVALID_DATE = "invalid_date"
INVALID_INTEGER = "invalid_integer"
INVALID_NUMBER = "invalid_number"
TOO_LONG = "too_long"
DUPLICATE_KEY = "duplicate_key"
FORMULA_NO_VALUE = "formula_no_value"
CELL_ERROR = "cell_error"
TOO_MANY_ERRORS = "too_many_errors"
UNKNOWN_BRANCH = "unknown_branch"                  # plan_members
UNKNOWN_GENERAL_BRANCH = "unknown_general_branch"  # plan_branches
UNKNOWN_MEMBER = "unknown_member"                  # plan_appraisals
NAME_MISMATCH = "name_mismatch"                    # plan_appraisals
UNKNOWN_MEETING = "unknown_meeting"                # plan_attendance

ROW_ERROR_CODES = (
    REQUIRED, INVALID_CHOICE, INVALID_BOOL, INVALID_DATE, INVALID_INTEGER, INVALID_NUMBER,
    TOO_LONG, DUPLICATE_KEY, FORMULA_NO_VALUE, CELL_ERROR, TOO_MANY_ERRORS, UNKNOWN_BRANCH,
    UNKNOWN_GENERAL_BRANCH, UNKNOWN_MEMBER, NAME_MISMATCH, UNKNOWN_MEETING,
)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing of it was read.

    ``details`` holds machine-readable facts for some codes, e.g. for
    ``missing_columns``: {"missing": [...], "unknown": [...], "sheet": "..."}.
    """

    def __init__(self, code: str, message_zh: str, message_en: str, details: dict | None = None):
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.details = details or {}

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self) -> dict:
        return {"code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en, "details": self.details}


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one row (``row`` is the Excel row number, 1-based) or,
    with ``row`` None, with the file's rows as a whole (too_many_errors).
    ``column`` is the column's Chinese header text as in the template."""

    row: int | None
    column: str | None
    code: str
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code,
                "message_zh": self.message_zh, "message_en": self.message_en}


def shorten(text: object, limit: int = 40) -> str:
    """What the user typed, made safe to quote in one line of a message."""
    s = str(text)
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"
