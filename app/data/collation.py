"""How Chinese names sort: by pinyin (with the tone, then the character), numbers in their
natural order — 第二 before 第十, "2" before "10" — never by code point (which puts 第三 before
第二). The key is plain ASCII, so the database sorts it byte-wise and an index serves it."""
import re

from pypinyin import Style, lazy_pinyin

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = re.compile("[零〇一二两三四五六七八九十百千]+|[0-9]+")
KEY_LENGTH = 255


def chinese_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105, 二〇一二 -> 2012 (digit by digit)."""
    if not any(ch in _UNITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
    return total + digit


def _number_token(text: str) -> str:
    value = int(text) if text.isdigit() else chinese_number(text)
    return f"0{value:09d}"  # digits sort before letters: numbers come first, in their order


def sort_key(name: str | None) -> str:
    """The ASCII key a name sorts by (lower-case pinyin with tone digits, numbers zero-padded)."""
    text = (name or "").strip()
    parts, last = [], 0
    for match in _NUMBER.finditer(text):
        parts.append(text[last:match.start()])
        parts.append(_number_token(match.group()))
        last = match.end()
    parts.append(text[last:])
    tokens = []
    for part in parts:
        if part[:1] == "0" and part.isdigit():
            tokens.append(part)
        elif part:
            tokens.extend(t.strip().lower() for t in lazy_pinyin(part, style=Style.TONE3, errors="default"))
    key = " ".join(t for t in tokens if t)
    return key.encode("ascii", "replace").decode("ascii")[:KEY_LENGTH]
