"""联述联评联考 (五、(三)): the results of the upward campaigns, per general branch and for the
committee, as rows for the report page and the committee's xlsx (its annual cadre assessment).

Who sees which results is the record-rule table's answer (BallotCampaign): the committee all
of its committee's, a general branch the one about itself, a branch none. The tallies are
aggregates; no single vote is read.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.forms.upward import UpwardRow, upward_workbook
from app.models import AssessmentRound, BallotCampaign, Committee, GeneralBranch
from app.services.ballot_tally import upward_tallies
from app.services.ballots import target_name, upward_items


@dataclass
class UpwardResult:
    """One upward campaign with its tally, as the report shows it."""

    campaign: BallotCampaign
    target: str
    level: str            # 'general_branch' | 'committee'
    tally: object         # UpwardTally


def results(round_id: int | None = None) -> list[UpwardResult]:
    """The upward campaigns the actor may read (optionally of one round), committee first."""
    stmt = select(BallotCampaign).where(BallotCampaign.kind == "upward")
    if round_id is not None:
        stmt = stmt.where(BallotCampaign.round_id == round_id)
    campaigns = db.session.scalars(stmt.order_by(BallotCampaign.round_id.desc(), BallotCampaign.id)).all()
    tallies = upward_tallies(db.session, campaigns)
    out = [UpwardResult(c, target_name(c), "committee" if c.target_general_branch_id is None else "general_branch",
                        tallies[c.id]) for c in campaigns]
    gb_codes = dict(db.session.execute(select(GeneralBranch.id, GeneralBranch.code)).all())
    out.sort(key=lambda r: (-r.campaign.round_id, r.level != "committee",
                            gb_codes.get(r.campaign.target_general_branch_id) or "", r.target))
    return out


def rows(found: list[UpwardResult]) -> list[UpwardRow]:
    """Plain rows for the workbook (texts and numbers only)."""
    out = []
    for r in found:
        means = r.tally.item_means()
        out.append(UpwardRow(
            round_name=r.campaign.round.name, target=r.target,
            level="党委" if r.level == "committee" else "党总支",
            turnout=r.tally.turnout, min_turnout=r.tally.min_turnout, issued=r.campaign.issued or 0,
            item_means=means, score=r.tally.score(), final=r.tally.closed))
    return out


def export(round_: AssessmentRound | None) -> tuple[str, bytes]:
    """The committee's 联评 report as (file name, xlsx bytes)."""
    found = results(round_.id if round_ is not None else None)
    committee = (db.session.get(Committee, round_.committee_id) if round_ is not None
                 else db.session.scalars(select(Committee).order_by(Committee.id)).first())  # scoped: its own
    title = f"{committee.name if committee else ''}联述联评联考 评议结果".strip()
    if round_ is not None:
        title = f"{title}（{round_.name}）"
    data = upward_workbook(title, [str(t) for t, _x in upward_items()], rows(found))
    return f"联评结果-{round_.year if round_ is not None else 'all'}.xlsx", data
