"""The tallies of ballot campaigns as the assessment needs them (read by the scoring hook).

A single vote is never read by anyone; these aggregates are the only way votes leave their
table. Reads are deliberately unscoped: a branch's score counts every vote about it, while
no role may read the votes themselves (app/security/rules.py).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select

from app.models import Ballot, BallotCampaign
from app.scoring import CampaignTally, UpwardTally
from app.scoring.ballots import CONTENT
from app.security.scope import unscoped

TALLIED_KINDS = ("members", "masses")


def _aggregates(session, campaign_ids) -> dict:
    """campaign id -> (turnout, sum of totals, content answers) from the stored votes."""
    if not campaign_ids:
        return {}
    total = Ballot.s1 + Ballot.s2 + Ballot.s3 + Ballot.s4 + Ballot.s5
    content = case((Ballot.secretary.in_(CONTENT), 1), (Ballot.role.in_(CONTENT), 1), else_=0)
    rows = session.execute(unscoped(
        select(Ballot.campaign_id, func.count(Ballot.id), func.coalesce(func.sum(total), 0),
               func.coalesce(func.sum(content), 0))
        .where(Ballot.campaign_id.in_(list(campaign_ids)))
        .group_by(Ballot.campaign_id)))
    return {cid: (int(n), float(s), int(c)) for cid, n, s, c in rows}


def _tally(campaign: BallotCampaign, agg, extra) -> CampaignTally:
    n, s, c = agg or (0, 0.0, 0)
    base = CampaignTally(campaign.kind, n, s, c, campaign.min_turnout or 5, campaign.status == "closed")
    return base.plus(extra)


def _answers(ballot: Ballot) -> dict:
    return {"s1": ballot.s1, "s2": ballot.s2, "s3": ballot.s3, "s4": ballot.s4, "s5": ballot.s5,
            "secretary": ballot.secretary, "role": ballot.role}


def tallies_in_session(session, round_id, branch_id) -> dict:
    """kind -> CampaignTally for one branch in one round, counting votes not yet flushed."""
    with session.no_autoflush:
        campaigns = list(session.scalars(unscoped(select(BallotCampaign).where(
            BallotCampaign.round_id == round_id, BallotCampaign.branch_id == branch_id,
            BallotCampaign.kind.in_(TALLIED_KINDS)))))
        campaigns += [c for c in session.new if isinstance(c, BallotCampaign) and c not in campaigns
                      and c.kind in TALLIED_KINDS
                      and (c.round_id == round_id or (c.round is not None and c.round.id == round_id))
                      and (c.branch_id == branch_id or (c.branch is not None and c.branch.id == branch_id))]
        aggs = _aggregates(session, [c.id for c in campaigns if c.id is not None])
        pending = defaultdict(list)
        for b in session.new:
            if isinstance(b, Ballot):
                pending[b.campaign_id if b.campaign is None else id(b.campaign)].append(_answers(b))
    out = {}
    for c in campaigns:
        extra = pending.get(id(c), []) + (pending.get(c.id, []) if c.id is not None else [])
        out[c.kind] = _tally(c, aggs.get(c.id), extra)
    return out


def tallies_of_round(session, round_id) -> dict:
    """branch id -> kind -> CampaignTally for a whole round (the bulk recompute)."""
    campaigns = list(session.scalars(unscoped(select(BallotCampaign).where(
        BallotCampaign.round_id == round_id, BallotCampaign.kind.in_(TALLIED_KINDS),
        BallotCampaign.branch_id.is_not(None)))))
    aggs = _aggregates(session, [c.id for c in campaigns])
    out = defaultdict(dict)
    for c in campaigns:
        out[c.branch_id][c.kind] = _tally(c, aggs.get(c.id), [])
    return out


def turnouts(session, campaign_ids) -> dict:
    """campaign id -> ballots cast (what an organizer sees of its campaigns)."""
    return {cid: agg[0] for cid, agg in _aggregates(session, campaign_ids).items()}


def upward_tallies(session, campaigns) -> dict:
    """campaign id -> UpwardTally for 联评 campaigns (turnout and each item's sum)."""
    ids = [c.id for c in campaigns]
    if not ids:
        return {}
    items = (Ballot.s1, Ballot.s2, Ballot.s3, Ballot.s4, Ballot.s5)
    rows = session.execute(unscoped(
        select(Ballot.campaign_id, func.count(Ballot.id), *(func.coalesce(func.sum(i), 0) for i in items))
        .where(Ballot.campaign_id.in_(ids)).group_by(Ballot.campaign_id)))
    sums = {r[0]: (int(r[1]), tuple(int(v) for v in r[2:])) for r in rows}
    out = {}
    for c in campaigns:
        turnout, item_sums = sums.get(c.id, (0, (0, 0, 0, 0, 0)))
        out[c.id] = UpwardTally(turnout, item_sums, c.min_turnout or 5, c.status == "closed")
    return out
