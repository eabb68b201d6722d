"""The demo's assessment rounds: a closed 初评 with plausible sheets, an open 复评."""
import random
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, AssessmentRound, Branch, Committee, GeneralBranch, PeerAssignment, ScoreSheet
from app.services.assessment import ensure_assessments, recompute_round

INITIAL = "2012年党支部分类定级（初评）"
REASSESSMENT = "2012年党支部分类定级（复评）"


def _subscores(rng, level):
    """Five sub-scores around a branch's level (0..20 each)."""
    return [max(0.0, min(20.0, round(rng.gauss(level, 1.2), 1))) for _ in range(5)]


def _assign_peers(round_, branches) -> dict:
    """The round's 分类互评 assignments, as its organizers make them: each general branch's own
    ring of two peers per branch, then the committee's peers from other general branches for a
    general branch's single branch of a group. Returns branch id -> its rater ids."""
    from app.scoring.peers import PeerBranch, plan_peers
    from app.services.peers import DEFAULT_REVIEWERS, add_pair, assign_peers, peer_groups

    for gb in db.session.scalars(select(GeneralBranch).where(GeneralBranch.committee_id == round_.committee_id)
                                 .order_by(GeneralBranch.id)):
        assign_peers(round_, gb, DEFAULT_REVIEWERS, None)
    plan = plan_peers([PeerBranch(b.id, b.general_branch_id, b.category) for b in branches.values()],
                      DEFAULT_REVIEWERS, peer_groups())
    for pair in plan.pairs:
        if pair.cross:
            add_pair(round_, branches[pair.target_id], branches[pair.reviewer_id], None)
    raters = {}
    for branch_id, rater_id in db.session.execute(
            select(PeerAssignment.branch_id, PeerAssignment.rater_branch_id)
            .where(PeerAssignment.round_id == round_.id).order_by(PeerAssignment.id)):
        raters.setdefault(branch_id, []).append(rater_id)
    return raters


def _fill(round_, rng, base_levels=None):
    """Sheets for every assessment of a round: self, members (3), its assigned peers, superior.

    A 复评 starts from each branch's 初评 level and mostly improves on it (晋位升级).
    Returns the level drawn per branch."""
    branches = {b.id: b for b in db.session.scalars(
        select(Branch).join(GeneralBranch).where(GeneralBranch.committee_id == round_.committee_id))}
    assigned = _assign_peers(round_, branches)
    sheets, levels = [], {}
    lift = 0.0 if base_levels is None else 0.6
    for a in db.session.scalars(select(Assessment).where(Assessment.round_id == round_.id)).all():
        branch = branches[a.branch_id]
        if base_levels is None:
            level = rng.uniform(13.0, 19.4)
        else:
            level = min(19.6, base_levels[a.branch_id] + rng.uniform(-0.4, 1.6))
        levels[a.branch_id] = level
        raters = [("self", "支部委员会", None)] + [("members", f"党员{i}", None) for i in (1, 2, 3)]
        raters += [("peer", branches[p].name, p) for p in assigned.get(branch.id, ())]
        raters.append(("superior", branch.general_branch.name, None))
        for source, rater, rater_branch in raters:
            s = _subscores(rng, level + (0.4 if source == "self" else 0.0))
            sheets.append(dict(assessment_id=a.id, source=source, rater=rater, rater_branch_id=rater_branch,
                               s1=s[0], s2=s[1], s3=s[2], s4=s[3], s5=s[4]))
        a.mass_satisfaction = round(min(1.0, rng.uniform(0.72, 0.98) + lift / 40), 2)
        a.secretary_satisfaction = round(min(1.0, rng.uniform(0.82, 0.99) + lift / 40), 2)
        if rng.random() < 0.06:  # a few fall below the standard: capped at 较好
            a.mass_satisfaction = 0.66
        if rng.random() < 0.02:  # and one or two below half: vetoed (V4)
            a.secretary_satisfaction = 0.45
    db.session.execute(ScoreSheet.__table__.insert(), sheets)
    db.session.flush()
    return levels


def load_demo_rounds(committee: Committee, progress=lambda m: None) -> None:
    """Add the two demo rounds unless they exist."""
    exists = db.session.scalar(select(AssessmentRound.id).where(
        AssessmentRound.committee_id == committee.id, AssessmentRound.name == INITIAL))
    if exists:
        return
    rng = random.Random(2012)
    initial = AssessmentRound(committee=committee, name=INITIAL, year=2012, kind="initial",
                              opens_on=date(2012, 4, 10), deadline=date(2012, 4, 18), status="open",
                              rectify_by=date(2012, 9, 30),
                              note="此表4月18日前由各党总支汇总后报送至党委组织部")
    db.session.add(initial)
    db.session.flush()
    ensure_assessments(initial)
    levels = _fill(initial, rng)
    db.session.commit()
    counts = recompute_round(initial.id)
    initial.status = "closed"
    again = AssessmentRound(committee=committee, name=REASSESSMENT, year=2012, kind="reassessment",
                            base_round=initial, opens_on=date(2012, 10, 10), deadline=date(2012, 10, 31),
                            status="open", note="对照初评，晋位升级")
    db.session.add(again)
    db.session.flush()
    ensure_assessments(again)
    _fill(again, rng, base_levels=levels)
    db.session.commit()
    recompute_round(again.id)
    progress(f"  考评批次：{INITIAL}（好 {counts['A']}，较好 {counts['B']}，一般 {counts['C']}，较差 {counts['D']}）；{REASSESSMENT}")
