"""Properties of the engine over generated inputs and policies (purity: tests/unit/test_layers.py)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring import GRADE_A, GRADE_B, GRADE_D, SOURCES, AssessmentInput, ScoringPolicy, score

FIELDS = ("self_score", "member_score", "peer_score", "superior_score")
ROUND = date(2012, 4, 10)

scores = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))
rates = st.one_of(st.none(), st.floats(0, 1, allow_nan=False))
days = st.integers(-3000, 30)


@st.composite
def inputs(draw):
    offset = draw(st.one_of(st.none(), days))
    return AssessmentInput(
        round_date=ROUND,
        **{f: draw(scores) for f in FIELDS},
        mass_satisfaction=draw(rates), secretary_satisfaction=draw(rates),
        secretary_violation_dates=tuple(ROUND + timedelta(d) for d in draw(st.lists(days, max_size=2))),
        elected_on=draw(st.one_of(st.none(), st.dates(date(2000, 1, 1), ROUND))),
        term_years=draw(st.integers(1, 5)),
        election_exemption=draw(st.sampled_from([None, "", "合并重组"])),
        last_activity_on=None if offset is None else ROUND + timedelta(offset),
    )


@st.composite
def policies(draw):
    parts = draw(st.lists(st.integers(0, 100), min_size=4, max_size=4).filter(lambda xs: sum(xs) > 0))
    total = sum(parts)
    weights = dict(zip(SOURCES, (p / total for p in parts)))
    c = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3, unique=True)), reverse=True)
    return ScoringPolicy(
        weights=weights, cutoffs={"A": c[0], "B": c[1], "C": c[2]},
        satisfaction_cap=draw(st.booleans()), v2_v3_separate=draw(st.booleans()),
        grace_months=draw(st.integers(0, 24)), veto_inactive_days=draw(st.integers(1, 800)),
    )


FAST = settings(max_examples=80, deadline=None)


@FAST
@given(inputs(), policies())
def test_composite_lies_between_the_present_sources(a, p):
    r = score(a, p)
    present = [s for s, w in zip(a.source_scores(), p.weight_tuple) if s is not None and w > 0]
    if not present:
        assert r.composite is None
    else:
        assert min(present) - 0.005 <= r.composite <= max(present) + 0.005
        assert r.composite == round(r.composite, 2)


@FAST
@given(inputs(), policies())
def test_any_veto_means_poor_and_grade_is_otherwise_the_cutoffs(a, p):
    r = score(a, p)
    if r.vetoes:
        assert r.grade is GRADE_D and not r.capped
    elif r.capped:
        assert r.base_grade is GRADE_A and r.grade is GRADE_B and r.below_standard and p.satisfaction_cap
    else:
        assert r.grade is r.base_grade
    assert (r.grade is None) == (r.composite is None and not r.vetoes)
    assert list(r.vetoes) == sorted(set(r.vetoes))


@FAST
@given(inputs(), policies())
def test_explain_never_fails_and_names_every_veto(a, p):
    r = score(a, p)
    for lang in ("zh", "en"):
        text = "\n".join(r.explain(lang))
        for code in r.vetoes:
            assert code in text


@FAST
@given(inputs(), st.sampled_from(FIELDS), st.floats(0, 100, allow_nan=False))
def test_raising_a_score_never_lowers_the_composite(a, field, new):
    old = getattr(a, field)
    if old is None or new < old:
        return
    kwargs = {f: getattr(a, f) for f in a.__dataclass_fields__}
    higher = score(AssessmentInput(**{**kwargs, field: new}))
    assert higher.composite >= score(a).composite


@FAST
@given(st.floats(0, 100, allow_nan=False))
def test_equal_scores_give_that_score(x):
    a = AssessmentInput(round_date=ROUND, **{f: x for f in FIELDS}, last_activity_on=ROUND)
    assert score(a).composite == round(x + 1e-9, 2)
