"""The health check's input and output: plain frozen dataclasses, no framework.

The service (app/services/health.py) fills BranchFacts from one aggregate query per rule;
app/rules/checks.py turns facts and a HealthPolicy into one Result per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

PASS, WARN, FAIL, NA = "pass", "warn", "fail", "n/a"
STATUSES = (PASS, WARN, FAIL, NA)
RULE_IDS = tuple(f"H{i}" for i in range(1, 12))
SENIOR_RANKS = ("senior", "associate")          # 正高, 副高: "副高以上"
STUDENT_CATEGORIES = ("undergraduate", "graduate")


@dataclass(frozen=True)
class Period:
    """The checked year up to a day: what has already elapsed decides fail, the rest warns."""

    year: int
    as_of: date
    start: date = field(init=False, compare=False, repr=False)
    end: date = field(init=False, compare=False, repr=False)
    over: bool = field(init=False, compare=False, repr=False)       # the whole year has elapsed
    last_day: date = field(init=False, compare=False, repr=False)   # the year's end or the check's day

    def __post_init__(self):
        put = object.__setattr__
        put(self, "start", date(self.year, 1, 1))
        put(self, "end", date(self.year, 12, 31))
        put(self, "over", self.as_of >= self.end)
        put(self, "last_day", min(self.as_of, self.end))


@dataclass(frozen=True)
class SecretaryFacts:
    """A branch's current secretary and the training credited to them in the year."""

    secretary_id: int
    member_id: int
    name: str
    appointed_on: date
    title_rank: str
    hours: float = 0.0
    centralized_courses: int = 0                  # offline training events attended in the year
    first_training_on: date | None = None         # first training on or after appointed_on
    first_training_id: int | None = None


class MemberHours(NamedTuple):
    """One member's training hours in the year (all and online)."""

    member_id: int
    name: str
    hours: float = 0.0
    online_hours: float = 0.0


@dataclass(frozen=True)
class MemberTraining:
    """A branch's members against their yearly training target (H6).

    The service counts on_target in SQL with the policy's target for the branch's category
    (``HealthPolicy.hours_for``); ``member_training()`` counts it from rows, the same way."""

    members: int
    on_target: int
    short_members: tuple = ()                     # MemberHours of the members short, fewest hours first


def member_training(rows, target, listed: int = 20) -> MemberTraining:
    """MemberTraining from every member's hours: on target when hours and online hours both reach it."""
    rows = list(rows)
    hours, online = target
    short = sorted((m for m in rows if m.hours < hours - 1e-9 or m.online_hours < online - 1e-9),
                   key=lambda m: (m.hours, m.member_id))
    return MemberTraining(len(rows), len(rows) - len(short), tuple(short[:listed]))


class MeetingCount(NamedTuple):
    """How many meetings of a kind a branch held in a month of the checked year."""

    month: int
    kind: str
    count: int


class MeetingSummary(NamedTuple):
    """A branch's meetings of the checked year as the service aggregates them in SQL: how many
    in each month, and for each kind the months it was held in (bit m - 1 set for month m)."""

    per_month: tuple                   # 12 counts, January first
    months: tuple = ()                 # ((kind, month bits), ...), kinds with a meeting only

    @classmethod
    def of(cls, counts) -> "MeetingSummary":
        """From MeetingCount rows (any order; months outside 1..12 ignored)."""
        per_month, months = [0] * 12, {}
        for m in counts:
            if m.count > 0 and 1 <= m.month <= 12:
                per_month[m.month - 1] += m.count
                months[m.kind] = months.get(m.kind, 0) | 1 << (m.month - 1)
        return cls(tuple(per_month), tuple(sorted(months.items())))

    @property
    def any_months(self) -> int:
        return sum(1 << i for i, n in enumerate(self.per_month) if n)

    def months_of(self, kind: str) -> int:
        for k, bits in self.months:
            if k == kind:
                return bits
        return 0


class ContactFact(NamedTuple):
    """A contact cadre linked to the branch and the branch's meetings they attended this year."""

    cadre_id: int
    name: str
    attended: int = 0


class SpotCheck(NamedTuple):
    check_id: int
    checked_on: date
    passed: bool = True


@dataclass(frozen=True)
class BranchFacts:
    """Everything H1–H11 read about one branch, for one period."""

    branch_id: int
    name: str
    general_branch_id: int
    category: str
    period: Period
    is_joint: bool = False
    formal: int = 0
    probationary: int = 0
    founded_on: date | None = None
    #: (unit, formal members) of the roster, for H1
    units: tuple = ()
    secretary: SecretaryFacts | None = None
    training: MemberTraining | None = None        # None: no target for the category or no members
    meetings: tuple = ()                          # MeetingSummary, or MeetingCount rows, of the year up to as_of
    appraised: int = 0                            # members with a 民主评议 result in the window
    activity_funds: float | None = None           # None: no funding row for the year
    training_funds: float | None = None
    funding_id: int | None = None
    contacts: tuple = ()                          # ContactFact
    elected_on: date | None = None
    term_years: int = 3
    election_exemption: str | None = None
    plan_id: int | None = None                    # the year's work plan on file
    summary_id: int | None = None                 # the year's work summary on file
    spot_checks: tuple = ()                       # SpotCheck in the year

    @property
    def members(self) -> int:
        return self.formal + self.probationary


@dataclass(frozen=True)
class CommitteeMemberFacts:
    """A 党总支委员 and the student branches they contact (五、(二))."""

    member_id: int
    name: str
    general_branch_id: int
    student_branches: tuple = ()                  # ids of linked student branches
    attended: int = 0                             # meetings of those branches attended in the year


class Bi(tuple):
    """A value that reads differently in each language: Bi((zh, en))."""


_SEPARATORS = ("；", "; ")


def _render(result, index: int) -> str:
    values = [{k: (v[index] if isinstance(v, Bi) else v) for k, v in part[2].items()} for part in result.message]
    text = _SEPARATORS[index].join(part[index].format(**vals) for part, vals in zip(result.message, values))
    if result.wrap is None:
        return text
    if index == 1:
        text = text[:1].upper() + text[1:]
    return result.wrap[index].format(problems=text)


class Result(NamedTuple):
    """One rule's verdict for one branch (or one scope), with what decided it and what to do.

    The next step is kept as templates and values and written out when read (most results of a
    committee's fifty thousand branches are counted, never read). A NamedTuple: a committee's
    check builds half a million of them."""

    rule: str
    status: str
    evidence: dict
    message: tuple = ()                # ((zh template, en template, values), ...), joined in order
    branch_id: int | None = None
    wrap: tuple | None = None          # (zh, en) around the joined parts, with {problems}

    @property
    def next_zh(self) -> str:
        return _render(self, 0)

    @property
    def next_en(self) -> str:
        return _render(self, 1)

    def next_step(self, lang: str = "zh") -> str:
        return self.next_en if str(lang).lower().startswith("en") else self.next_zh
