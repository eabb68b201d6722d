"""A deterministic demo university: 中共中国矿业大学（北京）委员会 as of April 2012.

Pure data: plain frozen dataclasses, no Flask, no SQLAlchemy, no other app package.
``build_demo(seed)`` returns the same :class:`Demo` for the same seed; another module
saves it into the database.

The roster is invented but shaped after the school's 2012 plan (中矿京党字〔2012〕14号):
ten general branches named after its schools and offices, teacher / undergraduate /
graduate / administration / service / retired branches, and on purpose a few branches
that the plan's rules should catch, so every rule has something to show:

* H1  a joint branch (财务处、审计处联合党支部) with a unit holding >= 3 formal members;
* H2  three branches above 50 members (and one at exactly 50, the boundary);
* H3  teacher-branch secretaries at 副高 or above just under 80 %;
* H4/H5 secretaries' 2011 training 30-60 h, about a quarter under 40 h; a few new
  secretaries (appointed in the 6 months before 2012-04-10), some not yet trained;
* H6  teacher members 10-30 h (part online), students 8-20 h;
* H7  most branches meet monthly, some skip months, some lack 组织生活会 / 民主评议;
* H8  funding mostly >= 100 元 per member, a few branches below;
* H9  every school cadre contacts a student branch; some branches have no contact;
* V1  exactly two secretaries with a violation in the two years before 2012-04-10
  (one current, one former), plus one older violation outside the window;
* V2  three branches elected in 2006-2008 and never re-elected, one more overdue but
  with an exemption reason, one overdue but still within the grace year;
* V3  three branches with no activity in the year before 2012-04-10.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from .demo_names import make_name

__all__ = [
    "AS_OF", "DEFAULT_SEED", "CATEGORIES", "STUDENT_CATEGORIES", "MEMBER_TYPES", "TITLE_RANKS",
    "CADRE_LEVELS", "ACTIVITY_KINDS", "ROLES",
    "CommitteeData", "GeneralBranchData", "BranchData", "MemberData", "SecretaryData",
    "ContactCadreData", "ActivityData", "TrainingData", "FundingData", "UserData", "Demo",
    "build_demo",
]

#: The date the demo describes ("today" for the demo's first assessment round).
AS_OF = date(2012, 4, 10)
DEFAULT_SEED = 2012
#: Joined after this day -> still 预备党员 on AS_OF (one-year probation).
PROBATION_CUTOFF = AS_OF.replace(year=AS_OF.year - 1)

CATEGORIES = ("teacher", "undergraduate", "graduate", "admin", "service", "retired")
STUDENT_CATEGORIES = ("undergraduate", "graduate")
MEMBER_TYPES = ("formal", "probationary")
TITLE_RANKS = ("senior", "associate", "intermediate", "junior", "none")
CADRE_LEVELS = ("school_leader", "dept_leader", "office_cadre", "gb_committee")
ACTIVITY_KINDS = ("general_meeting", "committee_meeting", "group_meeting", "party_lecture",
                  "life_meeting", "appraisal", "theme_day")
ROLES = ("committee", "general_branch", "branch")


# --------------------------------------------------------------------------- records

@dataclass(frozen=True, slots=True)
class CommitteeData:
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class GeneralBranchData:
    code: str                 # gb01, gb02, ...
    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class BranchData:
    code: str                 # gb01-b01, ...
    general_branch: str       # gb code
    name: str
    category: str             # one of CATEGORIES
    is_joint: bool
    founded_on: date
    elected_on: date
    term_years: int = 3
    note: str = ""
    election_exemption: str = ""   # reason recorded for a late re-election ("" = none)


@dataclass(frozen=True, slots=True)
class MemberData:
    number: str               # T<hire year><seq> for staff, <grade><college><class><seq> for students
    name: str
    gender: str               # 'M' / 'F'
    member_type: str          # 'formal' / 'probationary'
    joined_on: date
    unit: str                 # department / office / class / research group
    is_teacher_backbone: bool
    branch: str               # branch code


@dataclass(frozen=True, slots=True)
class SecretaryData:
    member_number: str
    branch: str
    appointed_on: date
    left_on: date | None
    title_rank: str           # one of TITLE_RANKS
    violations: tuple[tuple[date, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ContactCadreData:
    name: str
    position: str
    level: str                # one of CADRE_LEVELS
    general_branch: str       # gb code (for a school leader: the one chiefly contacted)
    branch_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActivityData:
    branch: str
    date: date
    kind: str                 # one of ACTIVITY_KINDS
    title: str
    attendance: int


@dataclass(frozen=True, slots=True)
class TrainingData:
    member_number: str
    date: date
    hours: float
    online: bool
    topic: str
    organizer: str


@dataclass(frozen=True, slots=True)
class FundingData:
    branch: str
    year: int
    activity_funds: int       # yuan
    training_funds: int       # yuan


@dataclass(frozen=True, slots=True)
class UserData:
    username: str
    role: str                 # 'committee' / 'general_branch' / 'branch'
    org_kind: str             # 'committee' / 'general_branch' / 'branch'
    org_code: str             # 'committee', a gb code or a branch code


@dataclass(frozen=True, slots=True)
class Demo:
    seed: int
    as_of: date
    committee: CommitteeData
    general_branches: list[GeneralBranchData]
    branches: list[BranchData]
    members: list[MemberData]
    secretaries: list[SecretaryData]
    contact_cadres: list[ContactCadreData]
    activities: list[ActivityData]
    trainings: list[TrainingData]
    fundings: list[FundingData]
    users: list[UserData] = field(default_factory=list)

    def branch(self, code: str) -> BranchData:
        """The branch with this code (KeyError when unknown)."""
        for b in self.branches:
            if b.code == code:
                return b
        raise KeyError(code)

    def members_of(self, branch_code: str) -> list[MemberData]:
        """The roster of one branch, in roster order."""
        return [m for m in self.members if m.branch == branch_code]

    def current_secretary(self, branch_code: str) -> SecretaryData | None:
        """The branch's secretary in office (left_on is None)."""
        for s in self.secretaries:
            if s.branch == branch_code and s.left_on is None:
                return s
        return None


# --------------------------------------------------------------------------- the university

COMMITTEE = CommitteeData(name="中共中国矿业大学（北京）委员会", short_name="矿大（北京）党委")


@dataclass(frozen=True)
class _Spec:
    category: str
    name: str
    size: tuple[int, int]
    units: tuple[str, ...] = ()      # teacher dept / offices / (retired: filled in)
    grade: int = 0                   # undergraduate grade (年级)
    majors: tuple[str, ...] = ()     # undergraduate: major short names of the college
    degree: str = ""                 # graduate: master / doctor / mixed
    joint: bool = False
    tags: tuple[str, ...] = ()
    elected: date | None = None      # fixed election date (V2 / H10 demos)
    note: str = ""
    exemption: str = ""


def _t(name, dept, size, **kw):
    return _Spec("teacher", name, size, units=(dept,), **kw)


def _g(name, degree, size, **kw):
    return _Spec("graduate", name, size, degree=degree, **kw)


def _u(name, grade, majors, size, **kw):
    return _Spec("undergraduate", name, size, grade=grade, majors=tuple(majors), **kw)


def _a(name, units, size, **kw):
    return _Spec("admin", name, size, units=tuple(units), **kw)


def _s(name, units, size, **kw):
    return _Spec("service", name, size, units=tuple(units), **kw)


def _r(name, size, **kw):
    return _Spec("retired", name, size, **kw)


@dataclass(frozen=True)
class _GB:
    name: str
    college: str                                  # "" for 机关 / 离退休
    majors: tuple[tuple[str, str, int], ...]      # (short, full name, classes per grade)
    male: float                                   # share of men among students and teachers
    specs: tuple[_Spec, ...]


_UNDERGRAD_ALL = "*"   # majors=("*",): every major of the college

GENERAL_BRANCHES: tuple[_GB, ...] = (
    _GB("资源与安全工程学院党委", "资源与安全工程学院",
        (("采矿", "采矿工程", 4), ("安全", "安全工程", 3), ("矿加", "矿物加工工程", 2), ("热动", "热能与动力工程", 2)),
        0.74, (
            _t("采矿工程系教师党支部", "采矿工程系", (54, 58)),
            _t("安全工程系教师党支部", "安全工程系", (24, 32)),
            _t("矿物加工工程系教师党支部", "矿物加工工程系", (15, 20), tags=("v1",)),
            _t("热能与动力工程系教师党支部", "热能与动力工程系", (8, 12)),
            _g("资源与安全工程学院博士研究生党支部", "doctor", (16, 24)),
            _g("采矿工程硕士研究生党支部", "master", (30, 40)),
            _g("安全工程硕士研究生党支部", "master", (22, 30)),
            _u("采矿工程2008级本科生党支部", 2008, ["采矿"], (26, 34)),
            _u("采矿工程2009级本科生党支部", 2009, ["采矿"], (18, 24)),
            _u("采矿工程2010级本科生党支部", 2010, ["采矿"], (10, 14)),
            _u("安全工程2008级本科生党支部", 2008, ["安全"], (20, 26)),
            _u("安全工程2009级本科生党支部", 2009, ["安全"], (14, 18)),
            _u("安全工程2010级本科生联合党支部", 2010, ["安全", "矿加", "热动"], (9, 12), joint=True,
               note="由安全工程、矿物加工工程、热能与动力工程专业2010级学生党员组成"),
            _u("资源与安全工程学院2011级本科生联合党支部", 2011, [_UNDERGRAD_ALL], (4, 7), joint=True,
               note="2011级新生党员人数少，暂按学院设联合党支部"),
        )),
    _GB("地球科学与测绘工程学院党委", "地球科学与测绘工程学院",
        (("地质", "地质工程", 2), ("测绘", "测绘工程", 2), ("勘查", "资源勘查工程", 2), ("地信", "地理信息系统", 1)),
        0.66, (
            _t("地质工程系教师党支部", "地质工程系", (20, 26)),
            _t("测绘工程系教师党支部", "测绘工程系", (18, 24)),
            _t("资源勘查工程系教师党支部", "资源勘查工程系", (12, 16)),
            _g("地球科学与测绘工程学院研究生第一党支部", "mixed", (26, 34)),
            _g("地球科学与测绘工程学院研究生第二党支部", "mixed", (24, 30)),
            _u("地质工程2008级本科生党支部", 2008, ["地质"], (16, 22)),
            _u("测绘工程2008级本科生党支部", 2008, ["测绘"], (16, 22)),
            _u("地球科学与测绘工程学院2009级本科生党支部", 2009, [_UNDERGRAD_ALL], (24, 30)),
            _u("地球科学与测绘工程学院2010级本科生党支部", 2010, [_UNDERGRAD_ALL], (12, 16)),
            _u("地质工程、资源勘查工程2011级本科生联合党支部", 2011, ["地质", "勘查"], (3, 5), joint=True,
               note="由地质工程、资源勘查工程专业2011级学生党员组成"),
        )),
    _GB("化学与环境工程学院党委", "化学与环境工程学院",
        (("化工", "化学工程与工艺", 2), ("环境", "环境工程", 2), ("材料", "材料科学与工程", 2), ("应化", "应用化学", 1)),
        0.58, (
            _t("化学工程系教师党支部", "化学工程系", (18, 24)),
            _t("环境工程系教师党支部", "环境工程系", (16, 22)),
            _t("材料科学与工程系教师党支部", "材料科学与工程系", (14, 18)),
            _t("化学与环境工程学院实验中心党支部", "化学与环境工程学院实验中心", (5, 7)),
            _g("化学与环境工程学院研究生党支部", "mixed", (52, 56),
               note="党员人数较多，拟按博士、硕士研究生拆分"),
            _u("化学工程与工艺2008级本科生党支部", 2008, ["化工"], (18, 24)),
            _u("环境工程2008级本科生党支部", 2008, ["环境"], (14, 18)),
            _u("化学与环境工程学院2009级本科生党支部", 2009, [_UNDERGRAD_ALL], (22, 28)),
            _u("化学与环境工程学院2010级本科生党支部", 2010, [_UNDERGRAD_ALL], (10, 14)),
            _u("化学与环境工程学院2011级本科生党支部", 2011, [_UNDERGRAD_ALL], (3, 5)),
        )),
    _GB("机电与信息工程学院党委", "机电与信息工程学院",
        (("机械", "机械工程及自动化", 3), ("电气", "电气工程及其自动化", 3), ("计算机", "计算机科学与技术", 3),
         ("电信", "电子信息工程", 2), ("自动化", "自动化", 2)),
        0.76, (
            _t("机械工程系教师党支部", "机械工程系", (22, 30)),
            _t("电气工程系教师党支部", "电气工程系", (18, 24)),
            _t("计算机科学与技术系教师党支部", "计算机科学与技术系", (20, 28)),
            _t("电子信息工程系教师党支部", "电子信息工程系", (14, 18), tags=("v1_former",),
               note="2011年11月原支部书记因违纪受到处分，免去支部书记职务，补选新任支部书记"),
            _t("自动化系教师党支部", "自动化系", (10, 14), elected=date(2009, 1, 12)),
            _g("机电与信息工程学院博士研究生党支部", "doctor", (12, 16)),
            _g("机械电子工程硕士研究生党支部", "master", (28, 36)),
            _g("计算机与信息工程硕士研究生党支部", "master", (30, 38)),
            _u("机械工程及自动化2008级本科生党支部", 2008, ["机械"], (22, 28)),
            _u("电气工程及其自动化2008级本科生党支部", 2008, ["电气"], (20, 26)),
            _u("计算机科学与技术2008级本科生党支部", 2008, ["计算机"], (18, 24)),
            _u("机电与信息工程学院2009级本科生第一党支部", 2009, ["机械", "电气"], (22, 28)),
            _u("机电与信息工程学院2009级本科生第二党支部", 2009, ["计算机", "电信", "自动化"], (20, 26)),
            _u("机电与信息工程学院2010级本科生党支部", 2010, [_UNDERGRAD_ALL], (14, 18)),
            _u("机电与信息工程学院2011级本科生党支部", 2011, [_UNDERGRAD_ALL], (4, 7)),
        )),
    _GB("力学与建筑工程学院党委", "力学与建筑工程学院",
        (("土木", "土木工程", 3), ("力学", "工程力学", 1), ("建筑", "建筑学", 1)),
        0.70, (
            _t("土木工程系教师党支部", "土木工程系", (20, 26)),
            _t("工程力学系教师党支部", "工程力学系", (12, 16)),
            _t("建筑学系教师党支部", "建筑学系", (6, 8)),
            _g("力学与建筑工程学院研究生党支部", "mixed", (28, 36)),
            _u("土木工程2008级本科生党支部", 2008, ["土木"], (20, 26)),
            _u("土木工程2009级本科生党支部", 2009, ["土木"], (16, 20)),
            _u("土木工程2010级本科生党支部", 2010, ["土木"], (8, 12)),
            _u("工程力学、建筑学2009级本科生联合党支部", 2009, ["力学", "建筑"], (8, 11), joint=True,
               note="由工程力学、建筑学专业2009级学生党员组成"),
        )),
    _GB("管理学院党委", "管理学院",
        (("工管", "工商管理", 2), ("会计", "会计学", 3), ("工程管理", "工程管理", 2), ("国贸", "国际经济与贸易", 2)),
        0.42, (
            _t("工商管理系教师党支部", "工商管理系", (16, 22)),
            _t("会计系教师党支部", "会计系", (14, 20)),
            _t("管理科学与工程系教师党支部", "管理科学与工程系", (16, 22)),
            _t("经济系教师党支部", "经济系", (10, 14)),
            _g("管理学院硕士研究生党支部", "master", (34, 42), tags=("new",),
               note="原支部书记2012年7月毕业，2012年2月改选支部书记"),
            _g("管理学院博士研究生党支部", "doctor", (4, 6)),
            _u("会计学2008级本科生党支部", 2008, ["会计"], (20, 26)),
            _u("工商管理2008级本科生党支部", 2008, ["工管"], (16, 22)),
            _u("管理学院2009级本科生党支部", 2009, [_UNDERGRAD_ALL], (50, 50)),
            _u("管理学院2010级本科生党支部", 2010, [_UNDERGRAD_ALL], (18, 24)),
            _u("管理学院2011级本科生党支部", 2011, [_UNDERGRAD_ALL], (5, 8)),
        )),
    _GB("文法学院党委", "文法学院",
        (("法学", "法学", 2), ("英语", "英语", 2), ("社工", "社会工作", 1)),
        0.38, (
            _t("法律系教师党支部", "法律系", (12, 16), tags=("v1_old",)),
            _t("外语系教师党支部", "外语系", (16, 22)),
            _t("社会学系教师党支部", "社会学系", (8, 12)),
            _t("思想政治理论课教学部教师党支部", "思想政治理论课教学部", (14, 18)),
            _g("文法学院研究生党支部", "mixed", (22, 28)),
            _u("法学2008级本科生党支部", 2008, ["法学"], (14, 20)),
            _u("英语2008级本科生党支部", 2008, ["英语"], (14, 20)),
            _u("文法学院2009级本科生党支部", 2009, [_UNDERGRAD_ALL], (26, 32)),
            _u("文法学院2010级本科生党支部", 2010, [_UNDERGRAD_ALL], (14, 18)),
        )),
    _GB("理学院党委", "理学院",
        (("数学", "数学与应用数学", 2), ("信计", "信息与计算科学", 2), ("物理", "应用物理学", 1)),
        0.60, (
            _t("数学系教师党支部", "数学系", (18, 24), tags=("former_old",)),
            _t("物理系教师党支部", "物理系", (14, 18), elected=date(2007, 11, 15)),
            _t("信息与计算科学系教师党支部", "信息与计算科学系", (8, 12)),
            _g("理学院研究生党支部", "mixed", (18, 24)),
            _u("理学院2008级本科生党支部", 2008, [_UNDERGRAD_ALL], (18, 24)),
            _u("理学院2009级本科生党支部", 2009, [_UNDERGRAD_ALL], (14, 18)),
            _u("理学院2010级本科生党支部", 2010, [_UNDERGRAD_ALL], (8, 12)),
        )),
    _GB("机关党委", "", (), 0.5, (
        _a("党政办公室党支部", ["党委办公室", "校长办公室"], (14, 18)),
        _a("组织部党支部", ["党委组织部", "党校办公室"], (6, 9)),
        _a("宣传部党支部", ["党委宣传部", "新闻中心"], (6, 9)),
        _a("学生工作部（处）党支部", ["学生工作部", "学生工作处", "校团委"], (10, 14)),
        _a("人事处党支部", ["人事处"], (8, 11), tags=("new",),
           note="原支部书记2011年12月调任其他单位，2012年1月补选支部书记"),
        _a("教务处党支部", ["教务处", "教学评估中心"], (12, 16)),
        _a("科技处党支部", ["科技处", "学科建设办公室"], (8, 10), elected=date(2008, 3, 5)),
        _a("研究生院党支部", ["研究生院"], (8, 12)),
        _a("财务处、审计处联合党支部", ["财务处", "审计处"], (8, 10), joint=True, tags=("h1",),
           note="由财务处、审计处党员组成"),
        _a("纪委办公室、监察处联合党支部", ["纪委办公室", "监察处"], (4, 4), joint=True,
           note="由纪委办公室、监察处党员组成"),
        _s("图书馆党支部", ["图书馆"], (18, 24), tags=("new",),
           note="原支部书记2011年10月岗位调整，补选新任支部书记"),
        _s("后勤服务中心第一党支部", ["后勤服务中心饮食服务部", "后勤服务中心物业管理部"], (14, 20)),
        _s("后勤服务中心第二党支部", ["后勤服务中心公寓管理部", "后勤服务中心动力运行部"], (12, 16),
           tags=("v3_some",)),
        _s("网络与信息中心党支部", ["网络与信息中心"], (8, 12), elected=date(2007, 9, 10),
           exemption="支部书记2010年9月起赴英国访学一年，经机关党委批准推迟至2012年6月换届"),
        _s("校医院党支部", ["校医院"], (6, 8), tags=("v3_none",)),
    )),
    _GB("离退休党总支", "", (), 0.65, (
        _r("离退休第一党支部", (58, 64), note="党员人数较多，拟按原工作单位拆分"),
        _r("离退休第二党支部", (30, 38), tags=("former_old",)),
        _r("离退休第三党支部", (24, 30), elected=date(2006, 12, 20)),
        _r("离退休第四党支部", (5, 7), tags=("v3_some",)),
        _r("离退休第五党支部", (18, 24)),
    )),
)

RETIRED_UNITS = ("原采矿系", "原地质系", "原机电系", "原化工系", "原管理系", "原基础部", "原学校机关",
                 "原后勤处", "原图书馆")

# Secretary changes: branch name -> the day the present secretary took office; the
# predecessor left the day before and stays on the roster.
TRANSITIONS = {
    "电子信息工程系教师党支部": date(2011, 11, 21),
    "人事处党支部": date(2012, 1, 5),
    "图书馆党支部": date(2011, 10, 20),
    "管理学院硕士研究生党支部": date(2012, 2, 27),
    "数学系教师党支部": date(2009, 12, 11),
    "离退休第二党支部": date(2010, 5, 21),
}
# New secretaries who already had their appointment training (任职培训), and when.
APPOINTMENT_TRAINED = {
    "电子信息工程系教师党支部": date(2012, 3, 16),
    "图书馆党支部": date(2011, 12, 9),
}

VIOLATIONS = {
    "v1": (date(2011, 6, 20), "违反财经纪律，违规报销、挪用科研经费，受到党内严重警告处分"),
    "v1_former": (date(2011, 9, 8), "违反招生考试工作纪律，为考生违规提供帮助，受到撤销党内职务处分"),
    "v1_old": (date(2009, 11, 5), "违反工作纪律，擅自更改学生考试成绩，受到党内警告处分"),
}


# --------------------------------------------------------------------------- helpers

def _rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A day in [lo, hi]."""
    if hi < lo:
        hi = lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def _date_in_year(rng: random.Random, year: int, lo: date | None = None, hi: date | None = None) -> date:
    start, end = date(year, 1, 1), date(year, 12, 31)
    if lo is not None and lo > start:
        start = lo
    if hi is not None and hi < end:
        end = hi
    return _rand_date(rng, start, end)


def _tri_year(rng: random.Random, lo: int, hi: int, mode: int) -> int:
    return min(hi, max(lo, int(rng.triangular(lo, hi + 1, mode))))


def _half(x: float) -> float:
    """Round to half hours."""
    return round(x * 2) / 2


# Party development happens in batches: spring (Apr-Jun) and autumn (Oct-Dec).
def _window(year: int, season: str) -> tuple[date, date]:
    if season == "spring":
        return date(year, 4, 15), date(year, 6, 20)
    if season == "autumn":
        return date(year, 10, 15), date(year, 12, 20)
    return date(year, 3, 1), date(year, 3, 30)          # "march" (2012 only)


UNDERGRAD_JOIN = {
    2008: (((2009, "spring"), 10), ((2009, "autumn"), 20), ((2010, "spring"), 28), ((2010, "autumn"), 24),
           ((2011, "spring"), 12), ((2011, "autumn"), 6)),
    2009: (((2010, "spring"), 6), ((2010, "autumn"), 18), ((2011, "spring"), 30), ((2011, "autumn"), 36),
           ((2012, "march"), 10)),
    2010: (((2011, "spring"), 35), ((2011, "autumn"), 50), ((2012, "march"), 15)),
}


class _Builder:
    """Holds the random stream and the growing lists; one instance per build."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.staff_seq: dict[int, int] = {}
        self.class_codes: dict[tuple[int, int], dict[str, int]] = {}
        self.class_seq: dict[tuple[int, int, int], int] = {}
        self.general_branches: list[GeneralBranchData] = []
        self.branches: list[BranchData] = []
        self.specs: dict[str, _Spec] = {}               # branch code -> spec
        self.gb_of_spec: dict[str, _GB] = {}            # branch code -> gb spec
        self.rosters: dict[str, list[MemberData]] = {}  # branch code -> members
        self.counselors: dict[str, str] = {}            # branch code -> counselor member number
        self.secretaries: list[SecretaryData] = []
        self.cadres: list[ContactCadreData] = []
        self.activities: list[ActivityData] = []
        self.trainings: list[TrainingData] = []
        self.fundings: list[FundingData] = []
        self.users: list[UserData] = []

    # ---------------------------------------------------------------- numbers / people

    def staff_number(self, year: int) -> str:
        nxt = self.staff_seq.get(year, 0) + self.rng.randint(1, 6)
        self.staff_seq[year] = nxt
        return f"T{year}{nxt:04d}"

    def student_number(self, college: int, grade: int, group: str, grad: bool) -> str:
        codes = self.class_codes.setdefault((college, grade), {})
        if group not in codes:
            same_kind = sum(1 for c in codes.values() if (c >= 51) == grad)
            codes[group] = (51 if grad else 1) + same_kind
        code = codes[group]
        key = (college, grade, code)
        nxt = self.class_seq.get(key, 0) + self.rng.randint(1, 2)
        if nxt > 99:                      # never happens with the sizes above; stay unique anyway
            nxt = self.class_seq.get(key, 0) + 1
        assert nxt <= 99, "class sequence overflow"
        self.class_seq[key] = nxt
        return f"{grade}{college:02d}{code:02d}{nxt:02d}"

    def person(self, number, gender, era, joined_on, unit, branch, backbone=False) -> MemberData:
        mtype = "probationary" if joined_on > PROBATION_CUTOFF else "formal"
        return MemberData(number=number, name=make_name(self.rng, gender, era), gender=gender,
                          member_type=mtype, joined_on=joined_on, unit=unit,
                          is_teacher_backbone=backbone, branch=branch)

    def gender(self, male_share: float) -> str:
        return "M" if self.rng.random() < male_share else "F"

    # ---------------------------------------------------------------- organization

    def build_orgs(self) -> None:
        rng = self.rng
        phones = rng.sample(range(1000, 10000), len(GENERAL_BRANCHES))
        for gi, gb in enumerate(GENERAL_BRANCHES, start=1):
            gcode = f"gb{gi:02d}"
            self.general_branches.append(GeneralBranchData(code=gcode, name=gb.name, phone=f"010-6233{phones[gi - 1]}"))
            teachers: list[MemberData] = []          # advisors for graduate research groups
            for bi, spec in enumerate(gb.specs, start=1):
                code = f"{gcode}-b{bi:02d}"
                founded, elected = self.branch_dates(spec)
                self.specs[code] = spec
                self.gb_of_spec[code] = gb
                roster = self.roster(code, gi, gb, spec, teachers)
                self.rosters[code] = roster
                if spec.category == "teacher":
                    teachers.extend(roster)
                self.branches.append(BranchData(
                    code=code, general_branch=gcode, name=spec.name, category=spec.category,
                    is_joint=spec.joint, founded_on=founded, elected_on=elected, term_years=3,
                    note=spec.note, election_exemption=spec.exemption,
                ))

    def branch_dates(self, spec: _Spec) -> tuple[date, date]:
        rng = self.rng
        normal_elected = (date(2009, 6, 1), date(2011, 9, 30))
        cat = spec.category
        if cat == "teacher":
            founded = _rand_date(rng, date(1988, 1, 1), date(2004, 12, 31))
            elected = _rand_date(rng, *normal_elected)
        elif cat in ("admin", "service"):
            founded = _rand_date(rng, date(1990, 1, 1), date(2006, 12, 31))
            elected = _rand_date(rng, *normal_elected)
        elif cat == "retired":
            founded = _rand_date(rng, date(1996, 1, 1), date(2005, 12, 31))
            elected = _rand_date(rng, *normal_elected)
        elif cat == "graduate":
            founded = _rand_date(rng, date(2000, 1, 1), date(2008, 12, 31))
            elected = _rand_date(rng, date(2010, 10, 1), date(2011, 9, 30))
        else:  # undergraduate
            if spec.grade >= 2011:
                founded = _rand_date(rng, date(2011, 11, 1), date(2011, 11, 20))
                elected = founded
            else:
                founded = _rand_date(rng, date(spec.grade + 1, 3, 1), date(spec.grade + 1, 5, 31))
                elected = _rand_date(rng, max(founded, date(2010, 10, 1)), date(2011, 9, 30))
        if spec.elected is not None:
            elected = spec.elected
        return min(founded, elected), elected

    # ---------------------------------------------------------------- rosters

    def roster(self, code: str, gi: int, gb: _GB, spec: _Spec, teachers: list[MemberData]) -> list[MemberData]:
        rng = self.rng
        size = rng.randint(*spec.size)
        cat = spec.category
        out: list[MemberData] = []
        # A counselor (辅导员) sits in some student branches and counts in the size.
        with_counselor = cat in STUDENT_CATEGORIES and (spec.grade >= 2010 or rng.random() < 0.2)
        if with_counselor:
            size -= 1
        if cat == "teacher":
            dept = spec.units[0]
            units = [dept] if not dept.endswith("系") and not dept.endswith("部") else [
                dept, dept, dept, f"{dept}第一教研室", f"{dept}第二教研室", f"{dept}实验室"]
            for _ in range(size):
                year = _tri_year(rng, 1980, 2010, 2002)
                joined = _date_in_year(rng, year, hi=date(2010, 12, 20))
                hire = min(2011, max(1978, year + rng.randint(-4, 6)))
                era = "young" if year >= 2002 and rng.random() < 0.7 else "mid"
                out.append(self.person(self.staff_number(hire), self.gender(min(0.85, gb.male + 0.02)), era,
                                       joined, rng.choice(units), code, backbone=rng.random() < 0.35))
        elif cat in ("admin", "service"):
            hi = date(2010, 12, 20) if cat == "admin" else date(2011, 9, 30)
            n_units = len(spec.units)
            for i in range(size):
                year = _tri_year(rng, 1982, hi.year, 2000)
                joined = _date_in_year(rng, year, hi=hi)
                hire = min(2011, max(1980, year + rng.randint(-3, 8)))
                era = "mid" if year < 2000 or rng.random() < 0.4 else "young"
                if spec.joint and "h1" in spec.tags:
                    unit = spec.units[0] if i < 4 else rng.choice(spec.units)
                elif spec.joint:
                    unit = spec.units[i % n_units]
                else:
                    unit = rng.choice(spec.units)
                out.append(self.person(self.staff_number(hire), self.gender(0.5), era, joined, unit, code))
        elif cat == "retired":
            for _ in range(size):
                year = _tri_year(rng, 1955, 1988, 1972)
                joined = _date_in_year(rng, year)
                hire = min(1990, max(1952, year + rng.randint(-5, 5)))
                era = "mid" if year > 1980 and rng.random() < 0.5 else "old"
                out.append(self.person(self.staff_number(hire), self.gender(gb.male), era, joined,
                                       rng.choice(RETIRED_UNITS), code))
        elif cat == "graduate":
            advisors = [m.name for m in teachers if m.is_teacher_backbone] or [m.name for m in teachers]
            for _ in range(size):
                degree = spec.degree if spec.degree != "mixed" else ("master" if rng.random() < 0.75 else "doctor")
                if degree == "master":
                    grade = rng.choice((2009, 2010, 2010, 2011, 2011))
                    joined = _rand_date(rng, date(grade - 3, 4, 15), min(date(grade, 12, 20), date(2011, 12, 20)))
                else:
                    grade = rng.choice((2008, 2009, 2010, 2011))
                    joined = _rand_date(rng, date(grade - 5, 4, 15), date(grade - 1, 12, 20))
                unit = f"{rng.choice(advisors)}课题组" if advisors else f"{gb.college}研究生"
                number = self.student_number(gi, grade, f"{spec.name}/{degree}", grad=True)
                out.append(self.person(number, self.gender(gb.male - 0.06), "young", joined, unit, code))
        else:  # undergraduate
            majors = gb.majors if spec.majors == (_UNDERGRAD_ALL,) else [m for m in gb.majors if m[0] in spec.majors]
            classes = [f"{short}{spec.grade % 100:02d}-{k}班" for short, _, n in majors for k in range(1, n + 1)]
            for _ in range(size):
                if spec.grade >= 2011:
                    joined = (_rand_date(rng, date(2011, 12, 1), date(2011, 12, 20)) if rng.random() < 0.7
                              else _rand_date(rng, date(2012, 3, 1), date(2012, 3, 30)))
                else:
                    windows = UNDERGRAD_JOIN[spec.grade]
                    (year, season), = rng.choices([w for w, _ in windows], weights=[x for _, x in windows], k=1)
                    joined = _rand_date(rng, *_window(year, season))
                klass = rng.choice(classes)
                number = self.student_number(gi, spec.grade, klass, grad=False)
                out.append(self.person(number, self.gender(gb.male), "young", joined, klass, code))
        if cat in STUDENT_CATEGORIES:
            if with_counselor or not any(m.member_type == "formal" for m in out):
                office = "研究生工作办公室" if cat == "graduate" else "学生工作办公室"
                year = rng.randint(2002, 2009)
                counselor = self.person(self.staff_number(rng.randint(max(2006, year), 2011)), self.gender(0.5),
                                        "young", _date_in_year(rng, year), f"{gb.college}{office}", code)
                out.append(counselor)
                self.counselors[code] = counselor.number
        if spec.joint and "h1" not in spec.tags:
            out = self.cap_joint_units(out)
        return out

    def cap_joint_units(self, roster: list[MemberData]) -> list[MemberData]:
        """Outside the H1 example no unit of a joint branch holds 3 formal members."""
        seen: dict[str, int] = {}
        fixed = []
        for m in roster:
            if m.member_type == "formal":
                seen[m.unit] = seen.get(m.unit, 0) + 1
                if seen[m.unit] > 2:
                    m = replace(m, member_type="probationary",
                                joined_on=_rand_date(self.rng, date(2011, 4, 15), date(2011, 12, 20)))
            fixed.append(m)
        return fixed

    # ---------------------------------------------------------------- secretaries

    def build_secretaries(self) -> None:
        rng = self.rng
        teacher_codes = [b.code for b in self.branches if b.category == "teacher"]
        n = len(teacher_codes)
        high = math.ceil(0.8 * n) - 1              # just under 80 % at 副高 or above
        low_codes = rng.sample(teacher_codes, n - high)
        for b in self.branches:
            spec = self.specs[b.code]
            roster = self.rosters[b.code]
            counselor = self.counselors.get(b.code)
            formal = [m for m in roster if m.member_type == "formal" and m.number != counselor]
            if b.category == "teacher":
                pool = [m for m in formal if m.joined_on.year <= 2006] or formal
            else:
                pool = formal or roster
            if counselor is not None and (spec.grade >= 2010 or not formal):
                current = next(m for m in roster if m.number == counselor)
            else:
                current = rng.choice(pool)

            def rank(for_current: bool) -> str:
                if b.category == "teacher":
                    if for_current and b.code in low_codes:
                        return rng.choice(("intermediate", "intermediate", "intermediate", "junior"))
                    return rng.choices(("senior", "associate"), weights=(4, 6))[0]
                if b.category in STUDENT_CATEGORIES:
                    return "junior" if (for_current and current.number == counselor) else "none"
                if b.category == "admin":
                    return rng.choices(("senior", "associate", "intermediate", "junior"), weights=(1, 4, 4, 1))[0]
                if b.category == "service":
                    return rng.choices(("associate", "intermediate", "junior", "none"), weights=(15, 45, 25, 15))[0]
                return rng.choices(("senior", "associate", "intermediate"), weights=(40, 45, 15))[0]

            if b.name in TRANSITIONS:
                appointed = TRANSITIONS[b.name]
                others = [m for m in pool if m.number != current.number] or \
                         [m for m in roster if m.number != current.number]
                former = rng.choice(others)
                former_start = _rand_date(rng, b.founded_on, max(b.founded_on, appointed - timedelta(days=3 * 365)))
                violations = (VIOLATIONS["v1_former"],) if "v1_former" in spec.tags else ()
                self.secretaries.append(SecretaryData(
                    member_number=former.number, branch=b.code, appointed_on=former_start,
                    left_on=appointed - timedelta(days=1), title_rank=rank(False), violations=violations))
            elif b.category in STUDENT_CATEGORIES or rng.random() < 0.7:
                appointed = b.elected_on
            else:
                appointed = _rand_date(rng, max(b.founded_on, b.elected_on - timedelta(days=6 * 365)),
                                       b.elected_on - timedelta(days=30))
                appointed = max(appointed, b.founded_on)
            violations = ()
            if "v1" in spec.tags:
                violations = (VIOLATIONS["v1"],)
            elif "v1_old" in spec.tags:
                violations = (VIOLATIONS["v1_old"],)
            self.secretaries.append(SecretaryData(
                member_number=current.number, branch=b.code, appointed_on=appointed, left_on=None,
                title_rank=rank(True), violations=violations))

    # ---------------------------------------------------------------- contact cadres

    def build_cadres(self) -> None:
        rng = self.rng
        by_gb: dict[str, list[BranchData]] = {}
        for b in self.branches:
            by_gb.setdefault(b.general_branch, []).append(b)
        covered: set[str] = set()
        school_gbs = [g.code for g, spec in zip(self.general_branches, GENERAL_BRANCHES) if spec.college]
        leader_gbs = rng.sample(school_gbs, 4)
        leaders: list[ContactCadreData] = []
        taken_names: set[str] = set()

        def pick_uncovered(candidates: list[BranchData], k: int) -> list[str]:
            order = [b for b in candidates if b.code not in covered] + [b for b in candidates if b.code in covered]
            chosen = [b.code for b in order[:k]]
            covered.update(chosen)
            return chosen

        for gb_data, gb in zip(self.general_branches, GENERAL_BRANCHES):
            gcode = gb_data.code
            branches = list(by_gb[gcode])
            rng.shuffle(branches)
            students = [b for b in branches if b.category in STUDENT_CATEGORIES]
            people = [m for b in by_gb[gcode] if b.category in ("teacher", "admin")
                      for m in self.rosters[b.code] if m.member_type == "formal"]
            if gb.college:
                n = rng.randint(3, 4) if gcode in leader_gbs else rng.randint(3, 5)
                roles = ["dept_leader"] + ["gb_committee"] * (n - 1)
                committee_posts = rng.sample(["学院党委委员（组织委员）", "学院党委委员（宣传委员）",
                                              "学院党委委员（纪检委员）", "学院党委委员（学生工作）",
                                              "学院党委委员（青年委员）"], n - 1)
                positions = [rng.choice(["学院党委副书记", "学院党委书记", "副院长"])] + committee_posts
            elif gb.name.startswith("机关"):
                roles = ["dept_leader", "gb_committee", "office_cadre", "office_cadre"]
                positions = ["机关党委书记", "机关党委委员", rng.choice(["党委组织部副部长", "党委宣传部副部长"]),
                             rng.choice(["人事处副处长", "财务处副处长", "教务处副处长"])]
            else:
                roles = ["office_cadre", "gb_committee", "gb_committee"]
                positions = ["离退休工作处处长", "离退休党总支书记", "离退休党总支委员"]
            made: list[tuple[str, str, str, list[str]]] = []
            for i, (level, position) in enumerate(zip(roles, positions)):
                if people:
                    name = rng.choice(people).name
                    while name in taken_names:
                        name = rng.choice(people).name
                else:
                    name = make_name(rng, self.gender(0.6), "mid")
                taken_names.add(name)
                if students:
                    first = students[i % len(students)]     # H9: each contacts a student branch
                    links = [first.code]
                    covered.add(first.code)
                    rest = [b for b in branches if b.code != first.code]
                    links += pick_uncovered(rest, rng.randint(0, 2))
                else:
                    links = pick_uncovered(branches, rng.randint(1, 3))
                made.append((name, position, level, links))
            # Fill gaps while someone has room (<= 3 branches each); what is left stays
            # without a contact person, which the H9 check should find.
            for b in branches:
                if b.code in covered:
                    continue
                room = [links for *_, links in made if len(links) < 3]
                if room:
                    room[0].append(b.code)
                    covered.add(b.code)
            for name, position, level, links in made:
                self.cadres.append(ContactCadreData(name=name, position=position, level=level,
                                                    general_branch=gcode, branch_codes=tuple(links)))

        leader_posts = ["党委书记", "校长", "党委副书记", "副校长"]
        all_uncovered = [b for b in self.branches if b.code not in covered]
        for post, chief in zip(leader_posts, leader_gbs):
            chief_students = [b for b in by_gb[chief] if b.category in STUDENT_CATEGORIES]
            links = pick_uncovered(chief_students, 1)
            elsewhere = [b for b in all_uncovered if b.general_branch != chief and b.code not in covered]
            if not elsewhere:
                elsewhere = [b for b in self.branches if b.general_branch != chief]
            links += pick_uncovered(elsewhere, rng.randint(1, 2))
            name = make_name(rng, self.gender(0.8), "mid")
            leaders.append(ContactCadreData(name=name, position=post, level="school_leader",
                                            general_branch=chief, branch_codes=tuple(links)))
        self.cadres.extend(leaders)

    # ---------------------------------------------------------------- activities

    def build_activities(self) -> None:
        rng = self.rng
        months = [(2011, m) for m in range(3, 13)] + [(2012, m) for m in range(1, 5)]
        eligible = [b.code for b in self.branches
                    if not {"v3_some", "v3_none"} & set(self.specs[b.code].tags)]
        irregular = set(rng.sample(eligible, 9))
        no_life = set(rng.sample(eligible, 6))
        for b in self.branches:
            spec = self.specs[b.code]
            size = len(self.rosters[b.code])
            student = b.category in STUDENT_CATEGORIES
            skip: set[tuple[int, int]] = set()
            if b.code in irregular:
                skip = set(rng.sample(months[1:-1], rng.randint(2, 4)))
            rows: list[ActivityData] = []
            for (y, m) in months:
                if "v3_none" in spec.tags:
                    break
                if "v3_some" in spec.tags and (y, m) != (2011, 3):
                    continue
                if (y, m) in skip:
                    continue
                if date(y, m, 28) < b.founded_on:
                    continue
                hi_day = 9 if (y, m) == (2012, 4) else 28
                lo_day = b.founded_on.day if (y, m) == (b.founded_on.year, b.founded_on.month) else 1

                def day() -> date:
                    return date(y, m, rng.randint(min(lo_day, hi_day), hi_day))

                for _ in range(1 + (rng.random() < 0.35)):
                    kind, title = self.main_activity(b, y, m)
                    rows.append(ActivityData(b.code, day(), kind, title, self.attendance(kind, size, b.category)))
                if size >= 7 and rng.random() < 0.7:
                    title = rng.choice(COMMITTEE_TITLES).format(month=MONTH_CN[m])
                    rows.append(ActivityData(b.code, day(), "committee_meeting", title,
                                             self.attendance("committee_meeting", size, b.category)))
                if student and (y, m) in ((2011, 5), (2011, 11), (2012, 3)) and rng.random() < 0.6:
                    rows.append(ActivityData(b.code, day(), "general_meeting",
                                             rng.choice(("讨论接收预备党员", "讨论预备党员按期转正")),
                                             self.attendance("general_meeting", size, b.category)))
            active = "v3_some" not in spec.tags and "v3_none" not in spec.tags
            if active and b.code not in no_life:
                d = _rand_date(rng, max(date(2011, 12, 10), b.founded_on), date(2012, 1, 15))
                rows.append(ActivityData(b.code, d, "life_meeting", "2011年度组织生活会暨党员党性分析",
                                         self.attendance("life_meeting", size, b.category)))
                r = rng.random()
                if r < 0.75:
                    rows.append(ActivityData(b.code, d + timedelta(days=rng.randint(0, 3)), "appraisal",
                                             "2011年度民主评议党员", self.attendance("appraisal", size, b.category)))
                elif r < 0.9 and b.founded_on < date(2011, 5, 1):
                    rows.append(ActivityData(b.code, _rand_date(rng, date(2011, 5, 10), date(2011, 6, 28)),
                                             "appraisal", "民主评议党员（2010-2011学年）",
                                             self.attendance("appraisal", size, b.category)))
            rows.sort(key=lambda a: (a.date, ACTIVITY_KINDS.index(a.kind), a.title))
            self.activities.extend(rows)

    def main_activity(self, b: BranchData, y: int, m: int) -> tuple[str, str]:
        rng = self.rng
        kinds = ("general_meeting", "theme_day", "party_lecture", "group_meeting")
        weights = (3, 3, 2, 2) if b.category != "retired" else (4, 2, 2, 1)
        kind = rng.choices(kinds, weights=weights)[0]
        themes = MONTH_THEMES[(y, m)] + CATEGORY_THEMES[b.category]
        theme = rng.choice(themes)
        if kind == "party_lecture":
            return kind, f"党课：{theme}"
        if kind == "group_meeting":
            return kind, f"党小组学习：{theme}"
        if kind == "theme_day" and "主题党日" not in theme:
            return kind, f"主题党日：{theme}"
        return kind, theme

    def attendance(self, kind: str, size: int, category: str) -> int:
        rng = self.rng
        if kind == "committee_meeting":
            members = 3 if size < 20 else (5 if size < 50 else 7)
            return max(1, members - (rng.random() < 0.3))
        if kind == "group_meeting":
            return max(2, min(size, round(size / rng.choice((2, 3, 4)) * rng.uniform(0.8, 1.0))))
        lo, hi = (0.5, 0.85) if category == "retired" else (0.72, 1.0)
        if kind in ("life_meeting", "appraisal"):
            lo, hi = lo + 0.1, 1.0
        return max(1, min(size, round(size * rng.uniform(lo, hi))))

    # ---------------------------------------------------------------- training

    def build_trainings(self) -> None:
        rng = self.rng
        current = {s.member_number: s for s in self.secretaries if s.left_on is None}
        new_cutoff = AS_OF - timedelta(days=183)
        for b in self.branches:
            gb_name = next(g.name for g in self.general_branches if g.code == b.general_branch)
            counselor = self.counselors.get(b.code)
            for m in self.rosters[b.code]:
                sec = current.get(m.number)
                kind = b.category
                if m.number == counselor:
                    kind = "admin"
                records: list[TrainingData] = []
                if sec is not None and sec.appointed_on <= new_cutoff:
                    total = _half(rng.uniform(30, 39.5) if rng.random() < 0.25 else rng.uniform(40, 60))
                    records += self.compose(m, total, kind, gb_name, secretary=True)
                    if rng.random() < 0.7:
                        records.append(TrainingData(m.number, _rand_date(rng, date(2012, 3, 12), date(2012, 3, 30)),
                                                    8.0, False, "基层组织建设年党支部书记专题培训", "党委组织部"))
                else:
                    if rng.random() < 0.05 and sec is None:
                        continue              # a few members with no record at all
                    lo, hi, = {"teacher": (10, 30), "undergraduate": (8, 20), "graduate": (8, 20),
                               "admin": (8, 24), "service": (8, 24), "retired": (0, 10)}[kind]
                    total = _half(rng.uniform(lo, hi))
                    if kind == "retired" and total < 2:
                        continue
                    records += self.compose(m, total, kind, gb_name, secretary=False)
                    if sec is not None and b.name in APPOINTMENT_TRAINED:
                        records.append(TrainingData(m.number, APPOINTMENT_TRAINED[b.name], 16.0, False,
                                                    "新任党支部书记任职培训", "党委组织部"))
                    elif sec is not None and b.name not in TRANSITIONS and rng.random() < 0.5:
                        records.append(TrainingData(m.number, _rand_date(rng, date(2012, 3, 12), date(2012, 3, 30)),
                                                    16.0, False, "新任党支部书记任职培训", "党委组织部"))
                    if kind in ("teacher", "admin") and rng.random() < 0.3:
                        records.append(TrainingData(m.number, _rand_date(rng, date(2012, 1, 5), date(2012, 4, 6)),
                                                    float(rng.choice((2, 3, 4))), True,
                                                    "北京高校教师党员在线学习平台：" + rng.choice(ONLINE_COURSES),
                                                    "中共北京市委教育工委"))
                records.sort(key=lambda t: (t.date, t.topic))
                self.trainings.extend(records)

    def compose(self, m: MemberData, total: float, kind: str, gb_name: str, secretary: bool) -> list[TrainingData]:
        """Training records of 2011 summing exactly to `total` hours."""
        rng = self.rng
        if kind == "retired":
            share = 0.0
        elif kind in STUDENT_CATEGORIES:
            share = rng.choice((0.0, 0.0, 0.1, 0.2))
        else:
            share = rng.uniform(0.25, 0.65) if not secretary else rng.uniform(0.1, 0.3)
        online_total = _half(total * share)
        offline_total = total - online_total
        menu = list(OFFLINE_MENU[kind])
        if secretary:
            menu = list(SECRETARY_MENU) + menu
        rng.shuffle(menu)
        earliest = date(2011, 1, 4)
        if kind in STUDENT_CATEGORIES and m.number[:4].isdigit():
            earliest = max(earliest, date(int(m.number[:4]), 9, 10))    # not before enrolment
        out: list[TrainingData] = []
        left = offline_total
        for topic, organizer, month, hours in menu:
            if hours <= left and earliest <= date(2011, month, 28):
                d = _rand_date(rng, max(earliest, date(2011, month, 1)), date(2011, month, 28))
                out.append(TrainingData(m.number, d, float(hours), False, topic, organizer.replace("{gb}", gb_name)))
                left -= hours
        if left > 0:
            out.append(TrainingData(m.number, _rand_date(rng, max(earliest, date(2011, 9, 1)), date(2011, 12, 28)),
                                    float(left), False, "支部集中学习：学习贯彻十七届六中全会精神", gb_name))
        left = online_total
        platform = ("北京高校教师党员在线学习平台：" if kind not in STUDENT_CATEGORIES else "大学生党员网上党校：")
        while left > 0:
            h = min(left, float(rng.choice((2, 3, 4, 6))))
            out.append(TrainingData(m.number, _rand_date(rng, earliest, date(2011, 12, 28)), h, True,
                                    platform + rng.choice(ONLINE_COURSES), "中共北京市委教育工委"))
            left -= h
        return out

    # ---------------------------------------------------------------- funding / users

    def build_fundings(self) -> None:
        rng = self.rng
        codes = [b.code for b in self.branches]
        low_activity = set(rng.sample(codes, 5))
        low_training = set(rng.sample(codes, 3))
        for b in self.branches:
            n = len(self.rosters[b.code])
            for year in (2011, 2012):
                def amount(low: bool) -> int:
                    if low:
                        return int(n * rng.uniform(55, 95) // 10 * 10)
                    return max(300, math.ceil(n * rng.uniform(100, 220) / 10) * 10)
                low_a = b.code in low_activity and (year == 2011 or rng.random() < 0.5)
                low_t = b.code in low_training and year == 2011
                self.fundings.append(FundingData(b.code, year, amount(low_a), amount(low_t)))

    def build_users(self) -> None:
        self.users.append(UserData("committee", "committee", "committee", "committee"))
        for g in self.general_branches:
            self.users.append(UserData(g.code, "general_branch", "general_branch", g.code))
        for b in self.branches:
            self.users.append(UserData(b.code, "branch", "branch", b.code))


# --------------------------------------------------------------------------- texts

MONTH_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
            11: "十一", 12: "十二"}

MONTH_THEMES: dict[tuple[int, int], list[str]] = {
    (2011, 3): ["学习全国两会精神", "学雷锋主题党日", "创先争优活动年度工作部署"],
    (2011, 4): ["清明节缅怀革命先烈主题党日", "学习《中国共产党历史》第二卷", "创先争优公开承诺践诺交流"],
    (2011, 5): ["纪念建党90周年党史知识学习", "“唱红歌、颂党恩”主题党日", "学习党员发展工作细则"],
    (2011, 6): ["庆祝中国共产党成立90周年主题党日", "观看影片《建党伟业》", "重温入党誓词"],
    (2011, 7): ["学习胡锦涛同志“七一”重要讲话精神", "创先争优暑期党员先锋岗动员"],
    (2011, 8): ["学习胡锦涛同志“七一”重要讲话精神", "暑期社会实践交流"],
    (2011, 9): ["新学期支部工作计划讨论", "迎新工作中发挥党员先锋模范作用", "师德师风建设专题学习"],
    (2011, 10): ["纪念辛亥革命100周年专题学习", "学习十七届六中全会公报"],
    (2011, 11): ["学习贯彻十七届六中全会精神", "推动社会主义文化大发展大繁荣专题学习", "创先争优主题党日"],
    (2011, 12): ["学习中央经济工作会议精神", "支部年度工作总结"],
    (2012, 1): ["学习十七届中央纪委七次全会精神", "寒假前安全稳定教育"],
    (2012, 2): ["新学期工作部署", "学习贯彻十七届六中全会精神（二）"],
    (2012, 3): ["学习全国两会精神", "学雷锋主题党日", "基层组织建设年动员部署"],
    (2012, 4): ["创先争优迎十八大主题党日", "党支部分类定级自查自评"],
}

CATEGORY_THEMES: dict[str, list[str]] = {
    "teacher": ["党建与教学科研工作结合研讨", "学习《高等学校教师职业道德规范》"],
    "undergraduate": ["“党员身边无违纪”考风考纪承诺", "党员与困难同学结对帮扶", "“红色1+1”共建活动"],
    "graduate": ["学术道德与学风建设专题学习", "研究生党员科研经验交流"],
    "admin": ["机关作风建设专题学习", "服务师生满意度大讨论"],
    "service": ["“服务育人”岗位建功交流", "后勤服务规范学习"],
    "retired": ["形势政策报告会", "老党员座谈会：忆党史、话发展"],
}

COMMITTEE_TITLES = (
    "研究{month}月份支部工作", "讨论发展对象和入党积极分子培养", "研究党员教育培训计划",
    "研究创先争优活动安排", "研究支部考评和民主评议党员工作", "讨论支部活动经费使用",
)

ONLINE_COURSES = (
    "科学发展观专题", "十七届六中全会精神解读", "中国共产党90年历史回顾", "高校师德建设",
    "社会主义核心价值体系", "党员先进性教育", "廉政文化建设",
)

# (topic, organizer, month, hours); "{gb}" becomes the general branch's name.
SECRETARY_MENU = (
    ("党支部书记培训班", "党委组织部", 7, 16),
    ("党支部书记集中培训", "{gb}", 9, 8),
    ("学习贯彻十七届六中全会精神专题培训", "党委组织部", 11, 8),
    ("党支部书记外出学习考察（西柏坡）", "{gb}", 5, 16),
    ("北京高校优秀党支部书记示范培训班", "中共北京市委教育工委", 10, 24),
)

OFFLINE_MENU: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "teacher": (
        ("庆祝建党90周年专题报告会", "党委宣传部", 6, 3),
        ("教师党员集中学习：十七届六中全会精神", "{gb}", 11, 4),
        ("师德师风专题培训", "党委教师工作部", 9, 3),
        ("形势与政策报告会", "党委宣传部", 4, 2),
    ),
    "admin": (
        ("机关党员集中学习：十七届六中全会精神", "{gb}", 11, 4),
        ("庆祝建党90周年专题报告会", "党委宣传部", 6, 3),
        ("机关作风建设专题培训", "{gb}", 5, 3),
    ),
    "service": (
        ("党员集中学习：十七届六中全会精神", "{gb}", 11, 4),
        ("庆祝建党90周年专题报告会", "党委宣传部", 6, 3),
        ("服务育人专题培训", "{gb}", 4, 2),
    ),
    "retired": (
        ("离退休党员形势政策报告会", "离退休工作处", 3, 2),
        ("庆祝建党90周年老党员座谈会", "{gb}", 6, 2),
        ("学习十七届六中全会精神辅导报告", "{gb}", 11, 2),
    ),
    "undergraduate": (
        ("预备党员培训班", "学校党校", 5, 8),
        ("学习贯彻十七届六中全会精神专题党课", "{gb}", 11, 3),
        ("庆祝建党90周年党史知识讲座", "{gb}", 6, 2),
        ("形势与政策报告会", "党委宣传部", 10, 2),
    ),
    "graduate": (
        ("研究生党员骨干培训班", "学校党校", 4, 8),
        ("学习贯彻十七届六中全会精神专题党课", "{gb}", 11, 3),
        ("学术道德规范专题报告", "研究生院", 9, 2),
        ("形势与政策报告会", "党委宣传部", 10, 2),
    ),
}


# --------------------------------------------------------------------------- entry point

def build_demo(seed: int = DEFAULT_SEED) -> Demo:
    """The demo university; the same seed always gives an equal Demo."""
    b = _Builder(seed)
    b.build_orgs()
    b.build_secretaries()
    b.build_cadres()
    b.build_activities()
    b.build_trainings()
    b.build_fundings()
    b.build_users()
    members = [m for br in b.branches for m in b.rosters[br.code]]
    return Demo(
        seed=seed, as_of=AS_OF, committee=COMMITTEE,
        general_branches=b.general_branches, branches=b.branches, members=members,
        secretaries=b.secretaries, contact_cadres=b.cadres, activities=b.activities,
        trainings=b.trainings, fundings=b.fundings, users=b.users,
    )
