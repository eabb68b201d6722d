"""分类互评 peers (附件1 三、): who reviews whom, pure.

"教师、学生、离退休等各类党支部分类互评": branches are reviewed by branches of the same group —
教师; 学生 = 本科生 + 研究生 (configurable); 离退休; 管理; 服务. The general branch organizes peers
among its own branches; where it has a single branch of a group, the committee assigns peers
from other general branches (DOMAIN.md "Assessment", source "peer").

    plan = plan_peers(branches, reviewers=2)
    plan.pairs        # PeerPair(reviewer, target, cross) — cross: assigned by the committee
    plan.unmatched    # targets no branch of their group can review, in the whole committee
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

#: branch category -> peer group (the plan's 教师、学生、离退休等各类)
DEFAULT_PEER_GROUPS = {"teacher": "teacher", "undergraduate": "student", "graduate": "student",
                       "retired": "retired", "admin": "admin", "service": "service"}


@dataclass(frozen=True)
class PeerBranch:
    branch_id: int
    general_branch_id: int
    category: str


@dataclass(frozen=True)
class PeerPair:
    """reviewer scores target; cross: the pair spans general branches (the committee assigns it)."""

    reviewer_id: int
    target_id: int
    cross: bool = False


@dataclass(frozen=True)
class PeerPlan:
    pairs: tuple
    unmatched: tuple                 # branch ids with no possible reviewer


def peer_group(category: str, groups: Mapping | None = None) -> str:
    """The peer group of a category; a category missing from the mapping is its own group."""
    return (groups or DEFAULT_PEER_GROUPS).get(category, category)


def _ring(ids, reviewers):
    """Each id reviewed by the next `reviewers` ids of the ring (never itself)."""
    n = len(ids)
    for i, target in enumerate(ids):
        for step in range(1, min(reviewers, n - 1) + 1):
            yield ids[(i + step) % n], target


def plan_peers(branches, reviewers: int = 2, groups: Mapping | None = None) -> PeerPlan:
    """Peers within each general branch and group; a group's single branch gets peers from the
    same group in other general branches (round-robin, so the load spreads)."""
    if not isinstance(reviewers, int) or isinstance(reviewers, bool) or reviewers < 1:
        raise ValueError(f"reviewers must be a whole number >= 1 (got {reviewers!r})")
    cells = defaultdict(list)
    for b in sorted(branches, key=lambda b: (b.general_branch_id, b.branch_id)):
        cells[(b.general_branch_id, peer_group(b.category, groups))].append(b.branch_id)
    pairs, lonely = [], []
    for (gb_id, group), ids in sorted(cells.items()):
        if len(ids) == 1:
            lonely.append((group, gb_id, ids[0]))
        else:
            pairs.extend(PeerPair(r, t) for r, t in _ring(ids, reviewers))
    by_group = defaultdict(list)      # group -> [(gb, branch)] over the whole committee
    for (gb_id, group), ids in sorted(cells.items()):
        by_group[group].extend((gb_id, i) for i in ids)
    unmatched, turn = [], defaultdict(int)
    for group, gb_id, target in lonely:
        others = [i for g, i in by_group[group] if g != gb_id]
        if not others:
            unmatched.append(target)
            continue
        for _ in range(min(reviewers, len(others))):
            reviewer = others[turn[group] % len(others)]
            turn[group] += 1
            pairs.append(PeerPair(reviewer, target, cross=True))
    return PeerPlan(tuple(dict.fromkeys(pairs)), tuple(unmatched))
