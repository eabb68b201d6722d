"""Catalogs: every message of ours is in zh and en, translated where it must be, compiled."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def _cjk(text: str) -> bool:
    """Chinese: a CJK ideograph, or Chinese punctuation (、。「」 and the full-width ：，（）；)."""
    return any("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
               for ch in text)


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(ROOT / "app", METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(lang: str):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_message_is_in_the_catalog(lang):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(lang) if m.id}
    missing = _extracted() - ids
    assert not missing, f"run translations/update.sh; missing in {lang}: {sorted(missing)[:10]}"


def test_english_translates_every_chinese_message():
    untranslated = [m.id for m in _catalog("en") if m.id and _cjk(str(m.id)) and not m.string]
    assert not untranslated, f"untranslated in en: {untranslated[:10]}"


def test_chinese_translates_the_fab_strings_fab_lacks():
    untranslated = [m.id for m in _catalog("zh") if m.id and not _cjk(str(m.id)) and not m.string]
    assert not untranslated, f"untranslated in zh: {untranslated[:10]}"
    zh = {m.id: m.string for m in _catalog("zh")}
    assert zh["Are you sure you want to delete this item?"] == "确定要删除这条记录吗？"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compiled_catalog_matches_the_source(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    source = {m.id: m.string for m in _catalog(lang) if m.id and m.string}
    assert compiled == source, "run translations/update.sh to recompile"
