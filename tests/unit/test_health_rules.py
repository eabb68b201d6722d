"""H1–H11 (app/rules): the boundary cases of issue 9 "Must show 1", each under both profiles."""
from datetime import date, timedelta

import pytest

from app.rules import (
    FAIL, NA, PASS, RULE_IDS, WARN, BranchFacts, CommitteeMemberFacts, ContactFact, MeetingCount, MemberHours,
    Period, PolicyError, SecretaryFacts, SpotCheck, check_branch, check_h3_share, check_h9_committee, policy_for,
    member_training, tally,
)
from app.rules.checks import CHECKS

YEAR = 2026
YEAR_END = Period(YEAR, date(YEAR, 12, 31))
PROFILES = ("2012", "later")


def facts(**kw) -> BranchFacts:
    base = dict(branch_id=7, name="物理系教工党支部", general_branch_id=1, category="teacher", period=YEAR_END,
                formal=20)
    base.update(kw)
    return BranchFacts(**base)


def secretary(**kw) -> SecretaryFacts:
    base = dict(secretary_id=3, member_id=30, name="王书记", appointed_on=date(2020, 3, 1), title_rank="associate",
                hours=60.0, centralized_courses=1)
    base.update(kw)
    return SecretaryFacts(**base)


def check(rule, profile, **kw):
    return CHECKS[rule](facts(**kw), policy_for(profile))


# -- H1: a joint branch holding a unit with 3 formal members ------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h1_unit_with_three_formal_members_needs_its_own_branch(profile):
    result = check("H1", profile, is_joint=True, units=(("化学系", 3), ("生物系", 2)))
    assert result.status == FAIL
    assert result.evidence["units_needing_own_branch"] == ["化学系"]
    assert "化学系" in result.next_zh and "化学系" in result.next_en


@pytest.mark.parametrize("profile", PROFILES)
def test_h1_units_of_two_stay_joint_and_a_plain_branch_is_not_checked(profile):
    assert check("H1", profile, is_joint=True, units=(("化学系", 2), ("生物系", 2))).status == PASS
    assert check("H1", profile, is_joint=False, units=(("化学系", 12),)).status == NA


def test_h1_later_rules_limit_a_joint_branch_to_five_units():
    units = tuple((f"单位{i}", 1) for i in range(6))
    assert check("H1", "2012", is_joint=True, units=units).status == PASS
    result = check("H1", "later", is_joint=True, units=units)
    assert result.status == FAIL and result.evidence["max_units"] == 5
    assert check("H1", "later", is_joint=True, units=units[:5]).status == PASS


# -- H2: branches of 50 and of 51 ----------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h2_a_student_branch_of_50_passes_and_of_51_fails(profile):
    ok = check("H2", profile, category="undergraduate", formal=45, probationary=5)
    big = check("H2", profile, category="undergraduate", formal=45, probationary=6)
    assert (ok.status, ok.evidence["members"], ok.evidence["limit"]) == (PASS, 50, 50)
    assert (big.status, big.evidence["members"]) == (FAIL, 51)
    assert "51" in big.next_zh and "51" in big.next_en


def test_h2_teacher_branches_split_above_30_under_later_rules_only():
    assert check("H2", "2012", category="teacher", formal=50).status == PASS
    assert check("H2", "2012", category="teacher", formal=51).status == FAIL
    assert check("H2", "later", category="teacher", formal=30).status == PASS
    assert check("H2", "later", category="teacher", formal=31).status == FAIL


# -- H3: exactly 80% of teacher-branch secretaries 副高 ---------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h3_exactly_80_percent_senior_passes_and_just_below_fails(profile):
    policy = policy_for(profile)
    exact = check_h3_share(["associate"] * 3 + ["senior", "intermediate"], policy)
    assert (exact.status, exact.evidence["share"]) == (PASS, 0.8)
    below = check_h3_share(["associate"] * 7 + ["intermediate"] * 2 + ["none"], policy)  # 7 of 10
    assert below.status == FAIL
    assert "1" in below.next_zh and "1 more" in below.next_en
    assert check_h3_share([], policy).status == NA


@pytest.mark.parametrize("profile", PROFILES)
def test_h3_per_branch_a_secretary_below_associate_warns(profile):
    assert check("H3", profile, secretary=secretary(title_rank="associate")).status == PASS
    assert check("H3", profile, secretary=secretary(title_rank="senior")).status == PASS
    low = check("H3", profile, secretary=secretary(title_rank="intermediate"))
    assert low.status == WARN and "中级" in low.next_zh and "intermediate" in low.next_en
    assert check("H3", profile, category="graduate", secretary=secretary(title_rank="none")).status == NA


# -- H4: exactly 40 h; 39.5 h ---------------------------------------------------------------------------

def test_h4_exactly_40_hours_passes_and_39_5_fails_under_the_2012_plan():
    assert check("H4", "2012", secretary=secretary(hours=40.0, centralized_courses=0)).status == PASS
    short = check("H4", "2012", secretary=secretary(hours=39.5))
    assert short.status == FAIL
    assert short.evidence["hours"] == 39.5 and short.evidence["target"] == 40
    assert "0.5" in short.next_zh and "0.5 h short" in short.next_en


def test_h4_later_rules_want_56_hours_and_one_centralized_course():
    assert check("H4", "later", secretary=secretary(hours=40.0)).status == FAIL
    assert check("H4", "later", secretary=secretary(hours=39.5)).status == FAIL
    assert check("H4", "later", secretary=secretary(hours=56.0, centralized_courses=1)).status == PASS
    no_course = check("H4", "later", secretary=secretary(hours=56.0, centralized_courses=0))
    assert no_course.status == FAIL and "centralized" in no_course.next_en


@pytest.mark.parametrize("profile", PROFILES)
def test_h4_short_hours_only_warn_while_the_year_runs(profile):
    running = Period(YEAR, date(YEAR, 6, 30))
    assert check("H4", profile, period=running, secretary=secretary(hours=10.0)).status == WARN
    assert check("H4", profile, secretary=None).status == NA


# -- H5: a new secretary trained at day 182 and 183 --------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h5_new_secretary_trained_on_day_182_passes_and_183_fails(profile):
    appointed = date(YEAR, 3, 1)
    on_time = check("H5", profile, secretary=secretary(appointed_on=appointed,
                                                        first_training_on=appointed + timedelta(days=182),
                                                        first_training_id=11))
    late = check("H5", profile, secretary=secretary(appointed_on=appointed,
                                                     first_training_on=appointed + timedelta(days=183),
                                                     first_training_id=12))
    assert (on_time.status, on_time.evidence["day"], on_time.evidence["first_training_id"]) == (PASS, 182, 11)
    assert (late.status, late.evidence["day"]) == (FAIL, 183)
    assert "183" in late.next_zh and "183" in late.next_en


@pytest.mark.parametrize("profile", PROFILES)
def test_h5_untrained_new_secretary_warns_until_the_deadline_then_fails(profile):
    appointed = date(YEAR, 3, 1)
    deadline = appointed + timedelta(days=182)
    s = secretary(appointed_on=appointed)
    assert check("H5", profile, period=Period(YEAR, deadline), secretary=s).status == WARN
    assert check("H5", profile, period=Period(YEAR, deadline + timedelta(days=1)), secretary=s).status == FAIL
    assert check("H5", profile, secretary=secretary(appointed_on=date(2020, 3, 1))).status == NA


# -- H6: member training -----------------------------------------------------------------------------------

def hours(*rows):
    return tuple(MemberHours(i, f"党员{i}", h, o) for i, (h, o) in enumerate(rows, 1))


def h6(profile, rows, category="teacher"):
    target = policy_for(profile).hours_for(category)
    return check("H6", profile, category=category, training=member_training(rows, target) if rows else None)


def test_h6_teacher_members_need_24_hours_with_12_online_in_2012():
    assert h6("2012", hours((24, 12), (30, 12))).status == PASS
    online_short = h6("2012", hours((24, 11.5)) + hours(*[(24, 12)] * 9)[1:])
    assert online_short.status == FAIL  # 8 of 9 on target: below the 90% warn line
    assert online_short.evidence["short_members"][0]["online_hours"] == 11.5


def test_h6_student_members_need_16_hours_in_2012_and_32_later():
    assert h6("2012", hours((16, 0)), "undergraduate").status == PASS
    assert h6("later", hours((16, 0)), "undergraduate").status == FAIL
    assert h6("later", hours((32, 0))).status == PASS


@pytest.mark.parametrize("profile", PROFILES)
def test_h6_nine_in_ten_on_target_warns_and_eight_fails(profile):
    target = 32 if profile == "later" else 24
    nine = hours(*([(target, 12)] * 9 + [(1, 0)]))
    eight = hours(*([(target, 12)] * 8 + [(1, 0)] * 2))
    assert h6(profile, nine).status == WARN
    assert h6(profile, eight).status == FAIL
    assert h6(profile, ()).status == NA


# -- H7: a month with no meeting --------------------------------------------------------------------------

def monthly(kinds=("general_meeting",), skip=()):
    out = [MeetingCount(month, kind, 1) for month in range(1, 13) if month not in skip for kind in kinds]
    out.append(MeetingCount(12, "life_meeting", 1))
    return tuple(out)


LATER_KINDS = ("general_meeting", "committee_meeting", "theme_day")


@pytest.mark.parametrize("profile", PROFILES)
def test_h7_a_month_with_no_meeting_fails(profile):
    kinds = LATER_KINDS if profile == "later" else ("general_meeting",)
    full = check("H7", profile, meetings=monthly(kinds), appraised=20)
    assert full.status == PASS, full.next_en
    gap = check("H7", profile, meetings=monthly(kinds, skip=(3,)), appraised=20)
    assert gap.status == FAIL
    assert "2026-03" in gap.next_zh and "2026-03" in gap.next_en
    assert "2026-03" in str(gap.evidence["missing"])


@pytest.mark.parametrize("profile", PROFILES)
def test_h7_the_running_month_only_warns(profile):
    kinds = LATER_KINDS if profile == "later" else ("general_meeting",)
    meetings = tuple(m for m in monthly(kinds) if m.month < 11)
    result = check("H7", profile, period=Period(YEAR, date(YEAR, 11, 15)), meetings=meetings, appraised=20)
    assert result.status == WARN and "2026-11" in result.next_en


def test_h7_appraisal_every_two_years_in_2012_and_every_year_later():
    meetings = monthly(LATER_KINDS)
    assert check("H7", "2012", meetings=meetings, appraised=20).status == PASS
    assert check("H7", "2012", meetings=meetings, appraised=19).status == FAIL
    assert check("H7", "later", meetings=meetings, appraised=20).status == PASS
    assert policy_for("2012").appraisal_every_years == 2 and policy_for("later").appraisal_every_years == 1


def test_h7_later_rules_skip_the_committee_meeting_below_seven_formal_members():
    kinds = ("general_meeting", "theme_day")
    assert check("H7", "later", formal=6, meetings=monthly(kinds), appraised=6).status == PASS
    assert check("H7", "later", formal=7, meetings=monthly(kinds), appraised=7).status == FAIL


# -- H8: funds of exactly 100 元 per member -----------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h8_exactly_100_yuan_per_member_passes(profile):
    exact = check("H8", profile, formal=18, probationary=2, funding_id=5, activity_funds=2000.0, training_funds=2000.0)
    assert (exact.status, exact.evidence["activity_per_member"]) == (PASS, 100)
    short = check("H8", profile, formal=18, probationary=2, funding_id=5, activity_funds=1999.99, training_funds=2000.0)
    assert short.status == FAIL and "0.01" in short.next_zh and "Activity funds" in short.next_en
    assert check("H8", profile, funding_id=None).status == FAIL
    assert check("H8", profile, formal=0, funding_id=None).status == NA


# -- H9: contact person and 党总支委员 ----------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h9_a_branch_needs_a_contact_who_attends(profile):
    assert check("H9", profile, contacts=()).status == FAIL
    assert check("H9", profile, contacts=(ContactFact(4, "李院长", 0),)).status == FAIL
    assert check("H9", profile, period=Period(YEAR, date(YEAR, 5, 1)),
                 contacts=(ContactFact(4, "李院长", 0),)).status == WARN
    ok = check("H9", profile, contacts=(ContactFact(4, "李院长", 2),))
    assert ok.status == PASS and ok.evidence["contacts"][0]["cadre_id"] == 4


@pytest.mark.parametrize("profile", PROFILES)
def test_h9_every_general_branch_committee_member_contacts_a_student_branch(profile):
    p = policy_for(profile)
    linked = CommitteeMemberFacts(1, "张委员", 1, (7,), 1)
    assert check_h9_committee([linked], True, p).status == PASS
    result = check_h9_committee([linked, CommitteeMemberFacts(2, "赵委员", 1, (), 0)], True, p)
    assert result.status == FAIL and "赵委员" in result.next_zh and "赵委员" in result.next_en
    assert check_h9_committee([], True, p).status == FAIL
    assert check_h9_committee([], False, p).status == NA


# -- H10: re-election on time -------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h10_term_end_exactly_on_the_check_day_is_on_time(profile):
    on_day = check("H10", profile, elected_on=date(YEAR - 3, 12, 31), term_years=3)
    assert on_day.status == WARN  # 0 months left: prepare
    late = check("H10", profile, elected_on=date(YEAR - 3, 12, 30), term_years=3)
    assert late.status == FAIL and late.evidence["term_end"] == "2026-12-30"
    assert check("H10", profile, elected_on=date(YEAR - 1, 6, 1), term_years=3).status == PASS
    assert check("H10", profile, elected_on=None).status == FAIL


def test_h10_an_exemption_warns_in_2012_and_only_within_a_year_later():
    kw = dict(elected_on=date(2022, 6, 1), term_years=3, election_exemption="合并重组")
    assert check("H10", "2012", **kw).status == WARN
    assert check("H10", "later", **kw).status == FAIL            # ended 2025-06-01, extension to 2026-06-01
    assert check("H10", "later", **dict(kw, elected_on=date(2023, 2, 1))).status == WARN
    assert check("H10", "later", category="graduate", elected_on=date(YEAR - 1, 6, 1), term_years=2).status == WARN


# -- H11: documents and spot checks --------------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_h11_plan_summary_and_one_spot_check_each_semester(profile):
    checks = (SpotCheck(1, date(YEAR, 4, 1)), SpotCheck(2, date(YEAR, 11, 1)))
    assert check("H11", profile, plan_id=1, summary_id=2, spot_checks=checks).status == PASS
    missing = check("H11", profile, plan_id=1, summary_id=2, spot_checks=checks[:1])
    assert missing.status == FAIL and "2026-S2" in missing.evidence["semesters_missing"]
    assert check("H11", profile, plan_id=None, summary_id=2, spot_checks=checks).status == FAIL
    failed = check("H11", profile, plan_id=1, summary_id=2, spot_checks=(checks[0], checks[1]._replace(passed=False)))
    assert failed.status == WARN


# -- the whole and the policy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_every_rule_answers_with_a_status_evidence_and_two_sentences(profile):
    results = check_branch(facts(secretary=secretary()), policy_for(profile))
    assert tuple(r.rule for r in results) == RULE_IDS
    for r in results:
        assert r.status in (PASS, WARN, FAIL, NA) and isinstance(r.evidence, dict)
        assert r.next_zh and r.next_en and r.next_zh != r.next_en
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in r.next_en.replace("副高", "").replace("组织生活会", ""))


def test_tally_counts_and_compliance_leaves_not_applicable_out():
    assert tally([PASS, PASS, WARN, FAIL, NA]) == {"pass": 2, "warn": 1, "fail": 1, "n/a": 1, "compliance": 0.5}
    assert tally([NA])["compliance"] is None


def test_every_threshold_can_be_overridden_and_typos_are_refused():
    assert policy_for("2012", {"secretary_hours": 48}).secretary_hours == 48.0
    assert policy_for("later", {"split_size": 40}).split_size == 40
    with pytest.raises(PolicyError, match="did you mean 'secretary_hours'"):
        policy_for("2012", {"secretary_hour": 48})
    with pytest.raises(PolicyError, match="fractions"):
        policy_for("2012", {"senior_title_share": 80})
    with pytest.raises(PolicyError, match="profile"):
        policy_for("2019")
