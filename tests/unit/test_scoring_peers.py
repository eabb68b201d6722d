"""分类互评 peers: groups (学生 = 本科生 + 研究生), within a general branch, across where alone."""
import pytest

from app.scoring.peers import PeerBranch, PeerPair, peer_group, plan_peers


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
