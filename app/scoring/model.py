"""The engine's input and its grades: plain frozen dataclasses, validated on construction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

#: The four sources of 附件1 三、考评方法, in the order the text names them.
SOURCES = ("self", "members", "peer", "superior")

#: Which AssessmentInput field holds each source's score.
SOURCE_FIELDS = {
    "self": "self_score",
    "members": "member_score",
    "peer": "peer_score",
    "superior": "superior_score",
}


class InputError(ValueError):
    """An AssessmentInput value is out of range or of the wrong type; `.field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Grade:
    """One of the four grades (四个等次) of 附件1 三、考评方法."""

    code: str
    label: str
    label_en: str

    def __str__(self) -> str:
        return self.label


GRADE_A = Grade("A", "好", "Good")
GRADE_B = Grade("B", "较好", "Fairly good")
GRADE_C = Grade("C", "一般", "Average")
GRADE_D = Grade("D", "较差", "Poor")
GRADES = (GRADE_A, GRADE_B, GRADE_C, GRADE_D)
_BY_CODE = {g.code: g for g in GRADES}


def grade_by_code(code: str) -> Grade:
    """The Grade for 'A'..'D' (case-insensitive); ValueError for anything else."""
    try:
        return _BY_CODE[str(code).strip().upper()]
    except KeyError:
        raise ValueError(f"unknown grade code {code!r} (expected one of A, B, C, D)") from None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def _check_range(field: str, value, low: float, high: float, what: str):
    if value is None:
        return None
    if type(value) is float and low <= value <= high:  # the usual case, first (NaN fails the test)
        return value
    if not _is_number(value):
        raise InputError(field, f"{what} must be a number between {low:g} and {high:g} or None (got {value!r})")
    if not low <= value <= high:
        raise InputError(field, f"{what} must be between {low:g} and {high:g} (got {value!r})")
    return float(value)


def _as_date(field: str, value, *, optional: bool):
    # datetime is a date subclass but does not compare with date: keep only the day.
    if value is None and optional:
        return None
    if type(value) is date:  # the usual case, first
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise InputError(field, f"must be a date{' or None' if optional else ''} (got {value!r})")


_RANGES = (("self_score", 0.0, 100.0, "a score"), ("member_score", 0.0, 100.0, "a score"),
           ("peer_score", 0.0, 100.0, "a score"), ("superior_score", 0.0, 100.0, "a score"),
           ("mass_satisfaction", 0.0, 1.0, "a satisfaction rate"),
           ("secretary_satisfaction", 0.0, 1.0, "a satisfaction rate"))


@dataclass(frozen=True, slots=True)
class AssessmentInput:
    """Everything the engine needs about one branch in one round; services fill it from records.

    Scores are 0..100 (None = that source gave no score); satisfaction rates are 0..1
    (None = not measured). Dates of type datetime are reduced to their day.
    """

    round_date: date
    self_score: float | None = None
    member_score: float | None = None
    peer_score: float | None = None
    superior_score: float | None = None
    mass_satisfaction: float | None = None
    secretary_satisfaction: float | None = None
    secretary_violation_dates: tuple[date, ...] = ()
    elected_on: date | None = None
    term_years: int = 3
    election_exemption: str | None = None
    last_activity_on: date | None = None
    #: where the members source and the two rates came from (ballots or typed): Origin objects
    origins: tuple = ()

    def __post_init__(self):
        put = object.__setattr__
        # each field is checked; only a value the check converts is written back (a frozen
        # dataclass's writes are the slow part of building 50,000 inputs for a round)
        for name, low, high, what in _RANGES:
            value = getattr(self, name)
            checked = _check_range(name, value, low, high, what)
            if checked is not value:
                put(self, name, checked)
        for name, optional in (("round_date", False), ("elected_on", True), ("last_activity_on", True)):
            value = getattr(self, name)
            checked = _as_date(name, value, optional=optional)
            if checked is not value:
                put(self, name, checked)
        violations = self.secretary_violation_dates
        if violations is None:
            violations = ()
        elif isinstance(violations, (date, str)) or not hasattr(violations, "__iter__"):
            raise InputError("secretary_violation_dates", f"must be a sequence of dates (got {violations!r})")
        if violations is not self.secretary_violation_dates or violations != () or type(violations) is not tuple:
            put(self, "secretary_violation_dates",
                tuple(_as_date("secretary_violation_dates", d, optional=False) for d in violations))
        if type(self.origins) is not tuple:
            put(self, "origins", tuple(self.origins or ()))
        term = self.term_years
        if not isinstance(term, int) or isinstance(term, bool) or term < 1:
            raise InputError("term_years", f"must be a whole number of years >= 1 (got {term!r})")

    def source_scores(self) -> tuple:
        """The four source scores in SOURCES order."""
        return (self.self_score, self.member_score, self.peer_score, self.superior_score)
