"""分类互评 assignments (附件1 三、): who reviews whom in a round; one function per action.

The general branch organizes peers among its own branches (assign_peers: a ring per peer group,
app/scoring/peers.py); where it has a single branch of a group, the committee assigns peers from
another general branch (add_pair). Every single pair, from the form, the REST API, the CLI or
assign_peers, goes through prepare_pair. Who may write which rows, and that nothing of a closed
round changes, is the rule table's business (rules.py); the checks here only say why in words.

The two branches' names and general branches' names are copied onto the row when it is made
(_facts, the one unscoped read of names here): the rater of a cross assignment sees whom it
reviews on the row, while Branch's read rule stays as it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import AssessmentRound, Branch, GeneralBranch, PeerAssignment
from app.scoring.peers import DEFAULT_PEER_GROUPS, PeerBranch, pair_within, peer_group
from app.security.rules import may
from app.security.scope import get_in_scope, unscoped
from app.services.tx import commit

#: the groups' names (附件1: 教师、学生、离退休等各类); a configured group of its own shows as written
GROUP_LABELS = {"teacher": _l("教师"), "student": _l("学生"), "retired": _l("离退休"), "admin": _l("管理"),
                "service": _l("服务")}
#: generate_peers' default: each branch reviewed by two peers of its group (fewer where the group is smaller)
DEFAULT_REVIEWERS = 2
MAX_REVIEWERS = 10


class PeerError(DomainError):
    """An assignment the 分类互评 rules refuse; the message says why."""


class PeerRefused(PeerError, Refused):
    """This organization may not make this assignment (HTTP 403)."""


def peer_groups() -> dict:
    """category -> group, as validated at start-up (config ZHIBU_PEER_GROUPS)."""
    if has_app_context():
        return current_app.extensions.get("zhibu_peer_groups") or DEFAULT_PEER_GROUPS
    return DEFAULT_PEER_GROUPS


def group_of(category: str) -> str:
    return peer_group(category, peer_groups())


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, group))


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class _Facts:
    id: int
    name: str
    category: str
    general_branch_id: int
    general_branch_name: str
    committee_id: int


def _facts(ids) -> dict:
    """id -> the branch's name, category and general branch, read unscoped: a check of a peer
    sheet needs the rater's group whoever enters it, and a new row copies the names it shows."""
    rows = db.session.execute(unscoped(
        select(Branch.id, Branch.name, Branch.category, GeneralBranch.id, GeneralBranch.name,
               GeneralBranch.committee_id)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .where(Branch.id.in_([i for i in ids if i is not None]))))
    return {row[0]: _Facts(*row) for row in rows}


def _id(obj, column):
    return getattr(obj, column) if obj is not None else None


def _group_size(general_branch_id: int, group: str) -> int:
    """How many branches of the group the general branch has (unscoped: a count, no names)."""
    categories = [c for c, g in peer_groups().items() if g == group] or [group]
    return db.session.scalar(unscoped(select(func.count(Branch.id)).where(
        Branch.general_branch_id == general_branch_id, Branch.category.in_(categories))))


def _is_above_general_branch(actor) -> bool:
    return actor is None or actor.kind in ("committee", "all", "system")


def _check_organizer(actor) -> None:
    """Peers are organized above the branch (the rule table refuses the write anyway; asking
    first says so even where nothing would be written)."""
    if actor is not None and not may(PeerAssignment, actor, "create"):
        raise PeerRefused(_("互评由党总支和党委安排，党支部不能安排互评。"))


def prepare_pair(item: PeerAssignment, actor, user=None) -> None:
    """Check a new assignment and fill what the row keeps: the names, the group, who assigned it.

    Raises PeerError (PeerRefused) saying why: an unknown or closed round, the branch itself, a
    branch outside the round's committee or the actor's scope, another peer group, or a cross
    assignment not made by the committee for a general branch's single branch of its group."""
    round_ = item.round or (item.round_id and db.session.get(AssessmentRound, item.round_id))
    branch_id = item.branch_id or _id(item.branch, "id")
    rater_id = item.rater_branch_id or _id(item.rater_branch, "id")
    if round_ is None:
        raise PeerError(_("请选择考评批次。"))
    if branch_id is None or rater_id is None:
        raise PeerError(_("请选择被评议党支部和评议党支部。"))
    if round_.status == "closed":
        raise PeerError(_("考评批次「%(name)s」已结束，互评安排不能再修改。", name=round_.name))
    if branch_id == rater_id:
        raise PeerError(_("党支部不能给自己互评。"))
    _check_organizer(actor)
    if actor is not None and actor.kind not in ("all", "system"):
        # a foreign id is refused before any of its facts is named
        if get_in_scope(Branch, branch_id, actor) is None or get_in_scope(Branch, rater_id, actor) is None:
            raise PeerRefused(_("所选党支部不在您的管理范围内。"))
    facts = _facts([branch_id, rater_id])
    target, rater = facts[branch_id], facts[rater_id]
    if round_.committee_id not in (None, target.committee_id) or rater.committee_id != target.committee_id:
        raise PeerError(_("互评只在考评批次所属党委的党支部之间安排。"))
    group = group_of(target.category)
    if group_of(rater.category) != group:
        raise PeerError(_("互评只在同类党支部之间进行（教师、学生、离退休等分类互评）：「%(rater)s」与「%(branch)s」不是同一类。",
                          rater=rater.name, branch=target.name))
    cross = rater.general_branch_id != target.general_branch_id
    if cross:
        if not _is_above_general_branch(actor):
            raise PeerRefused(_("跨党总支的互评由党委安排；党总支在本党总支的党支部之间安排互评。"))
        size = _group_size(target.general_branch_id, group)
        if size > 1:
            raise PeerError(_("「%(gb)s」有 %(count)d 个%(group)s类党支部，应在本党总支内互评；党委只为只有一个同类"
                              "党支部的党总支跨党总支安排互评。", gb=target.general_branch_name, count=size,
                              group=group_label(group)))
    item.round_id, item.branch_id, item.rater_branch_id = round_.id, branch_id, rater_id
    item.branch_name, item.general_branch_name = target.name, target.general_branch_name
    item.rater_branch_name, item.rater_general_branch_name = rater.name, rater.general_branch_name
    item.peer_group = group
    item.assigned_by = "committee" if cross or (actor is not None and actor.kind == "committee") else "general_branch"
    item.created_by_id = getattr(user, "id", None) if user is not None else (actor.user_id if actor else None)
    item.created_at = item.created_at or _now()


def add_pair(round_: AssessmentRound, branch: Branch, rater: Branch, actor, user=None, note=None) -> PeerAssignment:
    """One assignment (the committee's cross assignments, the CLI): checked, saved, returned."""
    if _exists(round_.id, branch.id, rater.id):
        raise PeerError(_("「%(rater)s」已被安排评议「%(branch)s」。", rater=rater.name, branch=branch.name))
    item = PeerAssignment(round=round_, branch=branch, rater_branch=rater, note=note)
    prepare_pair(item, actor, user)
    db.session.add(item)
    commit()
    return item


def _exists(round_id, branch_id, rater_id) -> bool:
    return db.session.scalar(unscoped(select(func.count(PeerAssignment.id)).where(
        PeerAssignment.round_id == round_id, PeerAssignment.branch_id == branch_id,
        PeerAssignment.rater_branch_id == rater_id))) > 0


@dataclass(frozen=True)
class PeerRun:
    """What assign_peers did: pairs made, pairs already there, the groups left to the committee."""

    created: int
    kept: int
    single: tuple      # (group label, branch name)


def assign_peers(round_: AssessmentRound, general_branch: GeneralBranch, k: int, actor, user=None) -> PeerRun:
    """The general branch's own peers in a round: each branch reviewed by the next k branches of
    its group (pair_within). Idempotent: pairs already made are kept, only missing ones added."""
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_REVIEWERS:
        raise PeerError(_("每个党支部的互评党支部数须在 1 到 %(max)d 之间。", max=MAX_REVIEWERS))
    _check_organizer(actor)
    if round_.status == "closed":
        raise PeerError(_("考评批次「%(name)s」已结束，互评安排不能再修改。", name=round_.name))
    if general_branch.committee_id != round_.committee_id:
        raise PeerError(_("互评只在考评批次所属党委的党支部之间安排。"))
    branches = db.session.scalars(select(Branch).where(Branch.general_branch_id == general_branch.id)).all()
    by_id = {b.id: b for b in branches}
    plan = pair_within([PeerBranch(b.id, general_branch.id, b.category) for b in branches], k, peer_groups())
    existing = set(db.session.execute(unscoped(
        select(PeerAssignment.branch_id, PeerAssignment.rater_branch_id)
        .where(PeerAssignment.round_id == round_.id, PeerAssignment.branch_id.in_(list(by_id))))).all())
    created = kept = 0
    for pair in plan.pairs:
        if (pair.target_id, pair.reviewer_id) in existing:
            kept += 1
            continue
        item = PeerAssignment(round=round_, branch=by_id[pair.target_id], rater_branch=by_id[pair.reviewer_id])
        prepare_pair(item, actor, user)
        db.session.add(item)
        created += 1
    commit()
    return PeerRun(created, kept, tuple((group_label(g), by_id[b].name) for g, b in plan.single))


@dataclass(frozen=True)
class CrossNeed:
    """A general branch's single branch of a group: the committee assigns it peers from elsewhere."""

    general_branch_id: int
    general_branch: str
    branch_id: int
    branch: str
    group: str
    assigned: int       # raters from other general branches already assigned in the round
    candidates: int     # branches of the group in the other general branches the reader sees


def cross_needs(round_: AssessmentRound) -> list[CrossNeed]:
    """The single-branch groups of the round's committee, read through the actor's scope (the
    committee sees all its general branches; a general branch its own)."""
    rows = db.session.execute(
        select(Branch.id, Branch.name, Branch.category, GeneralBranch.id, GeneralBranch.name)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .where(GeneralBranch.committee_id == round_.committee_id)).all()
    cells: dict = {}
    for bid, name, category, gb_id, gb_name in rows:
        cells.setdefault((gb_id, group_of(category)), []).append((bid, name, gb_name))
    by_group: dict = {}
    for (gb_id, group), members in cells.items():
        by_group[group] = by_group.get(group, 0) + len(members)
    singles = [(gb_id, group, members[0]) for (gb_id, group), members in cells.items() if len(members) == 1]
    ids = [m[0] for _g, _gr, m in singles]
    cross = dict(db.session.execute(unscoped(
        select(PeerAssignment.branch_id, func.count(PeerAssignment.id))
        .where(PeerAssignment.round_id == round_.id, PeerAssignment.branch_id.in_(ids),
               PeerAssignment.assigned_by == "committee")
        .group_by(PeerAssignment.branch_id))).all()) if ids else {}
    needs = [CrossNeed(gb_id, gb_name, bid, name, group_label(group), cross.get(bid, 0), by_group[group] - 1)
             for gb_id, group, (bid, name, gb_name) in singles]
    return sorted(needs, key=lambda n: (n.general_branch, n.group, n.branch))


def check_peer_rater(round_id: int, branch_id: int, rater_id: int) -> None:
    """A peer sheet's rater: a branch of the same group; where the round has assignments for the
    branch, one of its assigned raters. Raises PeerError (no foreign name is said)."""
    facts = _facts([branch_id, rater_id])
    if branch_id not in facts or rater_id not in facts:
        raise PeerError(_("互评须选择评议的党支部。"))
    if group_of(facts[rater_id].category) != group_of(facts[branch_id].category):
        raise PeerError(_("互评只在同类党支部之间进行（教师、学生、离退休等分类互评）。"))
    assigned = set(db.session.scalars(unscoped(select(PeerAssignment.rater_branch_id).where(
        PeerAssignment.round_id == round_id, PeerAssignment.branch_id == branch_id))))
    if assigned and rater_id not in assigned:
        raise PeerError(_("该党支部在本考评批次已有互评安排，所选评议党支部不在安排之中：请按「互评安排」录入。"))
