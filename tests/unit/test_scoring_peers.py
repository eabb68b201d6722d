"""分类互评 peers: groups (学生 = 本科生 + 研究生), within a general branch, across where alone."""
import pytest

from app.scoring.peers import (
    DEFAULT_PEER_GROUPS, PeerBranch, PeerGroupError, PeerPair, pair_within, peer_group, peer_groups_from_mapping, plan_peers,
)


def b(bid, gb, category):
    return PeerBranch(bid, gb, category)


def test_undergraduate_and_graduate_branches_are_one_student_group_by_default_and_configurable():
    assert peer_group("undergraduate") == peer_group("graduate") == "student"
    assert peer_group("teacher") != peer_group("retired")
    split = {"undergraduate": "ug", "graduate": "pg"}
    assert peer_group("undergraduate", split) != peer_group("graduate", split)


def test_peers_within_a_general_branch_never_review_themselves_or_another_group():
    plan = plan_peers([b(1, 1, "undergraduate"), b(2, 1, "graduate"), b(3, 1, "undergraduate"),
                       b(4, 1, "teacher"), b(5, 1, "teacher")], reviewers=2)
    pairs = {(p.reviewer_id, p.target_id) for p in plan.pairs}
    assert pairs == {(2, 1), (3, 1), (3, 2), (1, 2), (1, 3), (2, 3), (5, 4), (4, 5)}
    assert not any(p.cross for p in plan.pairs) and plan.unmatched == ()


def test_a_single_branch_of_a_group_gets_peers_from_other_general_branches():
    plan = plan_peers([b(1, 1, "retired"), b(2, 1, "teacher"), b(3, 1, "teacher"),
                       b(4, 2, "retired"), b(5, 2, "retired"), b(6, 3, "service")], reviewers=2)
    cross = {(p.reviewer_id, p.target_id) for p in plan.pairs if p.cross}
    assert cross == {(4, 1), (5, 1)}
    assert plan.unmatched == (6,)          # no other 服务 branch anywhere


def test_one_reviewer_when_the_group_has_two_and_a_bad_count_is_refused():
    plan = plan_peers([b(1, 1, "teacher"), b(2, 1, "teacher")], reviewers=3)
    assert set(plan.pairs) == {PeerPair(2, 1), PeerPair(1, 2)}
    with pytest.raises(ValueError, match="reviewers"):
        plan_peers([], reviewers=0)


def test_pairs_within_one_general_branch_are_a_ring_per_group_and_single_groups_are_reported():
    within = pair_within([b(7, 1, "teacher"), b(3, 1, "teacher"), b(5, 1, "teacher"), b(9, 1, "graduate"),
                          b(4, 1, "undergraduate"), b(8, 1, "retired")], reviewers=2)
    # teachers 3 -> 5 -> 7 -> 3 (id order); 学生: 4 and 9 review each other; 离退休 alone
    assert set(within.pairs) == {PeerPair(5, 3), PeerPair(7, 3), PeerPair(7, 5), PeerPair(3, 5),
                                 PeerPair(3, 7), PeerPair(5, 7), PeerPair(9, 4), PeerPair(4, 9)}
    assert within.single == (("retired", 8),)
    again = pair_within(list(reversed([b(7, 1, "teacher"), b(3, 1, "teacher"), b(5, 1, "teacher"),
                                       b(9, 1, "graduate"), b(4, 1, "undergraduate"), b(8, 1, "retired")])))
    assert again == within                       # the order of the input changes nothing


def test_split_student_groups_leave_each_student_branch_alone():
    groups = peer_groups_from_mapping({"undergraduate": "本科生", "graduate": "研究生"})
    within = pair_within([b(1, 1, "undergraduate"), b(2, 1, "graduate")], reviewers=1, groups=groups)
    assert within.pairs == () and within.single == (("本科生", 1), ("研究生", 2))


def test_peer_group_configuration_is_validated_naming_the_key():
    assert peer_groups_from_mapping(None) == DEFAULT_PEER_GROUPS
    assert peer_groups_from_mapping({"admin": "机关"})["admin"] == "机关"
    assert peer_groups_from_mapping({"admin": "机关"})["service"] == "service"
    with pytest.raises(PeerGroupError, match=r"ZHIBU_PEER_GROUPS\['student'\]: unknown branch category"):
        peer_groups_from_mapping({"student": "学生"})
    with pytest.raises(PeerGroupError, match=r"ZHIBU_PEER_GROUPS\['graduate'\]: the group must be a non-empty"):
        peer_groups_from_mapping({"graduate": " "})
    with pytest.raises(PeerGroupError, match="must be a mapping"):
        peer_groups_from_mapping(["teacher"])
    with pytest.raises(ValueError, match="reviewers"):
        pair_within([], reviewers=0)
