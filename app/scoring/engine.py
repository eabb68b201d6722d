"""score(): composite, grade, satisfaction cap and vetoes of 附件1 三、考评方法 (DOMAIN.md "Assessment").

The hot path does arithmetic and comparisons only; the words of explain() are built on
demand from the facts kept in the result.
"""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from .model import GRADE_A, GRADE_B, GRADE_D, SOURCES, AssessmentInput, Grade
from .policy import ScoringPolicy

#: A rater scores each of the five standards (五个好) 0..20; the sum is the rater's total.
SUBSCORES_PER_SHEET = 5
MAX_SUBSCORE = 20.0
#: Rates are compared with this slack so that 0.5 computed as 0.49999999999999994 is still 0.5.
RATE_EPSILON = 1e-9


def round_score(x: float) -> float:
    """Round half up to 2 decimals; the nudge undoes binary error (89.995 is stored as 89.99499…)."""
    return round(x + 1e-9, 2)


def add_months(d: date, months: int) -> date:
    """d moved by whole months, the day clamped to the month's end (2012-02-29 - 24 months = 2010-02-28)."""
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    day = d.day
    if day > 28:
        day = min(day, monthrange(y, m)[1])
    return date(y, m, day)


class SourceLine(NamedTuple):
    """One source's part in the composite."""

    source: str                   # one of SOURCES
    score: float | None           # None: no score given
    weight: float                 # the policy's weight
    effective_weight: float       # after re-weighting over the sources present (0 when left out)


class VetoFact(NamedTuple):
    """A veto that fired (or, among notes, a condition that was checked) and the facts behind it."""

    code: str
    detail: dict


@dataclass(frozen=True, slots=True)
class ScoringResult:
    """What score() decided and why; explain() turns it into sentences."""

    composite: float | None            # 2 decimals, half up; None when no weighted source has a score
    grade: Grade | None                # final computed grade; None when no composite and no veto
    vetoes: tuple[str, ...]            # codes of the veto rules that fired, in order V1..V4
    capped: bool                       # a rate below standard lowered 好 to 较好
    missing_sources: tuple[str, ...]   # weighted sources without a score (left out, rest re-weighted)
    base_grade: Grade | None           # the grade the cut-offs alone give, before cap and vetoes
    below_standard: tuple[str, ...]    # 'mass' / 'secretary': rates under the satisfaction standard
    veto_facts: tuple[VetoFact, ...]   # one per fired veto, same order as vetoes
    notes: tuple[VetoFact, ...]        # checks that could not run or did not fire, for explain()
    assessment: AssessmentInput
    policy: ScoringPolicy

    @property
    def partial(self) -> bool:
        """True when the composite was computed without some weighted source."""
        return self.composite is not None and bool(self.missing_sources)

    @property
    def sources(self) -> tuple[SourceLine, ...]:
        """Each source with its score, weight and effective weight."""
        pairs = tuple(zip(SOURCES, self.assessment.source_scores(), self.policy.weight_tuple))
        used = math.fsum(w for _, s, w in pairs if s is not None and w > 0)
        return tuple(
            SourceLine(name, s, w, (w / used) if (used and s is not None and w > 0) else 0.0)
            for name, s, w in pairs
        )

    def explain(self, lang: str = "zh") -> list[str]:
        """Sentences a secretary understands: weights, missing sources, composite, cut-off, cap, vetoes, grade."""
        from .explain import explain_lines

        return explain_lines(self, lang)


def source_score(sheets) -> float | None:
    """One source's score: the mean of its raters' totals, each sheet being five sub-scores 0..20.

    None for no sheets; ValueError for a sheet of the wrong length or a sub-score out of range.
    """
    totals = []
    for i, sheet in enumerate(sheets, start=1):
        try:
            items = tuple(sheet)
        except TypeError:
            raise ValueError(f"sheet {i}: expected {SUBSCORES_PER_SHEET} sub-scores, got {sheet!r}") from None
        if len(items) != SUBSCORES_PER_SHEET:
            raise ValueError(
                f"sheet {i}: expected {SUBSCORES_PER_SHEET} sub-scores (one per standard), got {len(items)}")
        for j, x in enumerate(items, start=1):
            if not isinstance(x, (int, float)) or isinstance(x, bool) or not 0 <= x <= MAX_SUBSCORE:
                raise ValueError(f"sheet {i}, standard {j}: sub-score must be between 0 and 20 (got {x!r})")
        totals.append(math.fsum(items))
    if not totals:
        return None
    return round_score(math.fsum(totals) / len(totals))


def _election_detail(a: AssessmentInput, p: ScoringPolicy) -> dict:
    """The facts behind V2, for explain(); built only when V2 matters."""
    deadline = add_months(a.elected_on, 12 * a.term_years + p.grace_months)
    return {"elected_on": a.elected_on, "term_years": a.term_years, "due": add_months(a.elected_on, 12 * a.term_years),
            "grace_months": p.grace_months, "deadline": deadline, "days_overdue": (a.round_date - deadline).days,
            "exemption": a.election_exemption}


def _activity_detail(a: AssessmentInput, p: ScoringPolicy) -> dict:
    """The facts behind V3, for explain(); built only when V3 matters."""
    last = a.last_activity_on
    days = None if last is None else (a.round_date - last).days
    return {"last_activity_on": last, "days": days, "limit": p.veto_inactive_days}


def score(a: AssessmentInput, policy: ScoringPolicy | None = None) -> ScoringResult:
    """Score one branch in one round under a policy (default: DOMAIN.md's)."""
    p = policy if policy is not None else DEFAULT_POLICY
    rd = a.round_date

    # Composite: weighted mean over the sources that have a score.
    total_w = acc = 0.0
    missing = []
    for name, s, w in zip(SOURCES, (a.self_score, a.member_score, a.peer_score, a.superior_score), p.weight_tuple):
        if w > 0.0:
            if s is None:
                missing.append(name)
            else:
                total_w += w
                acc += w * s
    composite = round_score(acc / total_w) if total_w > 0.0 else None

    base = None
    if composite is not None:
        base = GRADE_D
        for cut, g in p.grade_steps:
            if composite >= cut:
                base = g
                break

    notes = []
    mass, sec = a.mass_satisfaction, a.secretary_satisfaction
    below = []
    if mass is None:
        notes.append(VetoFact("no_rate", {"rate": "mass"}))
    elif mass < p.satisfaction_mass - RATE_EPSILON:
        below.append("mass")
    if sec is None:
        notes.append(VetoFact("no_rate", {"rate": "secretary"}))
    elif sec < p.satisfaction_secretary - RATE_EPSILON:
        below.append("secretary")

    facts = []
    if p.v1_enabled and a.secretary_violation_dates:
        start = add_months(rd, -12 * p.veto_violation_years)
        hits = tuple(sorted(d for d in a.secretary_violation_dates if start <= d <= rd))
        if hits:
            facts.append(VetoFact("V1", {"dates": hits, "window_start": start, "years": p.veto_violation_years}))

    if p.v2_enabled or p.v3_enabled:
        v2 = v3 = False
        if p.v2_enabled:
            if a.elected_on is None:
                notes.append(VetoFact("no_election_date", {}))
            elif add_months(a.elected_on, 12 * a.term_years + p.grace_months) < rd:  # term + grace is over
                v2 = not a.election_exemption
                if not v2:
                    notes.append(VetoFact("election_exempt", _election_detail(a, p)))
        if p.v3_enabled:
            last = a.last_activity_on
            v3 = last is None or (rd - last).days > p.veto_inactive_days
        if v2 or v3:
            if p.v2_v3_separate or (v2 and v3):
                if v2:
                    facts.append(VetoFact("V2", _election_detail(a, p)))
                if v3:
                    facts.append(VetoFact("V3", _activity_detail(a, p)))
            else:  # the text's "和": only both together veto
                notes.append(VetoFact("combined_unmet", {"V2": _election_detail(a, p) if v2 else None,
                                                         "V3": _activity_detail(a, p) if v3 else None}))

    if p.v4_enabled:
        floor = p.veto_satisfaction - RATE_EPSILON
        low = ()
        if mass is not None and mass < floor:
            low = (("mass", mass),)
        if sec is not None and sec < floor:
            low += (("secretary", sec),)
        if low:
            facts.append(VetoFact("V4", {"rates": low, "threshold": p.veto_satisfaction}))

    capped = False
    if facts:
        grade = GRADE_D
    elif base is GRADE_A and below and p.satisfaction_cap:
        grade, capped = GRADE_B, True
    else:
        grade = base

    return ScoringResult(
        composite=composite, grade=grade, vetoes=tuple(f.code for f in facts), capped=capped,
        missing_sources=tuple(missing), base_grade=base, below_standard=tuple(below),
        veto_facts=tuple(facts), notes=tuple(notes), assessment=a, policy=p,
    )


DEFAULT_POLICY = ScoringPolicy()
