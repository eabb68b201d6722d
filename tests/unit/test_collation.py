"""Chinese names sort by pinyin with numbers in their natural order, never by code point."""
from app.data.collation import chinese_number, sort_key

RETIRED = ["离退休第一党支部", "离退休第二党支部", "离退休第三党支部", "离退休第四党支部",
           "离退休第五党支部", "离退休第十党支部", "离退休第十二党支部"]


def test_retired_branches_sort_by_their_number_not_by_code_point():
    assert sorted(RETIRED) != RETIRED  # code point: 第一、第三、第二、第五、第四 …
    assert sorted(reversed(RETIRED), key=sort_key) == RETIRED


def test_pinyin_order_across_names():
    names = ["资源与安全工程学院", "化学系", "安全工程2班", "安全工程10班", "重庆校区", "机关"]
    assert sorted(names, key=sort_key) == ["安全工程2班", "安全工程10班", "重庆校区", "化学系", "机关", "资源与安全工程学院"]


def test_chinese_numbers():
    assert [chinese_number(t) for t in ["一", "十", "十二", "二十", "二十三", "一百零五", "二〇一二"]] == [1, 10, 12, 20, 23, 105, 2012]


def test_keys_are_ascii_and_bounded():
    key = sort_key("党" * 400 + "Ünïcode ☃")
    assert key.isascii() and len(key) <= 255
    assert sort_key(None) == sort_key("") == ""
