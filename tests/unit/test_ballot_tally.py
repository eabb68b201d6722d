"""The pure tally of ballots: means, rates, the minimum turnout, the answers' validation."""
import pytest

from app.scoring import AssessmentInput, BallotInputError, CampaignTally, Origin, parse_answers, score
from datetime import date


def _members(*ballots):
    return CampaignTally("members", min_turnout=3).plus(
        {**{f"s{i}": v for i, v in enumerate(s, 1)}, "secretary": sec} for s, sec in ballots)


def test_members_source_is_the_mean_of_totals_and_the_rate_the_share_of_content():
    t = _members(((20,) * 5, "satisfied"), ((10,) * 5, "basic"), ((15, 15, 15, 15, 16), "unsatisfied"))
    assert t.turnout == 3 and t.member_score() == pytest.approx(75.33)
    assert t.rate() == pytest.approx(2 / 3)


def test_below_the_minimum_turnout_the_figures_are_missing():
    t = _members(((20,) * 5, "satisfied"), ((10,) * 5, "basic"))
    assert t.member_score() is None and t.rate() is None
    masses = CampaignTally("masses", min_turnout=1).plus([{"role": "unsatisfied"}])
    assert masses.rate() == 0.0


@pytest.mark.parametrize("bad", ["21", "-1", "", " ", "1e1", "12.0", "9" * 30, "１", None])
def test_a_subscore_is_a_whole_number_0_to_20(bad):
    form = {"s1": 1, "s2": 2, "s3": 3, "s4": 4, "s5": bad, "secretary": "basic"}
    with pytest.raises(BallotInputError) as err:
        parse_answers("members", form)
    assert err.value.field == "s5"


def test_answers_are_one_of_three():
    assert parse_answers("masses", {"role": "basic"}) == {"role": "basic"}
    with pytest.raises(BallotInputError):
        parse_answers("masses", {"role": "SATISFIED"})


def test_explanations_say_where_figures_came_from():
    a = AssessmentInput(round_date=date(2012, 10, 10), self_score=90, member_score=None, mass_satisfaction=0.8,
                        origins=(Origin("members", "ballots", 3, 5), Origin("mass", "typed"),
                                 Origin("secretary", "ballots", 7, 5, closed=True)))
    zh = score(a).explain()
    assert "支部党员评议：匿名测评只收到 3 张选票，少于最低有效票数 5，按缺项处理，测评进行中，结果随选票更新。" in zh
    assert "群众对党员发挥作用的满意率：未开展匿名测评，按纸质表手工录入。" in zh
    en = score(a).explain("en")
    assert ("Members' satisfaction with the branch secretary: tallied from 7 anonymous ballots (minimum turnout 5); "
            "the ballot is closed and the figure is final.") in en
