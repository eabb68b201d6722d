"""ScoringPolicy and policy_from_mapping: defaults, round trip, and errors that name the key."""

import copy
import pickle
import re
from dataclasses import FrozenInstanceError, replace

import pytest

from app.scoring import POLICY_KEYS, PolicyError, ScoringPolicy, policy_from_mapping


def test_defaults_are_domain_md():
    p = ScoringPolicy()
    assert dict(p.weights) == {"self": 0.30, "members": 0.20, "peer": 0.20, "superior": 0.30}
    assert dict(p.cutoffs) == {"A": 90.0, "B": 80.0, "C": 60.0}
    assert (p.satisfaction_mass, p.satisfaction_secretary, p.satisfaction_cap) == (0.70, 0.80, True)
    assert (p.veto_satisfaction, p.veto_violation_years, p.grace_months, p.veto_inactive_days) == (0.5, 2, 12, 365)
    assert p.v2_v3_separate and p.v1_enabled and p.v2_enabled and p.v3_enabled and p.v4_enabled


def test_keys_are_documented_in_the_package_docstring():
    import app.scoring

    for key in POLICY_KEYS:
        if not re.fullmatch(r"v\d_enabled", key):
            assert key in app.scoring.__doc__, key
    assert "v1_enabled .. v4_enabled" in app.scoring.__doc__


def test_from_mapping_empty_or_none_is_default():
    assert policy_from_mapping({}) == ScoringPolicy()
    assert policy_from_mapping(None) == ScoringPolicy()


def test_from_mapping_full_round_trip():
    config = {
        "weights": {"self": 0.25, "members": 0.25, "peer": 0.25, "superior": 0.25},
        "cutoffs": {"A": 85, "B": 75, "C": 60},
        "satisfaction_mass": 0.75, "satisfaction_secretary": 0.85, "satisfaction_cap": False,
        "veto_satisfaction": 0.4, "veto_violation_years": 3, "grace_months": 6, "veto_inactive_days": 400,
        "v2_v3_separate": False, "v1_enabled": False, "v2_enabled": True, "v3_enabled": False, "v4_enabled": True,
    }
    p = policy_from_mapping(config)
    assert p.cutoffs["A"] == 85.0 and p.grace_months == 6 and not p.v2_v3_separate
    assert p.to_mapping() == config
    assert policy_from_mapping(p.to_mapping()) == p
    assert set(config) == set(POLICY_KEYS)


def test_policy_is_frozen_hashable_picklable():
    p = ScoringPolicy(grace_months=6)
    with pytest.raises(FrozenInstanceError):
        p.grace_months = 1
    with pytest.raises(TypeError):
        p.weights["self"] = 1.0
    assert hash(p) == hash(ScoringPolicy(grace_months=6)) and p != ScoringPolicy()
    assert pickle.loads(pickle.dumps(p)) == p and copy.deepcopy(p) == p
    assert replace(p, grace_months=0).grace_months == 0


def test_policy_copies_the_callers_dict():
    weights = {"self": 0.3, "members": 0.2, "peer": 0.2, "superior": 0.3}
    p = ScoringPolicy(weights=weights)
    weights["self"] = 0.9
    assert p.weights["self"] == 0.3 and p.weight_tuple == (0.3, 0.2, 0.2, 0.3)


def test_weight_tolerance():
    ok = {"self": 0.3, "members": 0.2, "peer": 0.2, "superior": 0.3 + 1e-10}
    assert ScoringPolicy(weights=ok)
    thirds = {"self": 1 / 3, "members": 1 / 3, "peer": 1 / 3, "superior": 0}
    assert ScoringPolicy(weights=thirds)
    with pytest.raises(ValueError, match="must sum to 100%"):
        ScoringPolicy(weights={**ok, "superior": 0.3 + 1e-8})


@pytest.mark.parametrize("config, message", [
    ({"weights": {"self": 0.3, "members": 0.2, "peer": 0.1, "superior": 0.3}},
     "ZHIBU_SCORING['weights']: weights must sum to 100% (got 90%)"),
    ({"weights": {"self": 30, "members": 20, "peer": 20, "superior": 30}},
     "ZHIBU_SCORING['weights']: weights must sum to 100% (got 10000%) — weights are fractions such as 0.3, "
     "not percentages"),
    ({"weights": {"self": 0.5, "members": -0.1, "peer": 0.3, "superior": 0.3}},
     "ZHIBU_SCORING['weights']: weight for 'members' must not be negative (got -0.1)"),
    ({"weights": {"self": 0.3, "member": 0.2, "peer": 0.2, "superior": 0.3}},
     "ZHIBU_SCORING['weights']: unknown source 'member' (expected self, members, peer, superior)"),
    ({"weights": {"self": 0.5, "superior": 0.5}},
     "ZHIBU_SCORING['weights']: missing weight for 'members' (give 0 to leave a source out)"),
    ({"weights": {"self": "30%", "members": 0.2, "peer": 0.2, "superior": 0.3}},
     "ZHIBU_SCORING['weights']: weight for 'self' must be a number such as 0.3 (got '30%')"),
    ({"weights": [0.3, 0.2, 0.2, 0.3]}, "ZHIBU_SCORING['weights']: must be a mapping of source to weight"),
    ({"cutoffs": {"A": 80, "B": 90, "C": 60}},
     "ZHIBU_SCORING['cutoffs']: cut-offs must decrease from A to C (got A=80, B=90, C=60)"),
    ({"cutoffs": {"A": 90, "B": 80, "C": 60, "D": 0}}, "ZHIBU_SCORING['cutoffs']: unknown grade 'D'"),
    ({"cutoffs": {"A": 90, "B": 80}}, "ZHIBU_SCORING['cutoffs']: missing cut-off for 'C'"),
    ({"cutoffs": {"A": 101, "B": 80, "C": 60}},
     "ZHIBU_SCORING['cutoffs']: cut-off for 'A' must be a number between 0 and 100 (got 101)"),
    ({"satisfaction_mass": 70},
     "ZHIBU_SCORING['satisfaction_mass']: must be a rate between 0 and 1 (got 70) — rates are fractions"),
    ({"satisfaction_secretary": -0.1}, "ZHIBU_SCORING['satisfaction_secretary']: must be a rate between 0 and 1"),
    ({"veto_satisfaction": "0.5"}, "ZHIBU_SCORING['veto_satisfaction']: must be a rate between 0 and 1"),
    ({"satisfaction_cap": "yes"}, "ZHIBU_SCORING['satisfaction_cap']: must be true or false (got 'yes')"),
    ({"v2_v3_separate": 1}, "ZHIBU_SCORING['v2_v3_separate']: must be true or false"),
    ({"v3_enabled": None}, "ZHIBU_SCORING['v3_enabled']: must be true or false"),
    ({"grace_months": -1}, "ZHIBU_SCORING['grace_months']: must be a whole number >= 0 (got -1)"),
    ({"grace_months": 1.5}, "ZHIBU_SCORING['grace_months']: must be a whole number >= 0"),
    ({"veto_violation_years": 0}, "ZHIBU_SCORING['veto_violation_years']: must be a whole number >= 1"),
    ({"veto_inactive_days": True}, "ZHIBU_SCORING['veto_inactive_days']: must be a whole number >= 1"),
    ({"wieghts": {}}, "ZHIBU_SCORING['wieghts']: unknown key (known keys: weights, cutoffs,"),
])
def test_from_mapping_errors_name_the_key(config, message):
    with pytest.raises(ValueError) as info:
        policy_from_mapping(config)
    assert str(info.value).startswith(message), str(info.value)
    assert isinstance(info.value, PolicyError)


def test_unknown_key_suggests_the_close_one():
    with pytest.raises(ValueError, match=r"did you mean 'weights'\?"):
        policy_from_mapping({"wieghts": {}})


def test_from_mapping_custom_name_and_non_mapping():
    with pytest.raises(ValueError, match=r"^SCORING\['grace_months'\]"):
        policy_from_mapping({"grace_months": -2}, name="SCORING")
    with pytest.raises(ValueError, match="ZHIBU_SCORING must be a mapping"):
        policy_from_mapping([("grace_months", 6)])


def test_direct_construction_names_the_field():
    with pytest.raises(PolicyError) as info:
        ScoringPolicy(weights={"self": 0.3, "members": 0.2, "peer": 0.2, "superior": 0.2})
    assert info.value.key == "weights"
    assert str(info.value) == "weights: weights must sum to 100% (got 90%)"
