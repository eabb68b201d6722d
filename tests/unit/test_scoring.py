"""The scoring engine's rules (DOMAIN.md "Assessment", 附件1 三、考评方法), one test per rule or edge."""

from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta

import pytest

from app.scoring import (
    GRADE_A,
    GRADE_B,
    GRADE_C,
    GRADE_D,
    GRADES,
    SOURCES,
    AssessmentInput,
    InputError,
    ScoringPolicy,
    add_months,
    grade_by_code,
    score,
    source_score,
)

ROUND = date(2012, 4, 10)
FIELDS = {"self": "self_score", "members": "member_score", "peer": "peer_score", "superior": "superior_score"}


def make(**kw):
    """A branch with no veto and good satisfaction unless the test says otherwise."""
    base = dict(round_date=ROUND, self_score=85.0, member_score=85.0, peer_score=85.0, superior_score=85.0,
                mass_satisfaction=0.9, secretary_satisfaction=0.9, elected_on=date(2010, 9, 1),
                last_activity_on=date(2012, 3, 20))
    base.update(kw)
    return AssessmentInput(**base)


def all_scores(x):
    return dict(self_score=x, member_score=x, peer_score=x, superior_score=x)


# --- the public example and grades -------------------------------------------------------

def test_brief_example():
    r = score(AssessmentInput(
        round_date=date(2012, 4, 10), self_score=92.0, member_score=88.0, peer_score=None, superior_score=90.0,
        mass_satisfaction=0.82, secretary_satisfaction=0.91, secretary_violation_dates=(),
        elected_on=date(2010, 9, 1), term_years=3, election_exemption=None, last_activity_on=date(2012, 3, 20),
    ), ScoringPolicy())
    assert r.composite == 90.25  # (0.3*92 + 0.2*88 + 0.3*90) / 0.8
    assert r.grade is GRADE_A and r.grade.label == "好"
    assert r.vetoes == () and r.capped is False
    assert r.missing_sources == ("peer",) and r.partial


def test_defaults_of_input():
    a = AssessmentInput(round_date=ROUND)
    assert a.source_scores() == (None, None, None, None)
    assert a.secretary_violation_dates == () and a.term_years == 3 and a.election_exemption is None


def test_grades_and_lookup():
    assert [(g.code, g.label, g.label_en) for g in GRADES] == [
        ("A", "好", "Good"), ("B", "较好", "Fairly good"), ("C", "一般", "Average"), ("D", "较差", "Poor")]
    assert grade_by_code("b") is GRADE_B and str(GRADE_C) == "一般"
    with pytest.raises(ValueError, match="unknown grade code 'E'"):
        grade_by_code("E")
    with pytest.raises(FrozenInstanceError):
        GRADE_A.label = "x"


def test_default_weights_are_the_texts():
    assert SOURCES == ("self", "members", "peer", "superior")
    r = score(make(self_score=100.0, member_score=0.0, peer_score=0.0, superior_score=0.0))
    assert r.composite == 30.0
    assert [s.weight for s in r.sources] == [0.3, 0.2, 0.2, 0.3]


@pytest.mark.parametrize("value, grade", [
    (100.0, GRADE_A), (90.0, GRADE_A), (89.99, GRADE_B), (80.0, GRADE_B), (79.99, GRADE_C),
    (60.0, GRADE_C), (59.99, GRADE_D), (0.0, GRADE_D),
])
def test_cutoffs_are_inclusive_on_the_upper_grade(value, grade):
    r = score(make(**all_scores(value)))
    assert r.composite == value
    assert r.grade is grade and r.base_grade is grade


def test_ninety_is_exact_with_the_default_weights():
    assert score(make(**all_scores(90.0))).composite == 90.0
    # 0.3*90 + 0.2*95 + 0.2*85 + 0.3*90 = 90 exactly, though 0.3 and 0.2 are not exact in binary
    r = score(make(self_score=90.0, member_score=95.0, peer_score=85.0, superior_score=90.0))
    assert r.composite == 90.0 and r.grade is GRADE_A


def test_grade_follows_the_rounded_composite():
    # 89.995 is stored as 89.99499…; half-up rounding shows 90.00 and grades what it shows
    assert score(make(**all_scores(89.995))).composite == 90.0
    assert score(make(**all_scores(89.995))).grade is GRADE_A
    assert score(make(**all_scores(89.994))).grade is GRADE_B


def test_custom_cutoffs():
    p = ScoringPolicy(cutoffs={"A": 95, "B": 85, "C": 70})
    assert score(make(**all_scores(94.99)), p).grade is GRADE_B
    assert score(make(**all_scores(95)), p).grade is GRADE_A
    assert score(make(**all_scores(69.99)), p).grade is GRADE_D


# --- missing sources ---------------------------------------------------------------------

SPREAD = dict(self_score=80.0, member_score=90.0, peer_score=70.0, superior_score=100.0)  # full: 86.0


@pytest.mark.parametrize("missing, composite, grade", [
    ("self", 88.57, GRADE_B),       # 62 / 0.7
    ("members", 85.0, GRADE_B),     # 68 / 0.8
    ("peer", 90.0, GRADE_A),        # 72 / 0.8: the boundary reached through re-weighting
    ("superior", 80.0, GRADE_B),    # 56 / 0.7
])
def test_each_missing_source_is_left_out_and_the_rest_reweighted(missing, composite, grade):
    r = score(make(**{**SPREAD, FIELDS[missing]: None}))
    assert r.composite == composite and r.grade is grade
    assert r.missing_sources == (missing,) and r.partial
    lines = {s.source: s for s in r.sources}
    assert lines[missing].effective_weight == 0.0
    assert sum(s.effective_weight for s in r.sources) == pytest.approx(1.0)


def test_full_sources_are_not_partial():
    r = score(make(**SPREAD))
    assert r.composite == 86.0 and r.missing_sources == () and not r.partial
    assert [s.effective_weight for s in r.sources] == pytest.approx([0.3, 0.2, 0.2, 0.3])


def test_two_missing_sources():
    r = score(make(self_score=None, member_score=None, peer_score=70.0, superior_score=100.0))
    assert r.missing_sources == ("self", "members") and r.composite == 88.0  # (14 + 30) / 0.5


def test_all_missing_without_veto_gives_no_grade():
    r = score(make(**all_scores(None)))
    assert r.composite is None and r.grade is None and r.base_grade is None
    assert r.missing_sources == SOURCES and not r.partial and r.vetoes == ()


def test_all_missing_with_veto_is_still_poor():
    r = score(make(**all_scores(None), last_activity_on=None))
    assert r.composite is None and r.vetoes == ("V3",) and r.grade is GRADE_D


def test_zero_weight_source_is_not_counted_nor_missing():
    p = ScoringPolicy(weights={"self": 0.5, "members": 0.0, "peer": 0.0, "superior": 0.5})
    r = score(make(self_score=80.0, member_score=10.0, peer_score=None, superior_score=90.0), p)
    assert r.composite == 85.0 and r.missing_sources == ()
    only_unweighted = score(make(**{**all_scores(None), "member_score": 95.0}), p)
    assert only_unweighted.composite is None and only_unweighted.missing_sources == ("self", "superior")


# --- satisfaction cap --------------------------------------------------------------------

@pytest.mark.parametrize("mass, sec, capped", [
    (0.69, 0.9, True), (0.70, 0.9, False), (0.9, 0.79, True), (0.9, 0.80, False), (0.6, 0.6, True),
    (None, None, False), (None, 0.5, True),
])
def test_rate_below_standard_lowers_good_to_fairly_good(mass, sec, capped):
    r = score(make(**all_scores(95.0), mass_satisfaction=mass, secretary_satisfaction=sec))
    assert r.base_grade is GRADE_A
    assert r.capped is capped
    assert r.grade is (GRADE_B if capped else GRADE_A)


def test_cap_only_counts_when_it_lowered_good():
    r = score(make(**all_scores(85.0), mass_satisfaction=0.6))
    assert r.grade is GRADE_B and r.capped is False and r.below_standard == ("mass",)


def test_cap_off():
    p = ScoringPolicy(satisfaction_cap=False)
    r = score(make(**all_scores(95.0), mass_satisfaction=0.6, secretary_satisfaction=0.6), p)
    assert r.grade is GRADE_A and r.capped is False and r.below_standard == ("mass", "secretary")


def test_custom_satisfaction_standards():
    p = ScoringPolicy(satisfaction_mass=0.9, satisfaction_secretary=0.95)
    assert score(make(**all_scores(95.0), mass_satisfaction=0.89), p).capped
    assert score(make(**all_scores(95.0), mass_satisfaction=0.9, secretary_satisfaction=0.95), p).grade is GRADE_A


# --- vetoes ------------------------------------------------------------------------------

@pytest.mark.parametrize("violation, fires", [
    (date(2010, 4, 10), True),    # exactly two years before: inside the window
    (date(2010, 4, 9), False),
    (date(2011, 12, 31), True),
    (ROUND, True),                # on the round's date
    (date(2012, 4, 11), False),   # after the round's date: not "before the round"
])
def test_v1_secretary_violation_within_two_years(violation, fires):
    r = score(make(**all_scores(95.0), secretary_violation_dates=(violation,)))
    assert (r.vetoes == ("V1",)) is fires
    assert r.grade is (GRADE_D if fires else GRADE_A)


def test_v1_leap_day_and_custom_window():
    leap = date(2012, 2, 29)
    assert add_months(leap, -24) == date(2010, 2, 28)
    assert score(make(round_date=leap, secretary_violation_dates=[date(2010, 2, 28)])).vetoes == ("V1",)
    assert score(make(round_date=leap, secretary_violation_dates=[date(2010, 2, 27)])).vetoes == ()
    p = ScoringPolicy(veto_violation_years=3)
    assert score(make(secretary_violation_dates=[date(2009, 4, 10)]), p).vetoes == ("V1",)
    off = ScoringPolicy(v1_enabled=False)
    assert score(make(secretary_violation_dates=[date(2012, 1, 1)]), off).vetoes == ()


@pytest.mark.parametrize("round_date, grace, fires", [
    (date(2012, 4, 10), 12, False),   # elected 2008-04-10 + 3 years + 12 months = 2012-04-10: not before
    (date(2012, 4, 11), 12, True),
    (date(2011, 4, 10), 0, False),
    (date(2011, 4, 11), 0, True),
    (date(2011, 10, 10), 6, False),
    (date(2011, 10, 11), 6, True),
])
def test_v2_no_reelection_after_term_and_grace(round_date, grace, fires):
    a = make(round_date=round_date, elected_on=date(2008, 4, 10), last_activity_on=round_date)
    r = score(a, ScoringPolicy(grace_months=grace))
    assert (r.vetoes == ("V2",)) is fires


def test_v2_term_years_exemption_and_missing_date():
    assert score(make(elected_on=date(2006, 4, 10), term_years=5)).vetoes == ()   # due 2011-04-10, grace to 2012
    assert score(make(elected_on=date(2006, 4, 9), term_years=5)).vetoes == ("V2",)
    late = date(2005, 1, 1)
    exempt = score(make(elected_on=late, election_exemption="支部合并，待上级批复"))
    assert exempt.vetoes == () and [n.code for n in exempt.notes] == ["election_exempt"]
    assert score(make(elected_on=late, election_exemption="")).vetoes == ("V2",)  # falsy: no reason given
    unknown = score(make(elected_on=None))
    assert unknown.vetoes == () and [n.code for n in unknown.notes] == ["no_election_date"]
    assert score(make(elected_on=late), ScoringPolicy(v2_enabled=False)).vetoes == ()


@pytest.mark.parametrize("days, fires", [(0, False), (365, False), (366, True)])
def test_v3_no_activity_for_over_a_year(days, fires):
    r = score(make(last_activity_on=ROUND - timedelta(days=days)))
    assert (r.vetoes == ("V3",)) is fires


def test_v3_no_activity_at_all_and_custom_limit():
    assert score(make(last_activity_on=None)).vetoes == ("V3",)
    p = ScoringPolicy(veto_inactive_days=180)
    assert score(make(last_activity_on=ROUND - timedelta(days=181)), p).vetoes == ("V3",)
    assert score(make(last_activity_on=ROUND - timedelta(days=180)), p).vetoes == ()
    assert score(make(last_activity_on=None), ScoringPolicy(v3_enabled=False)).vetoes == ()


@pytest.mark.parametrize("mass, sec, fires", [
    (0.50, 0.9, False), (0.4999, 0.9, True), (0.9, 0.50, False), (0.9, 0.4999, True),
    (0.49999999999999994, 0.9, False),  # 0.5 after binary error is still 0.5
    (0.0, 0.0, True), (None, None, False),
])
def test_v4_satisfaction_below_half(mass, sec, fires):
    r = score(make(**all_scores(95.0), mass_satisfaction=mass, secretary_satisfaction=sec))
    assert (r.vetoes == ("V4",)) is fires
    if fires:
        assert r.grade is GRADE_D and r.capped is False  # the veto decides, the cap did not lower 好


def test_v4_custom_threshold_and_off():
    assert score(make(mass_satisfaction=0.55), ScoringPolicy(veto_satisfaction=0.6)).vetoes == ("V4",)
    assert score(make(mass_satisfaction=0.1), ScoringPolicy(v4_enabled=False)).vetoes == ()


def test_several_vetoes_in_order_and_whatever_the_composite():
    r = score(make(**all_scores(100.0), secretary_violation_dates=(date(2011, 1, 1),), mass_satisfaction=0.3))
    assert r.vetoes == ("V1", "V4") and r.grade is GRADE_D and r.composite == 100.0 and r.base_grade is GRADE_A
    assert [f.code for f in r.veto_facts] == ["V1", "V4"]


@pytest.mark.parametrize("overdue, inactive, vetoes", [
    (True, True, ("V2", "V3")), (True, False, ()), (False, True, ()), (False, False, ()),
])
def test_v2_v3_combined_when_not_separate(overdue, inactive, vetoes):
    p = ScoringPolicy(v2_v3_separate=False)
    a = make(elected_on=date(2005, 1, 1) if overdue else date(2011, 1, 1),
             last_activity_on=date(2010, 1, 1) if inactive else date(2012, 4, 1))
    r = score(a, p)
    assert r.vetoes == vetoes
    assert ("combined_unmet" in [n.code for n in r.notes]) is (overdue != inactive)
    separate = score(a)
    assert separate.vetoes == tuple(c for c, on in (("V2", overdue), ("V3", inactive)) if on)


# --- source_score ------------------------------------------------------------------------

def test_source_score_is_the_mean_of_raters_totals():
    assert source_score([]) is None
    assert source_score([[20, 20, 20, 20, 20]]) == 100.0
    assert source_score([(20, 20, 20, 20, 20), (18, 18, 18, 18, 18)]) == 95.0
    assert source_score([[18, 18, 18, 18, 18], [18, 18, 18, 18, 19], [18, 18, 18, 18, 19]]) == 90.67
    assert source_score(iter([[0, 0, 0, 0, 0]])) == 0.0
    assert source_score([[17.5, 18, 18, 18, 18.5]]) == 90.0


@pytest.mark.parametrize("sheets, message", [
    ([[20, 20, 20, 20]], r"sheet 1: expected 5 sub-scores \(one per standard\), got 4"),
    ([[20] * 5, [20] * 6], "sheet 2: expected 5 sub-scores"),
    ([[20, 21, 20, 20, 20]], r"sheet 1, standard 2: sub-score must be between 0 and 20 \(got 21\)"),
    ([[20, 20, -1, 20, 20]], "standard 3"),
    ([[20, 20, 20, "x", 20]], "standard 4"),
    ([[20, 20, 20, 20, True]], "standard 5"),
    ([[20, 20, 20, 20, float("nan")]], "standard 5"),
    ([5], "sheet 1: expected 5 sub-scores"),
])
def test_source_score_rejects_bad_sheets(sheets, message):
    with pytest.raises(ValueError, match=message):
        source_score(sheets)


# --- input validation --------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("self_score", 100.01, r"self_score: a score must be between 0 and 100 \(got 100.01\)"),
    ("member_score", -0.01, "member_score: a score must be between 0 and 100"),
    ("peer_score", float("nan"), "peer_score: a score must be a number"),
    ("superior_score", "90", "superior_score: a score must be a number"),
    ("superior_score", True, "superior_score: a score must be a number"),
    ("mass_satisfaction", 1.01, "mass_satisfaction: a satisfaction rate must be between 0 and 1"),
    ("secretary_satisfaction", -0.1, "secretary_satisfaction: a satisfaction rate must be between 0 and 1"),
    ("secretary_satisfaction", 80, "secretary_satisfaction: a satisfaction rate must be between 0 and 1"),
    ("term_years", 0, "term_years: must be a whole number of years >= 1"),
    ("term_years", 2.5, "term_years"),
    ("round_date", None, "round_date: must be a date"),
    ("round_date", "2012-04-10", "round_date: must be a date"),
    ("elected_on", "2010-09-01", "elected_on: must be a date or None"),
    ("last_activity_on", 20120320, "last_activity_on: must be a date or None"),
    ("secretary_violation_dates", date(2011, 1, 1), "secretary_violation_dates: must be a sequence of dates"),
    ("secretary_violation_dates", ["2011-01-01"], "secretary_violation_dates: must be a date"),
])
def test_invalid_input_raises_value_error_naming_the_field(field, value, message):
    with pytest.raises(ValueError, match=message) as info:
        make(**{field: value})
    assert isinstance(info.value, InputError) and info.value.field == field


def test_input_normalizes_and_is_frozen():
    a = make(round_date=datetime(2012, 4, 10, 9, 30), secretary_violation_dates=[date(2011, 1, 1)], self_score=90)
    assert a.round_date == ROUND and type(a.round_date) is date
    assert a.secretary_violation_dates == (date(2011, 1, 1),) and isinstance(a.self_score, float)
    assert make(secretary_violation_dates=None).secretary_violation_dates == ()
    with pytest.raises(FrozenInstanceError):
        a.self_score = 1.0
    assert make() == make() and hash(make()) == hash(make())


def test_result_is_frozen_and_keeps_its_inputs():
    a, p = make(), ScoringPolicy()
    r = score(a, p)
    assert r.assessment is a and r.policy is p
    with pytest.raises(FrozenInstanceError):
        r.grade = GRADE_A
    assert score(a).policy == p  # the default policy is DOMAIN.md's
