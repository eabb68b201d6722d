"""explain(): the sentences a secretary reads, in Chinese (default) and English."""

from datetime import date, timedelta

import pytest

from app.scoring import AssessmentInput, ScoringPolicy, score

ROUND = date(2012, 4, 10)
CLEAN = dict(round_date=ROUND, mass_satisfaction=0.9, secretary_satisfaction=0.9,
             elected_on=date(2010, 9, 1), last_activity_on=date(2012, 3, 20))


def lines(lang="zh", policy=None, **kw):
    r = score(AssessmentInput(**{**CLEAN, **kw}), policy or ScoringPolicy())
    out = r.explain() if lang == "zh" else r.explain(lang=lang)
    assert isinstance(out, list) and all(isinstance(x, str) and x for x in out)
    return out


def text(lang="zh", policy=None, **kw):
    return "\n".join(lines(lang, policy, **kw))


FULL = dict(self_score=92.0, member_score=88.0, peer_score=91.0, superior_score=90.0)


def test_zh_names_sources_weights_composite_cutoff_and_grade():
    out = lines(**FULL)
    assert out[0] == "党支部委员会自评：92.00 分，权重 30%"
    assert out[1] == "支部党员评议：88.00 分，权重 20%"
    assert "综合得分 90.40 分（= 92.00×30% + 88.00×20% + 91.00×20% + 90.00×30%）。" in out
    assert "综合得分达到“好”的分数线 90 分。" in out
    assert out[-1] == "最终等次：好（A）。"


def test_en_names_sources_weights_composite_cutoff_and_grade():
    out = lines("en", **FULL)
    assert out[0] == "Branch committee self-assessment: 92.00, weight 30%"
    assert "Composite score 90.40 (= 92.00×30% + 88.00×20% + 91.00×20% + 90.00×30%)." in out
    assert "The composite reaches the cut-off for Good, 90." in out
    assert out[-1] == "Final grade: Good (A)."


def test_missing_source_and_effective_weights():
    t = text(**{**FULL, "peer_score": None})
    assert "党支部委员会自评：92.00 分，权重 30%，缺项后按比例折算为 37.5%" in t
    assert "党支部分类互评：无分数（权重 20%），不计入综合得分" in t
    assert "缺少党支部分类互评的分数：其余来源按权重比例重新分配，综合得分为部分结果。" in t
    en = text("en", **{**FULL, "peer_score": None})
    assert "weight 30%, re-weighted to 37.5%" in en and "Missing: Peer review" in en and "partial" in en


def test_no_sources_no_grade():
    t = text()
    assert "没有任何计入权重的来源有分数，无法计算综合得分。" in t
    assert t.endswith("无法确定等次：没有分数，也没有否决项。")
    assert text("en").endswith("No grade: there are no scores and no veto.")


def test_cutoffs_below_good():
    assert "综合得分达到“较好”的分数线 80 分。" in text(**{**FULL, "self_score": 60.0})
    poor = text(**{k: 50.0 for k in FULL})
    assert "综合得分低于“一般”的分数线 60 分，对应“较差”。" in poor and poor.endswith("最终等次：较差（D）。")
    assert "below the cut-off for Average, 60, which means Poor" in text("en", **{k: 50.0 for k in FULL})


def test_cap_names_the_rate_and_the_threshold():
    t = text(**FULL, mass_satisfaction=0.65)
    assert "群众对党员发挥作用的满意率 65% 低于标准 70%，因此不能评为“好”。" in t
    assert t.endswith("最终等次：较好（B）：综合得分已达“好”，因满意率未达标降为“较好”。")
    en = text("en", **FULL, secretary_satisfaction=0.755)
    assert "Members' satisfaction with the branch secretary is 75.5%, below the standard of 80%" in en
    assert en.endswith("lowered to Fairly good because a satisfaction rate is below standard.")


def test_below_standard_without_effect_and_cap_off():
    assert "（低于标准时不能评为“好”）" in text(**{**FULL, "self_score": 60.0}, mass_satisfaction=0.6)
    off = text("zh", ScoringPolicy(satisfaction_cap=False), **FULL, mass_satisfaction=0.6)
    assert "满意率仅作参考" in off and off.endswith("最终等次：好（A）。")


def test_missing_rates_are_said():
    t = text(**FULL, mass_satisfaction=None)
    assert "未提供群众对党员发挥作用的满意率" in t
    assert "No figure for the masses' satisfaction" in text("en", **FULL, mass_satisfaction=None)


def test_v1_line():
    t = text(**FULL, secretary_violation_dates=(date(2011, 5, 3),))
    assert "V1 近两年来党支部书记有重大违纪违法行为：2011-05-03，在考评日前 2 年内（自 2010-04-10 起）" in t
    assert t.endswith("最终等次：较差（D），由否决项 V1 直接确定，与综合得分无关。")
    en = text("en", **FULL, secretary_violation_dates=(date(2011, 5, 3),))
    assert "V1 the branch secretary committed a major violation" in en and "2011-05-03" in en
    assert en.endswith("Final grade: Poor (D), set by veto V1 whatever the composite.")


def test_v2_line():
    t = text(**FULL, elected_on=date(2007, 9, 1))
    assert ("V2 无故长期不换届：上次换届 2007-09-01，任期 3 年，应于 2010-09-01 换届，宽限 12 个月至 2011-09-01，"
            "考评日已超过 222 天") in t
    assert "due 2010-09-01, 12 months' grace until 2011-09-01, now 222 days overdue" in text(
        "en", **FULL, elected_on=date(2007, 9, 1))
    no_grace = text("zh", ScoringPolicy(grace_months=0), **FULL, elected_on=date(2007, 9, 1))
    assert "应于 2010-09-01 换届，考评日已超过 587 天" in no_grace and "宽限" not in no_grace


def test_v2_exemption_and_missing_date_are_said():
    t = text(**FULL, elected_on=date(2007, 9, 1), election_exemption="合并重组")
    assert "记录了免除理由“合并重组”，不触发 V2" in t
    assert "未填写支部换届日期，无法检查 V2" in text(**FULL, elected_on=None)
    assert "V2 (no re-election without cause) could not be checked" in text("en", **FULL, elected_on=None)


def test_v3_line_as_in_the_brief():
    t = text(**FULL, round_date=date(2011, 1, 5) + timedelta(days=460), last_activity_on=date(2011, 1, 5))
    assert "V3 一年以上没有开展活动：最近一次活动 2011-01-05，距考评日 460 天" in t
    assert "V3 一年以上没有开展活动：没有任何活动记录" in text(**FULL, last_activity_on=None)
    assert "V3 no activity for over a year: last activity 2011-01-05, 460 days before the round" in text(
        "en", **FULL, round_date=date(2011, 1, 5) + timedelta(days=460), last_activity_on=date(2011, 1, 5))


def test_v4_line():
    t = text(**FULL, mass_satisfaction=0.45, secretary_satisfaction=0.3)
    assert "V4 满意率低于 50%：群众对党员发挥作用的满意率 45%、支部书记在党员中的满意率 30%" in t
    assert "不能评为“好”" not in t  # a veto decides; the cap is not offered as the reason
    assert "V4 a satisfaction rate below 50%: the masses' satisfaction with members' role 45%" in text(
        "en", **FULL, mass_satisfaction=0.45)


def test_combined_rule_unmet_is_said():
    p = ScoringPolicy(v2_v3_separate=False)
    t = text("zh", p, **FULL, last_activity_on=None)
    assert "一年以上没有开展活动的情形存在" in t and "同时成立，未触发否决" in t
    assert "this policy vetoes only when no re-election and no activity" in text("en", p, **FULL, last_activity_on=None)


@pytest.mark.parametrize("lang", ["zh_CN", "zh-Hans", "ZH", "en_US", "en-GB"])
def test_locale_variants(lang):
    r = score(AssessmentInput(**CLEAN, **FULL))
    assert r.explain(lang) == r.explain(lang[:2].lower())


def test_unsupported_language():
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        score(AssessmentInput(**CLEAN)).explain("fr")
