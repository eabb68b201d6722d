"""分类互评 peers (附件1 三、): who reviews whom, pure.

"教师、学生、离退休等各类党支部分类互评": branches are reviewed by branches of the same group —
教师; 学生 = 本科生 + 研究生 (configurable); 离退休; 管理; 服务. The general branch organizes peers
among its own branches; where it has a single branch of a group, the committee assigns peers
from other general branches (DOMAIN.md "Assessment", source "peer").

    plan = plan_peers(branches, reviewers=2)
    plan.pairs        # PeerPair(reviewer, target, cross) — cross: assigned by the committee
    plan.unmatched    # targets no branch of their group can review, in the whole committee

    groups = peer_groups_from_mapping({"undergraduate": "ug"})  # config ZHIBU_PEER_GROUPS
    within = pair_within(branches_of_one_general_branch, reviewers=2, groups=groups)
    within.pairs      # PeerPair(reviewer, target), all inside the general branch
    within.single     # (group, branch id): the group's only branch there; the committee assigns it
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

#: branch category -> peer group (the plan's 教师、学生、离退休等各类)
DEFAULT_PEER_GROUPS = {"teacher": "teacher", "undergraduate": "student", "graduate": "student",
                       "retired": "retired", "admin": "admin", "service": "service"}


#: the branch categories (models/choices.BRANCH_CATEGORIES' codes; this module imports no Flask)
CATEGORIES = ("teacher", "undergraduate", "graduate", "admin", "service", "retired")


class PeerGroupError(ValueError):
    """A bad ZHIBU_PEER_GROUPS; the message names the key."""


def peer_groups_from_mapping(mapping) -> dict:
    """The default groups with the configuration's overrides (category -> group name).

    Raises PeerGroupError naming the key: an unknown category, or a group that is not a
    non-empty text."""
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping):
        raise PeerGroupError(f"ZHIBU_PEER_GROUPS must be a mapping of branch category to group "
                             f"(got {type(mapping).__name__})")
    groups = dict(DEFAULT_PEER_GROUPS)
    for key, value in mapping.items():
        if key not in CATEGORIES:
            raise PeerGroupError(f"ZHIBU_PEER_GROUPS[{key!r}]: unknown branch category "
                                 f"(expected {', '.join(CATEGORIES)})")
        if not isinstance(value, str) or not value.strip():
            raise PeerGroupError(f"ZHIBU_PEER_GROUPS[{key!r}]: the group must be a non-empty text (got {value!r})")
        groups[key] = value.strip()
    return groups


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


@dataclass(frozen=True)
class WithinPlan:
    pairs: tuple                     # PeerPair, never cross
    single: tuple                    # (group, branch id): a group with one branch in the general branch


def pair_within(branches, reviewers: int = 2, groups: Mapping | None = None) -> WithinPlan:
    """The peers one general branch organizes among its own branches: each branch reviewed by the
    next `reviewers` branches of its group (a ring in id order: deterministic, the load even);
    a group with a single branch is reported for the committee."""
    _check_reviewers(reviewers)
    cells = defaultdict(list)
    for b in sorted(branches, key=lambda b: b.branch_id):
        cells[peer_group(b.category, groups)].append(b.branch_id)
    pairs, single = [], []
    for group, ids in sorted(cells.items()):
        if len(ids) == 1:
            single.append((group, ids[0]))
        else:
            pairs.extend(PeerPair(r, t) for r, t in _ring(ids, reviewers))
    return WithinPlan(tuple(pairs), tuple(single))


def _check_reviewers(reviewers) -> None:
    if not isinstance(reviewers, int) or isinstance(reviewers, bool) or reviewers < 1:
        raise ValueError(f"reviewers must be a whole number >= 1 (got {reviewers!r})")


def plan_peers(branches, reviewers: int = 2, groups: Mapping | None = None) -> PeerPlan:
    """Peers within each general branch and group; a group's single branch gets peers from the
    same group in other general branches (round-robin, so the load spreads)."""
    _check_reviewers(reviewers)
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
