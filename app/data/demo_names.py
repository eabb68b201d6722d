"""Chinese personal names for the demo university (pure data + a tiny generator).

Surnames carry weights close to their share of the population (per mille, rounded),
so 王/李/张/刘/陈 dominate as they do on a real roster.  Given-name characters come in
three "eras" because names follow fashions: a retiree born in the 1930s-50s, a teacher
born in the 1960s-70s and a student born around 1990 are named differently.
"""
from __future__ import annotations

import random

# (surname, weight per mille); compound surnames are rare on purpose.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 72.5), ("李", 71.9), ("张", 68.3), ("刘", 53.8), ("陈", 45.3), ("杨", 30.8),
    ("赵", 22.9), ("黄", 22.3), ("周", 19.0), ("吴", 20.5), ("徐", 14.5), ("孙", 13.8),
    ("马", 12.9), ("朱", 12.8), ("胡", 12.5), ("郭", 11.5), ("何", 11.0), ("高", 10.0),
    ("林", 10.0), ("罗", 8.7), ("郑", 8.0), ("梁", 7.7), ("谢", 7.2), ("宋", 6.0),
    ("唐", 6.0), ("许", 5.7), ("韩", 5.5), ("冯", 5.3), ("邓", 5.3), ("曹", 5.1),
    ("彭", 4.8), ("曾", 4.7), ("肖", 4.4), ("田", 4.3), ("董", 4.2), ("袁", 4.0),
    ("潘", 4.0), ("于", 4.0), ("蒋", 3.8), ("蔡", 3.7), ("余", 3.7), ("杜", 3.6),
    ("叶", 3.5), ("程", 3.4), ("苏", 3.3), ("魏", 3.3), ("吕", 3.2), ("丁", 3.1),
    ("任", 3.0), ("沈", 3.0), ("姚", 2.9), ("卢", 2.9), ("姜", 2.8), ("崔", 2.8),
    ("钟", 2.7), ("谭", 2.6), ("陆", 2.5), ("汪", 2.5), ("范", 2.5), ("金", 2.4),
    ("石", 2.4), ("廖", 2.3), ("贾", 2.3), ("夏", 2.2), ("付", 2.1), ("方", 2.1),
    ("白", 2.0), ("邹", 2.0), ("孟", 2.0), ("熊", 1.9), ("秦", 1.9), ("邱", 1.9),
    ("江", 1.8), ("尹", 1.8), ("薛", 1.8), ("闫", 1.7), ("段", 1.7), ("雷", 1.7),
    ("侯", 1.6), ("龙", 1.6), ("史", 1.6), ("陶", 1.5), ("黎", 1.5), ("贺", 1.5),
    ("顾", 1.4), ("毛", 1.4), ("郝", 1.4), ("龚", 1.3), ("邵", 1.3), ("万", 1.2),
    ("钱", 1.2), ("严", 1.1), ("武", 1.1), ("戴", 1.1), ("孔", 1.0), ("常", 1.0),
    ("牛", 0.9), ("康", 0.9), ("耿", 0.6), ("欧阳", 0.3), ("司马", 0.05), ("上官", 0.05),
)

# Characters by era and gender.  "old": born before ~1955 (retirees); "mid": born
# ~1955-1979 (most teachers and cadres); "young": born ~1980-1994 (students, young staff).
GIVEN_CHARS: dict[tuple[str, str], str] = {
    ("old", "M"): "国建华明德文志永福庆忠俊学玉树振兴荣春生成海山林金贵祥义仁光宝富胜清发长增有世才广中民军平英杰",
    ("old", "F"): "秀英兰珍淑桂芳玉凤荣华琴云霞梅素萍敏丽香芬娟芝莲洁惠静美文翠",
    ("mid", "M"): "伟强军勇刚斌涛建平辉峰明东海波志亮宏杰林华国卫新永立晓鹏雷宁力彬忠云春江俊文武松岩磊健庆学锋毅",
    ("mid", "F"): "丽敏静艳红霞燕芳娟玲萍莉琳梅华英晓慧颖洁蕾薇虹丹琴宁晶青雪秀春云岚婧雅",
    ("young", "M"): "浩宇鹏磊超杰涛辉鑫俊晨阳帅昊飞博旭轩航凯龙健强斌峰亮明宁琦东铭晗睿哲远泽毅文彬楠威翔振嘉天思志伟康岩坤",
    ("young", "F"): "婷雪丹佳琪欣悦晶颖璐倩瑶静敏慧琳娜蕾洁雯萌梦思诗佩月薇莹蓉芳雅宁怡晓晴楠玥璇茜露婧钰亚爽雨春艳丽娇",
}

# Share of one-character given names (王伟, 李娜) by era.
SINGLE_SHARE = {"old": 0.30, "mid": 0.45, "young": 0.38}
# Reduplicated names (婷婷, 晶晶) are a young-female fashion.
REDUPLICATED = "婷丹晶莹璐琳倩雯佳欣悦"

ERAS = ("old", "mid", "young")

_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_CUM: list[float] = []
_acc = 0.0
for _s, _w in SURNAMES:
    _acc += _w
    _SURNAME_CUM.append(_acc)
del _acc, _s, _w


def make_name(rng: random.Random, gender: str, era: str) -> str:
    """One plausible full name for a person of this gender ('M'/'F') and era."""
    surname = rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM, k=1)[0]
    chars = GIVEN_CHARS[(era, gender)]
    if era == "young" and gender == "F" and rng.random() < 0.06:
        c = rng.choice(REDUPLICATED)
        return surname + c + c
    if rng.random() < SINGLE_SHARE[era]:
        return surname + rng.choice(chars)
    first = rng.choice(chars)
    second = rng.choice(chars)
    while second == first:
        second = rng.choice(chars)
    return surname + first + second
