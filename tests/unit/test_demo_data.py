"""The demo university generator (app/data/demo.py): shape, invariants, rule demos."""
import dataclasses
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from app.data.demo import AS_OF, CATEGORIES, STUDENT_CATEGORIES, Demo, build_demo

SEEDS = (2012, 1, 99)


@pytest.fixture(scope="module", params=SEEDS)
def demo(request) -> Demo:
    return build_demo(seed=request.param)


@pytest.fixture(scope="module")
def default_demo() -> Demo:
    return build_demo()


def _by_code(demo):
    return {b.code: b for b in demo.branches}


def _sizes(demo):
    return Counter(m.branch for m in demo.members)


def _current(demo):
    return [s for s in demo.secretaries if s.left_on is None]


# ------------------------------------------------------------------ determinism

def test_same_seed_same_demo_and_other_seed_differs():
    a, b = build_demo(seed=2012), build_demo(seed=2012)
    assert a == b
    assert build_demo() == a                    # default seed is 2012
    assert build_demo(seed=7).members != a.members


def test_records_are_frozen(default_demo):
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_demo.branches[0].name = "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_demo.members[0].branch = "x"
    assert all(not hasattr(r, "__dict__") for r in (default_demo.members[0], default_demo.activities[0]))


# ------------------------------------------------------------------ organization

def test_committee(demo):
    assert demo.committee.name == "中共中国矿业大学（北京）委员会"
    assert demo.committee.short_name == "矿大（北京）党委"


def test_general_branches(demo):
    gbs = demo.general_branches
    assert len(gbs) >= 8
    assert [g.code for g in gbs] == [f"gb{i:02d}" for i in range(1, len(gbs) + 1)]
    assert gbs[0].name == "资源与安全工程学院党委"
    names = [g.name for g in gbs]
    assert len(set(names)) == len(names)
    assert {"机关党委", "离退休党总支", "管理学院党委", "文法学院党委"} <= set(names)
    assert all(re.fullmatch(r"010-6233\d{4}", g.phone) for g in gbs)
    assert len({g.phone for g in gbs}) == len(gbs)


def test_branch_counts_categories_and_codes(demo):
    assert len(demo.branches) >= 60
    assert set(b.category for b in demo.branches) == set(CATEGORIES)
    assert sum(b.is_joint for b in demo.branches) >= 4
    gb_codes = [g.code for g in demo.general_branches]
    per_gb = defaultdict(list)
    for b in demo.branches:
        assert b.general_branch in gb_codes
        per_gb[b.general_branch].append(b)
    # grouped by general branch, in general-branch order, numbered from b01
    assert [b.general_branch for b in demo.branches] == sorted(b.general_branch for b in demo.branches)
    for gcode, branches in per_gb.items():
        assert [b.code for b in branches] == [f"{gcode}-b{i:02d}" for i in range(1, len(branches) + 1)]
        names = [b.name for b in branches]
        assert len(set(names)) == len(names), gcode
    assert all(b.term_years == 3 for b in demo.branches)
    assert all(b.founded_on <= b.elected_on <= AS_OF for b in demo.branches)
    assert all(b.name.endswith("党支部") for b in demo.branches)


def test_realistic_branch_names(default_demo):
    names = {b.name for b in default_demo.branches}
    assert {"采矿工程系教师党支部", "采矿工程2010级本科生党支部", "组织部党支部", "图书馆党支部",
            "安全工程2010级本科生联合党支部"} <= names
    for b in default_demo.branches:
        if b.is_joint:
            assert "联合党支部" in b.name
        if b.category == "teacher":
            assert "教师" in b.name or "实验中心" in b.name
        if b.category == "undergraduate":
            assert "本科生" in b.name and re.search(r"20(08|09|10|11)级", b.name)
        if b.category == "graduate":
            assert "研究生" in b.name
        if b.category == "retired":
            assert "离退休" in b.name


def test_branch_sizes_vary(demo):
    sizes = _sizes(demo)
    assert set(sizes) == {b.code for b in demo.branches}          # no empty branch
    values = sorted(sizes.values())
    assert sum(3 <= v <= 8 for v in values) >= 5                 # small
    assert sum(v > 50 for v in values) >= 2                      # H2: to be split
    typical = sum(15 <= v <= 40 for v in values)
    assert typical >= len(values) // 2


def test_h1_joint_branch_with_a_unit_of_three_formal_members(demo):
    hits = []
    for b in demo.branches:
        if b.is_joint:
            formal = Counter(m.unit for m in demo.members if m.branch == b.code and m.member_type == "formal")
            if any(n >= 3 for n in formal.values()):
                hits.append(b.name)
    assert hits == ["财务处、审计处联合党支部"]


# ------------------------------------------------------------------ members

def test_member_counts_and_unique_numbers(demo):
    assert len(demo.members) >= 1500
    numbers = [m.number for m in demo.members]
    assert len(set(numbers)) == len(numbers)


def test_member_fields(demo):
    by_code = _by_code(demo)
    staff = re.compile(r"T(19[5-9]\d|20(0\d|1[01]))\d{4}")
    student = re.compile(r"20(0[0-9]|1[01])\d{6}")
    for m in demo.members:
        cat = by_code[m.branch].category
        assert m.gender in ("M", "F")
        assert m.member_type == ("probationary" if m.joined_on > date(2011, 4, 10) else "formal")
        assert m.unit
        assert 2 <= len(m.name) <= 4
        if cat in STUDENT_CATEGORIES and not m.number.startswith("T"):
            assert student.fullmatch(m.number), m.number
            assert date(2003, 1, 1) <= m.joined_on <= date(2012, 3, 31)
            assert not m.is_teacher_backbone
        else:
            assert staff.fullmatch(m.number), m.number
        if cat == "teacher":
            assert m.member_type == "formal"
            assert date(1980, 1, 1) <= m.joined_on <= date(2011, 12, 31)
        if cat == "undergraduate" and not m.number.startswith("T"):
            assert date(2009, 1, 1) <= m.joined_on <= date(2012, 3, 31)
            assert m.unit.endswith("班")
        if cat == "retired":
            assert m.joined_on < date(1990, 1, 1)
    types = Counter(m.member_type for m in demo.members if by_code[m.branch].category in STUDENT_CATEGORIES)
    assert types["formal"] > 100 and types["probationary"] > 100
    assert 0.1 < sum(m.is_teacher_backbone for m in demo.members if by_code[m.branch].category == "teacher") / \
        sum(1 for m in demo.members if by_code[m.branch].category == "teacher") < 0.6


def test_names_look_chinese_and_common_surnames_dominate(default_demo):
    names = [m.name for m in default_demo.members]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in names)
    top = Counter(n[0] for n in names).most_common(5)
    assert {s for s, _ in top} <= {"王", "李", "张", "刘", "陈", "杨"}
    assert len(set(names)) > 0.8 * len(names)


# ------------------------------------------------------------------ secretaries

def test_one_current_secretary_per_branch_and_all_are_members(demo):
    members = {m.number: m for m in demo.members}
    current = Counter(s.branch for s in _current(demo))
    assert set(current) == {b.code for b in demo.branches}
    assert set(current.values()) == {1}
    for s in demo.secretaries:
        assert s.member_number in members
        assert members[s.member_number].branch == s.branch
        assert s.appointed_on <= AS_OF
        if s.left_on is not None:
            assert s.appointed_on < s.left_on < AS_OF
    formers = [s for s in demo.secretaries if s.left_on is not None]
    assert 3 <= len(formers) <= 8


def test_secretary_title_ranks(demo):
    by_code = _by_code(demo)
    teacher = [s for s in _current(demo) if by_code[s.branch].category == "teacher"]
    share = sum(s.title_rank in ("senior", "associate") for s in teacher) / len(teacher)
    assert 0.75 <= share < 0.80                 # H3: just under the 80 % line
    for s in _current(demo):
        if by_code[s.branch].category in STUDENT_CATEGORIES:
            assert s.title_rank in ("none", "junior")


def test_new_secretaries(demo):
    new = [s for s in _current(demo) if s.appointed_on > AS_OF - timedelta(days=183)]
    assert 3 <= len(new) <= 12


def test_v1_violations(demo):
    window = [s for s in demo.secretaries
              if any(AS_OF - timedelta(days=730) <= d <= AS_OF for d, _ in s.violations)]
    assert 1 <= len(window) <= 2
    assert any(s.left_on is None for s in window)
    assert all(isinstance(t, str) and t for s in demo.secretaries for _, t in s.violations)


# ------------------------------------------------------------------ contact cadres

def test_contact_cadres(demo):
    by_code = _by_code(demo)
    levels = {"school_leader", "dept_leader", "office_cadre", "gb_committee"}
    per_gb = Counter(c.general_branch for c in demo.contact_cadres)
    assert set(per_gb) == {g.code for g in demo.general_branches}
    assert all(3 <= n <= 5 for n in per_gb.values())
    school_gbs = {b.general_branch for b in demo.branches if b.category in STUDENT_CATEGORIES}
    leaders = 0
    for c in demo.contact_cadres:
        assert c.level in levels and c.name and c.position
        assert c.branch_codes and all(code in by_code for code in c.branch_codes)
        assert len(set(c.branch_codes)) == len(c.branch_codes)
        if c.level == "school_leader":
            leaders += 1
            gbs = {by_code[code].general_branch for code in c.branch_codes}
            assert c.general_branch in gbs and len(gbs) >= 2
            continue
        assert 1 <= len(c.branch_codes) <= 3
        assert all(by_code[code].general_branch == c.general_branch for code in c.branch_codes)
        if c.general_branch in school_gbs:      # H9: contacts at least one student branch
            assert any(by_code[code].category in STUDENT_CATEGORIES for code in c.branch_codes)
    assert 2 <= leaders <= 6
    assert any(c.level == "dept_leader" for c in demo.contact_cadres)


# ------------------------------------------------------------------ activities

def test_activities(demo):
    sizes = _sizes(demo)
    kinds = {"general_meeting", "committee_meeting", "group_meeting", "party_lecture", "life_meeting",
             "appraisal", "theme_day"}
    for a in demo.activities:
        assert a.branch in sizes
        assert a.kind in kinds and a.title
        assert date(2011, 3, 1) <= a.date < AS_OF
        assert 1 <= a.attendance <= sizes[a.branch]
    assert set(a.kind for a in demo.activities) == kinds
    titles = {a.title for a in demo.activities}
    assert any("十七届六中全会" in t for t in titles)
    assert any("创先争优" in t for t in titles)


def test_most_branches_meet_monthly(demo):
    months = defaultdict(set)
    for a in demo.activities:
        months[a.branch].add((a.date.year, a.date.month))
    every_month = 0
    for b in demo.branches:
        due = {(y, m) for y in (2011, 2012) for m in range(1, 13)
               if date(2011, 3, 1) <= date(y, m, 1) < AS_OF and date(y, m, 28) >= b.founded_on}
        if due <= months[b.code]:
            every_month += 1
    assert every_month >= 0.7 * len(demo.branches)
    assert every_month < len(demo.branches)     # and some do not (H7)


def test_v3_branches_without_activity_for_a_year(demo):
    recent = {a.branch for a in demo.activities if a.date >= AS_OF - timedelta(days=365)}
    idle = [b.code for b in demo.branches if b.code not in recent]
    assert 2 <= len(idle) <= 3


def test_v2_branches_not_re_elected(demo):
    def add_years(d, n):
        return d.replace(year=d.year + n)

    overdue = [b for b in demo.branches if add_years(b.elected_on, b.term_years + 1) < AS_OF]
    vetoed = [b for b in overdue if not b.election_exemption]
    assert 2 <= len(vetoed) <= 3
    assert any(b.election_exemption for b in overdue)          # excused: no veto
    late_in_grace = [b for b in demo.branches
                     if add_years(b.elected_on, b.term_years) < AS_OF <= add_years(b.elected_on, b.term_years + 1)]
    assert late_in_grace


# ------------------------------------------------------------------ training and funding

def test_trainings(demo):
    members = {m.number: m for m in demo.members}
    by_code = _by_code(demo)
    hours = defaultdict(float)
    online = defaultdict(float)
    for t in demo.trainings:
        assert t.member_number in members
        assert t.hours > 0 and t.topic and t.organizer
        assert date(2011, 1, 1) <= t.date < AS_OF
        if t.date.year == 2011:
            hours[t.member_number] += t.hours
            online[t.member_number] += t.hours if t.online else 0
    established = [s for s in _current(demo) if s.appointed_on <= AS_OF - timedelta(days=183)]
    sec_hours = [hours[s.member_number] for s in established]
    assert all(30 <= h <= 60 for h in sec_hours)
    assert 0.1 <= sum(h < 40 for h in sec_hours) / len(sec_hours) <= 0.45
    secretaries = {s.member_number for s in demo.secretaries}
    for m in demo.members:
        if m.number in secretaries:
            continue
        cat = by_code[m.branch].category
        h = hours[m.number]
        if cat == "teacher":
            assert h <= 30
        if cat in STUDENT_CATEGORIES and not m.number.startswith("T"):
            assert h <= 20
    teachers = [m.number for m in demo.members if by_code[m.branch].category == "teacher"
                and m.number not in secretaries]
    assert sum(online[n] > 0 for n in teachers) > 0.5 * len(teachers)
    new = [s for s in _current(demo) if s.appointed_on > AS_OF - timedelta(days=183)]
    trained = {t.member_number for t in demo.trainings if "任职培训" in t.topic}
    assert any(s.member_number in trained for s in new)
    assert any(s.member_number not in trained for s in new)


def test_fundings(demo):
    sizes = _sizes(demo)
    keys = [(f.branch, f.year) for f in demo.fundings]
    assert len(set(keys)) == len(keys)
    assert set(keys) == {(b.code, y) for b in demo.branches for y in (2011, 2012)}
    low = 0
    for f in demo.fundings:
        assert isinstance(f.activity_funds, int) and isinstance(f.training_funds, int)
        assert f.activity_funds > 0 and f.training_funds > 0
        if f.year == 2011 and (f.activity_funds < 100 * sizes[f.branch] or f.training_funds < 100 * sizes[f.branch]):
            low += 1
    assert 2 <= low <= 0.15 * len(demo.branches)


# ------------------------------------------------------------------ users

def test_users(demo):
    users = demo.users
    names = [u.username for u in users]
    assert len(set(names)) == len(names)
    assert users[0].username == "committee"
    assert (users[0].role, users[0].org_kind, users[0].org_code) == ("committee", "committee", "committee")
    n = len(demo.general_branches)
    gb_users = users[1:1 + n]
    assert [u.username for u in gb_users] == [g.code for g in demo.general_branches]
    assert all((u.role, u.org_kind, u.org_code) == ("general_branch", "general_branch", u.username) for u in gb_users)
    branch_users = users[1 + n:]
    assert [u.username for u in branch_users] == [b.code for b in demo.branches]
    assert all((u.role, u.org_kind, u.org_code) == ("branch", "branch", u.username) for u in branch_users)
    assert "admin" not in names
