"""The health check's thresholds (DOMAIN.md "Health check", "Rule profiles") as a policy.

Two profiles: ``"2012"`` (the plan's numbers, the default) and ``"later"`` (the later national
rules DOMAIN.md lists; read from reposts, check them against the official texts). A committee
chooses its profile; every number can still be overridden in configuration:

    policy = policy_for("later", {"secretary_hours": 48})

Unknown keys and wrong values raise PolicyError naming the key, so a typo in configuration
stops the app at start-up instead of silently checking the wrong number.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType

#: Meeting kinds (the same codes as the Meeting records) and the periods a requirement uses.
PERIODS = ("month", "quarter", "year")
ANY_MEETING = "any"

PROFILE_2012 = "2012"
PROFILE_LATER = "later"
PROFILES = (PROFILE_2012, PROFILE_LATER)


class PolicyError(ValueError):
    """A health policy value is wrong; `.key` names it, `.detail` says what is wrong."""

    def __init__(self, key: str, detail: str):
        super().__init__(f"{key}: {detail}")
        self.key = key
        self.detail = detail


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_number(key, value, minimum=0.0):
    if not _number(value) or value < minimum:
        raise PolicyError(key, f"must be a number >= {minimum:g} (got {value!r})")
    return value


def _check_share(key, value):
    if not _number(value) or not 0 <= value <= 1:
        hint = " — shares are fractions such as 0.8, not percentages" if _number(value) and 1 < value <= 100 else ""
        raise PolicyError(key, f"must be a fraction between 0 and 1 (got {value!r}){hint}")
    return float(value)


def _check_hours_map(key, value):
    """category -> (total hours, online hours) or None (no rule for that category)."""
    if not isinstance(value, Mapping):
        raise PolicyError(key, f"must map a branch category to [hours, online hours] (got {value!r})")
    out = {}
    for category, target in value.items():
        if target is None:
            out[category] = None
            continue
        if (not isinstance(target, (list, tuple)) or len(target) != 2
                or not all(_number(v) and v >= 0 for v in target) or target[1] > target[0]):
            raise PolicyError(key, f"{category!r} must be [hours, online hours] with online <= hours (got {target!r})")
        out[category] = (float(target[0]), float(target[1]))
    return MappingProxyType(out)


def _check_meetings(key, value):
    """meeting kind (or 'any') -> 'month' | 'quarter' | 'year'."""
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(key, f"must map a meeting kind (or 'any') to month/quarter/year (got {value!r})")
    for kind, period in value.items():
        if period not in PERIODS:
            raise PolicyError(key, f"{kind!r}: period must be one of {', '.join(PERIODS)} (got {period!r})")
    return MappingProxyType(dict(value))


def _check_terms(key, value):
    """category (or 'default') -> allowed term lengths in years."""
    if not isinstance(value, Mapping) or "default" not in value:
        raise PolicyError(key, f"must map categories and 'default' to allowed term years (got {value!r})")
    out = {}
    for category, years in value.items():
        if (not isinstance(years, (list, tuple)) or not years
                or not all(isinstance(y, int) and not isinstance(y, bool) and y > 0 for y in years)):
            raise PolicyError(key, f"{category!r} must be a list of whole years such as [2, 3] (got {years!r})")
        out[category] = tuple(years)
    return MappingProxyType(out)


_TEACHER_2012 = (24.0, 12.0)
_STUDENT_2012 = (16.0, 0.0)


@dataclass(frozen=True)
class HealthPolicy:
    """Every number of H1–H11; the defaults are the 2012 plan's (DOMAIN.md, "2012 plan")."""

    profile: str = PROFILE_2012
    # H1 三、(一): a unit with this many formal members should have its own branch
    own_branch_formal: int = 3
    joint_max_units: int = 0                      # 0: no limit (2012); later rules: 5
    # H2 三、(一): branches above this size should be split; teacher branches may have their own
    split_size: int = 50
    teacher_split_size: int = 0                   # 0: same as split_size
    # H3 三、(二): share of teacher-branch secretaries with 副高 or above
    senior_title_share: float = 0.80
    # H4 三、(二): secretary training hours a year, and centralized (offline) courses among them
    secretary_hours: float = 40.0
    secretary_centralized_courses: int = 0
    # H5 三、(二): a new secretary's appointment training within this many days (半年)
    new_secretary_days: int = 182
    # H6 附表1/2 党员队伍好 3: category -> (hours, online hours); None: no rule for it
    member_hours: Mapping = field(default_factory=lambda: {
        "teacher": _TEACHER_2012, "undergraduate": _STUDENT_2012, "graduate": _STUDENT_2012,
        "admin": _TEACHER_2012, "service": _TEACHER_2012, "retired": None})
    # below this share of members on target the branch fails; at or above it, short members warn
    member_hours_warn_share: float = 0.90
    # H7 附表 工作机制好 2: kind -> period; 'any' counts every kind
    meetings: Mapping = field(default_factory=lambda: {ANY_MEETING: "month", "life_meeting": "year"})
    committee_meeting_min_formal: int = 7         # a 支委会 exists from this many formal members
    appraisal_every_years: int = 2
    # H8 三、(五): yuan per member a year
    activity_funds_per_member: float = 100.0
    training_funds_per_member: float = 100.0
    # H9 五、(二): a contact cadre should attend at least this many meetings a year
    contact_attendance: int = 1
    # H10 附表 支部班子好 1: notices ahead of the term's end, allowed terms, extension
    term_notice_months: int = 6
    term_years_allowed: Mapping = field(default_factory=lambda: {"default": (1, 2, 3, 4, 5)})
    term_extension_months: int = 0                # later rules: an extension of up to 12 months
    # H11 附表 工作机制好 3, 三、(三): handbook spot checks per semester
    spot_checks_per_semester: int = 1
    # 二、工作目标 (the goal line, not a per-branch rule): 本科生党支部基本都要成为优秀和良好党支部
    undergraduate_goal_share: float = 0.90

    def __post_init__(self):
        put = object.__setattr__
        if self.profile not in PROFILES:
            raise PolicyError("profile", f"must be one of {', '.join(PROFILES)} (got {self.profile!r})")
        for key in ("own_branch_formal", "joint_max_units", "split_size", "teacher_split_size",
                    "secretary_centralized_courses", "new_secretary_days", "committee_meeting_min_formal",
                    "appraisal_every_years", "contact_attendance", "term_notice_months",
                    "term_extension_months", "spot_checks_per_semester"):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise PolicyError(key, f"must be a whole number >= 0 (got {value!r})")
        if self.split_size < 1:
            raise PolicyError("split_size", f"must be at least 1 (got {self.split_size!r})")
        if self.appraisal_every_years < 1:
            raise PolicyError("appraisal_every_years", f"must be at least 1 (got {self.appraisal_every_years!r})")
        for key in ("secretary_hours", "activity_funds_per_member", "training_funds_per_member"):
            put(self, key, float(_check_number(key, getattr(self, key))))
        for key in ("senior_title_share", "member_hours_warn_share", "undergraduate_goal_share"):
            put(self, key, _check_share(key, getattr(self, key)))
        put(self, "member_hours", _check_hours_map("member_hours", self.member_hours))
        put(self, "meetings", _check_meetings("meetings", self.meetings))
        put(self, "term_years_allowed", _check_terms("term_years_allowed", self.term_years_allowed))

    def split_size_for(self, category: str) -> int:
        """The size above which a branch of this category should be split."""
        if category == "teacher" and self.teacher_split_size:
            return self.teacher_split_size
        return self.split_size

    def hours_for(self, category: str):
        """(hours, online hours) members of this category train a year, or None."""
        return self.member_hours.get(category)

    def terms_for(self, category: str) -> tuple:
        return self.term_years_allowed.get(category, self.term_years_allowed["default"])

    def to_mapping(self) -> dict:
        """Plain values (JSON-friendly), e.g. for the CLI and the policy page."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                value = {k: (list(v) if isinstance(v, tuple) else v) for k, v in value.items()}
            out[f.name] = value
        return out


POLICY_KEYS = tuple(f.name for f in fields(HealthPolicy))

_LATER_HOURS = (32.0, 0.0)

#: The later national rules (DOMAIN.md "Rule profiles", right column).
LATER_VALUES = {
    "joint_max_units": 5,                         # 支部工作条例 第五条
    "teacher_split_size": 30,                     # 教育部党组 高校教师党支部建设意见
    "secretary_hours": 56.0,                      # 2019—2023年全国党员教育培训工作规划
    "secretary_centralized_courses": 1,
    "member_hours": {c: _LATER_HOURS for c in ("teacher", "undergraduate", "graduate", "admin", "service", "retired")},
    "meetings": {"general_meeting": "quarter", "committee_meeting": "month", "theme_day": "month",
                 "life_meeting": "year"},
    "appraisal_every_years": 1,
    "term_years_allowed": {"teacher": (2, 3), "default": (3,)},
    "term_extension_months": 12,
}


def policy_for(profile: str | None = None, overrides: Mapping | None = None, *,
               name: str = "ZHIBU_HEALTH") -> HealthPolicy:
    """The policy of a profile ('2012' default, or 'later') with configuration overrides."""
    profile = profile or PROFILE_2012
    if profile not in PROFILES:
        raise PolicyError(f"{name}['profile']", f"must be one of {', '.join(PROFILES)} (got {profile!r})")
    base = HealthPolicy(profile=profile, **(LATER_VALUES if profile == PROFILE_LATER else {}))
    if not overrides:
        return base
    if not isinstance(overrides, Mapping):
        raise ValueError(f"{name} must be a mapping of policy keys (got {type(overrides).__name__})")
    for key in overrides:
        if key not in POLICY_KEYS or key == "profile":
            close = difflib.get_close_matches(str(key), POLICY_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PolicyError(f"{name}[{key!r}]", f"unknown key (known keys: {', '.join(POLICY_KEYS[1:])}){hint}")
    try:
        return replace(base, **overrides)
    except PolicyError as exc:
        raise PolicyError(f"{name}[{exc.key!r}]", exc.detail) from None
