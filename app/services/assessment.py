"""The shell around the pure scoring engine: load records, score, save, in one transaction.

Every change of a score sheet or a satisfaction rate, every ballot cast and every campaign
opened or closed recomputes its assessment inside the same flush (a session hook), whatever
path made it: form, REST, CLI, the voting page or demo. Where a ballot campaign runs, its
tally is the members source or the rate (DOMAIN.md "Ballots"); typed entry is for the rest.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import bindparam, case, event, func, inspect, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.security.audit import audit_reason
from app.security.guard import WITHIN
from app.security.scope import unscoped
from app.services.tx import commit
from app.errors import DomainError, Refused
from app.models.choices import SHEET_SOURCES
from app.security.rules import may, sheet_sources
from app.models import (
    Assessment, AssessmentRound, Meeting, Ballot, BallotCampaign, Branch, GeneralBranch, ScoreSheet,
    Secretary, SecretaryViolation,
)
from app.scoring import AssessmentInput, Origin, ScoringPolicy, score, source_score
from app.services.ballot_tally import tallies_in_session, tallies_of_round
from app.services.peers import check_peer_rater

SOURCE_COLUMN = {"self": "self_score", "members": "member_score", "peer": "peer_score", "superior": "superior_score"}
RATE_FIELDS = ("mass_satisfaction", "secretary_satisfaction")
#: which campaign kind gives which figure: (kind, figure, column, how the tally gives it)
BALLOT_FIGURES = (
    ("members", "members", "member_score", lambda t: t.member_score()),
    ("members", "secretary", "secretary_satisfaction", lambda t: t.rate()),
    ("masses", "mass", "mass_satisfaction", lambda t: t.rate()),
)


class AssessmentError(DomainError):
    """A request the assessment rules refuse; the message says why."""


class RecomputeRefused(AssessmentError, Refused):
    """Only the organizer of a round recomputes it (HTTP 403)."""


class SourceRefused(AssessmentError, Refused):
    """This role does not enter sheets of this source (HTTP 403)."""


def policy() -> ScoringPolicy:
    """The scoring policy validated at start-up (config ZHIBU_SCORING)."""
    return current_app.extensions["zhibu_scoring_policy"]


# -- the facts the vetoes need, loaded in bulk -------------------------------------------

def _violations(branch_ids) -> dict:
    """branch id -> dates of its secretaries' major violations; branch_ids: ids or a subquery."""
    rows = db.session.execute(unscoped(
        select(Secretary.branch_id, SecretaryViolation.occurred_on)
        .join(SecretaryViolation, SecretaryViolation.secretary_id == Secretary.id)
        .where(Secretary.branch_id.in_(branch_ids), SecretaryViolation.major.is_(True))
    ))
    found = defaultdict(list)
    for branch_id, day in rows:
        found[branch_id].append(day)
    return found


def _last_activity(branch_ids, on_or_before) -> dict:
    """branch id -> its last meeting on or before the day; branch_ids: ids or a subquery."""
    rows = db.session.execute(unscoped(
        select(Meeting.branch_id, func.max(Meeting.held_on))
        .where(Meeting.branch_id.in_(branch_ids), Meeting.held_on <= on_or_before)
        .group_by(Meeting.branch_id)
    ))
    return dict(rows.all())


def _chunks(ids, size=900):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def apply_tallies(assessment: Assessment, tallies: dict) -> tuple:
    """Ballots replace typed entries: each figure with a campaign takes its tally.

    Returns the origins of the three figures (ballots with turnout, or typed) for explain()."""
    origins = []
    for kind, figure, column, value in BALLOT_FIGURES:
        tally = tallies.get(kind)
        if tally is not None:
            setattr(assessment, column, value(tally))
            origins.append(Origin(figure, "ballots", tally.turnout, tally.min_turnout, tally.closed))
        elif getattr(assessment, column) is not None:
            origins.append(Origin(figure, "typed"))
    return tuple(origins)


def engine_input(assessment: Assessment, branch: Branch, round_date, violations, last_activity,
                 origins=()) -> AssessmentInput:
    """The pure engine's input for one assessment."""
    return AssessmentInput(
        round_date=round_date,
        self_score=assessment.self_score, member_score=assessment.member_score,
        peer_score=assessment.peer_score, superior_score=assessment.superior_score,
        mass_satisfaction=assessment.mass_satisfaction, secretary_satisfaction=assessment.secretary_satisfaction,
        secretary_violation_dates=tuple(violations), elected_on=branch.elected_on,
        term_years=branch.term_years or 3, election_exemption=branch.election_exemption,
        last_activity_on=last_activity, origins=origins,
    )


def apply_result(assessment: Assessment, result) -> None:
    """Copy the engine's verdict onto the row."""
    assessment.composite = result.composite
    assessment.computed_grade = result.grade.code if result.grade else None
    assessment.vetoes = ",".join(result.vetoes)
    assessment.capped = bool(result.capped)
    assessment.missing_sources = ",".join(result.missing_sources)


def _origins(assessment: Assessment) -> tuple:
    """Where the figures of a stored assessment came from (ballots or typed)."""
    tallies = tallies_in_session(db.session, assessment.round_id, assessment.branch_id)
    origins = []
    for kind, figure, column, _value in BALLOT_FIGURES:
        tally = tallies.get(kind)
        if tally is not None:
            origins.append(Origin(figure, "ballots", tally.turnout, tally.min_turnout, tally.closed))
        elif getattr(assessment, column) is not None:
            origins.append(Origin(figure, "typed"))
    return tuple(origins)


def result_of(assessment: Assessment, origins=None):
    """Score one assessment from the database (used for its explanation page)."""
    branch = assessment.branch
    day = assessment.round.opens_on
    return score(
        engine_input(assessment, branch, day, _violations([branch.id]).get(branch.id, ()),
                     _last_activity([branch.id], day).get(branch.id),
                     _origins(assessment) if origins is None else origins),
        policy(),
    )


# -- one assessment: sheets -> source means -> engine --------------------------------------

def _sheets_in_session(session: Session, assessment: Assessment) -> list[ScoreSheet]:
    """The assessment's sheets as the flush will leave them (new, changed, minus deleted)."""
    with session.no_autoflush:
        sheets = []
        if assessment.id is not None:
            # every sheet counts, also those the acting branch may not read (superior, peers)
            sheets = list(session.scalars(unscoped(
                select(ScoreSheet).where(ScoreSheet.assessment_id == assessment.id))))
    sheets = [s for s in sheets if s not in session.deleted and s.assessment in (assessment, None)]
    sheets += [s for s in session.new if isinstance(s, ScoreSheet) and s.assessment is assessment and s not in sheets]
    return sheets


def refresh_sources(assessment: Assessment, sheets) -> None:
    """Each source's score is the mean of its sheets' totals."""
    by_source = defaultdict(list)
    for sheet in sheets:
        by_source[sheet.source].append(sheet.subscores)
    for source, column in SOURCE_COLUMN.items():
        setattr(assessment, column, source_score(by_source.get(source, [])))


def _recompute_in_flush(session: Session, assessment: Assessment) -> None:
    refresh_sources(assessment, _sheets_in_session(session, assessment))
    with session.no_autoflush:
        tallies = tallies_in_session(session, assessment.round.id, assessment.branch.id)
        origins = apply_tallies(assessment, tallies)
        apply_result(assessment, result_of(assessment, origins))


def _assessment_of_campaign(session: Session, campaign: BallotCampaign):
    """The assessment a members or masses campaign feeds (None for upward campaigns)."""
    if campaign is None or campaign.kind not in ("members", "masses"):
        return None
    round_id = campaign.round_id or (campaign.round.id if campaign.round is not None else None)
    branch_id = campaign.branch_id or (campaign.branch.id if campaign.branch is not None else None)
    if round_id is None or branch_id is None:
        return None
    return session.scalar(unscoped(select(Assessment).where(
        Assessment.round_id == round_id, Assessment.branch_id == branch_id)))


def _before_flush(session, _context, _instances):
    if not has_app_context():  # a bare session (scripts, test inspection): nothing to score with
        return
    touched = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, ScoreSheet):
            with session.no_autoflush:
                target = obj.assessment or (obj.assessment_id and session.get(Assessment, obj.assessment_id))
            if target is not None:
                touched.add(target)
        elif isinstance(obj, Assessment) and obj not in session.deleted:
            touched.add(obj)
        elif isinstance(obj, (Ballot, BallotCampaign)):
            with session.no_autoflush:
                campaign = obj if isinstance(obj, BallotCampaign) else (
                    obj.campaign or session.get(BallotCampaign, obj.campaign_id))
                target = _assessment_of_campaign(session, campaign)
            if target is not None:
                touched.add(target)
    for assessment in touched:
        if assessment not in session.deleted and assessment.round is not None and assessment.branch is not None:
            _recompute_in_flush(session, assessment)


def install_hooks() -> None:
    """Recompute on every flush of the Flask-SQLAlchemy sessions (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


# -- a whole round, in bulk ------------------------------------------------------------------

def recompute_round(round_id: int, progress=lambda msg: None) -> dict:
    """Recompute every assessment of a round from its sheets; returns grade counts."""
    round_ = db.session.get(AssessmentRound, round_id)
    if round_ is None:
        raise AssessmentError(_("找不到考评批次 %(id)s。", id=round_id))
    day, pol = round_.opens_on, policy()
    means = {}
    # one row per assessment, a mean per source (in the sheets' index order: no sort, no join)
    total = ScoreSheet.s1 + ScoreSheet.s2 + ScoreSheet.s3 + ScoreSheet.s4 + ScoreSheet.s5
    sources = tuple(SHEET_SOURCES)
    round_assessments = select(Assessment.id).where(Assessment.round_id == round_id)
    # the two round-wide reads go through Core (no ORM rows to build for 250,000 results); what
    # they read is not scoped: the guard checks the write against the actor's rules (WITHIN)
    connection = db.session.connection()
    sheet_rows = connection.execute(unscoped(
        select(ScoreSheet.assessment_id, *(func.avg(case((ScoreSheet.source == s, total))) for s in sources))
        .where(ScoreSheet.assessment_id.in_(round_assessments))
        .group_by(ScoreSheet.assessment_id)
    ))
    for assessment_id, *per_source in sheet_rows:
        means[assessment_id] = {s: round(float(v) + 1e-9, 2) for s, v in zip(sources, per_source) if v is not None}
    ballots = tallies_of_round(db.session, round_id)
    rows = connection.execute(unscoped(
        select(Assessment.id, Assessment.branch_id, Assessment.mass_satisfaction, Assessment.secretary_satisfaction,
               Branch.elected_on, Branch.term_years, Branch.election_exemption,
               *(getattr(Assessment, key) for key in _WRITTEN))
        .join(Branch, Branch.id == Assessment.branch_id)
        .where(Assessment.round_id == round_id)
    )).all()
    round_branches = select(Assessment.branch_id).where(Assessment.round_id == round_id)
    violations, last = _violations(round_branches), _last_activity(round_branches, day)
    progress(_("正在计算 %(count)d 个党支部 …", count=len(rows)))
    updates, counts = [], {"A": 0, "B": 0, "C": 0, "D": 0, None: 0}
    no_means = {}
    for assessment_id, branch_id, mass, secretary, elected_on, term_years, exemption, *stored in rows:
        m = means.get(assessment_id, no_means)
        member = m.get("members")
        tallies = ballots.get(branch_id)
        if tallies:
            figures = {"member_score": member, "mass_satisfaction": mass, "secretary_satisfaction": secretary}
            for kind, _figure, column, value in BALLOT_FIGURES:
                if kind in tallies:  # a campaign's ballots replace the typed entry
                    figures[column] = value(tallies[kind])
            member, mass, secretary = (figures["member_score"], figures["mass_satisfaction"],
                                       figures["secretary_satisfaction"])
        result = score(AssessmentInput(
            round_date=day, self_score=m.get("self"), member_score=member,
            peer_score=m.get("peer"), superior_score=m.get("superior"),
            mass_satisfaction=mass, secretary_satisfaction=secretary,
            secretary_violation_dates=tuple(violations.get(branch_id, ())), elected_on=elected_on,
            term_years=term_years or 3, election_exemption=exemption,
            last_activity_on=last.get(branch_id),
        ), pol)
        code = result.grade.code if result.grade else None
        counts[code] += 1
        values = [m.get("self"), member, mass, secretary, m.get("peer"), m.get("superior"), result.composite, code,
                  ",".join(result.vetoes), bool(result.capped), ",".join(result.missing_sources)]
        if values != stored:   # an unchanged row is not written (nor its version moved)
            updates.append({"_id": assessment_id, **dict(zip(_WRITTEN, values))})
    if updates:
        # one executemany by id, inside this round: the guard checks the round's state and the
        # actor's scope once for the round, moves each written row's version and audits it
        table = Assessment.__table__
        db.session.execute(table.update().where(table.c.id == bindparam("_id"))
                           .execution_options(**{WITHIN: table.c.round_id == round_id}), updates)
    db.session.commit()
    return counts


# the columns a recompute writes, in the order recompute_round builds their values
_WRITTEN = ("self_score", "member_score", "mass_satisfaction", "secretary_satisfaction", "peer_score",
            "superior_score", "composite", "computed_grade", "vetoes", "capped", "missing_sources")


def ensure_assessments(round_: AssessmentRound) -> int:
    """Create the missing assessment rows: one per branch of the round's committee."""
    have = set(db.session.scalars(select(Assessment.branch_id).where(Assessment.round_id == round_.id)))
    branch_ids = db.session.scalars(
        select(Branch.id).join(GeneralBranch).where(GeneralBranch.committee_id == round_.committee_id)
    ).all()
    missing = [{"round_id": round_.id, "branch_id": b, "vetoes": "", "capped": False, "missing_sources": ""}
               for b in branch_ids if b not in have]
    if missing:
        db.session.execute(Assessment.__table__.insert(), missing)
    return len(missing)


# -- business actions: one function each, shared by the web, the API, the CLI and jobs -------
# Who may do them on which rows, and that nothing of a closed round changes, is the record
# rules' business (app/security/rules.py), enforced by the session guard on every path.

def open_round(round_: AssessmentRound, actor) -> None:
    """A new round belongs to the committee of the user who opens it."""
    if round_.committee is None and round_.committee_id is None and actor is not None and actor.committee_id:
        round_.committee_id = actor.committee_id


def _rater_id(sheet: ScoreSheet):
    """The rater branch's id: the relation's when it was set or loaded as a branch; the column's
    only when the relation was never touched (a row made by id). A relation set to None (or
    loaded as None: a rater outside the actor's read rule) is no rater."""
    if sheet.rater_branch is not None:
        return sheet.rater_branch.id
    history = inspect(sheet).attrs.rater_branch.history
    return sheet.rater_branch_id if not history.has_changes() and "rater_branch" not in inspect(sheet).dict else None


def check_sheet(sheet: ScoreSheet) -> None:
    """Raise AssessmentError when a sheet is not valid: peers of one group, sub-scores 0..20."""
    assessment = sheet.assessment
    if assessment is None:
        raise AssessmentError(_("请选择要评分的考评记录。"))
    if sheet.source == "peer":
        with db.session.no_autoflush:   # the sheet is checked before it is written
            rater_id = _rater_id(sheet)
            branch_id = assessment.branch.id if assessment.branch is not None else assessment.branch_id
            if rater_id is None:
                raise AssessmentError(_("互评须选择评议的党支部。"))
            if rater_id == branch_id:
                raise AssessmentError(_("党支部不能给自己互评。"))
            # peer groups (学生 = 本科生 + 研究生), and the round's assignments where it has any
            check_peer_rater(assessment.round.id if assessment.round is not None else assessment.round_id,
                             branch_id, rater_id)
    for value in sheet.subscores:
        if value is None or not 0 <= value <= 20:
            raise AssessmentError(_("每项得分须在 0 到 20 之间。"))


def enter_sheet(sheet: ScoreSheet, user, actor) -> None:
    """Check a new or changed sheet and stamp who entered it; the flush recomputes.

    Which sources a role enters is the record rules' table; asking it first only makes the
    refusal name what the role may enter (the guard refuses the same on every path)."""
    allowed = sheet_sources(actor)
    if sheet.id is None and sheet.source not in allowed:  # an existing sheet: the guard decides
        names = "、".join(str(SHEET_SOURCES[s]) for s in allowed)
        raise SourceRefused(_("您只能录入这些来源的评分表：%(sources)s。", sources=names or "—"))
    check_sheet(sheet)
    if sheet.source == "members":
        a = sheet.assessment
        if "members" in tallies_in_session(db.session, a.round_id or a.round.id, a.branch_id or a.branch.id):
            raise SourceRefused(_("该党支部正在开展党员评议匿名测评：支部党员评议由选票统计，不能手工录入评分表。"))
    sheet.submitted_by_id = getattr(user, "id", None)
    sheet.submitted_at = datetime.utcnow()


#: set_rates(): leave this rate as it is (its field was not on the form)
UNCHANGED = object()


def balloted_rates(assessment: Assessment) -> frozenset:
    """The rate columns a ballot campaign gives for this assessment (not typed)."""
    kinds = set(tallies_in_session(db.session, assessment.round_id, assessment.branch_id))
    return frozenset(column for kind, figure, column, _v in BALLOT_FIGURES
                     if kind in kinds and column in RATE_FIELDS)


def set_rates(assessment: Assessment, mass, secretary) -> None:
    """The two satisfaction rates (0..1), typed from paper forms; the hook recomputes.

    A rate that a ballot campaign gives is not typed (UNCHANGED leaves a rate as it is)."""
    balloted = balloted_rates(assessment)
    for column, value in (("mass_satisfaction", mass), ("secretary_satisfaction", secretary)):
        if value is UNCHANGED:
            continue
        if column in balloted:
            raise AssessmentError(_("该满意率由匿名测评的选票统计，不能手工录入。"))
        if value is not None and not 0 <= value <= 1:
            raise AssessmentError(_("满意率须在 0% 到 100% 之间。"))
    for column, value in (("mass_satisfaction", mass), ("secretary_satisfaction", secretary)):
        if value is not UNCHANGED:
            setattr(assessment, column, value)
    commit()


def confirm(assessment: Assessment, user) -> None:
    """The committee confirms the final grade."""
    assessment.confirmed_by_id, assessment.confirmed_at = user.id, datetime.utcnow()
    commit()


def override(assessment: Assessment, grade_code: str, reason: str, user) -> None:
    """Set a final grade different from the computed one; the reason is mandatory and audited."""
    reason = (reason or "").strip()
    if grade_code not in ("A", "B", "C", "D"):
        raise AssessmentError(_("请选择考评等次。"))
    if not reason:
        raise AssessmentError(_("调整考评等次必须写明理由。"))
    assessment.override_grade = None if grade_code == assessment.computed_grade else grade_code
    assessment.override_reason = reason if assessment.override_grade else None
    with audit_reason(reason):  # the guard's trail records the change with its reason
        commit()


def check_recompute(round_: AssessmentRound, actor) -> None:
    """Raise unless the actor may recompute this round now (the page asks before queueing it).

    A whole round is recomputed by whoever runs the round (the rule table: who writes rounds)."""
    if actor is not None and not may(AssessmentRound, actor, "write"):
        raise RecomputeRefused(_("只有组织考评的党委可以重新计算整个考评批次。"))
    if round_.status == "closed":
        raise AssessmentError(_("考评批次「%(name)s」已结束，不能重新计算。", name=round_.name))


def recompute(round_: AssessmentRound, progress=lambda msg: None, actor=None) -> dict:
    """Create missing assessments and recompute the whole round; returns the grade counts."""
    check_recompute(round_, actor)
    try:
        ensure_assessments(round_)
        return recompute_round(round_.id, progress)
    except DomainError:
        db.session.rollback()
        raise


def close_round(round_: AssessmentRound) -> None:
    """Close a round: its sheets, rates and grades are final from now on."""
    if round_.status == "closed":
        raise AssessmentError(_("考评批次「%(name)s」已经结束。", name=round_.name))
    # its ballot campaigns close with it at the latest, before the round makes them final
    for campaign in db.session.scalars(unscoped(select(BallotCampaign).where(
            BallotCampaign.round_id == round_.id, BallotCampaign.status == "open"))):
        campaign.status, campaign.closed_on = "closed", date.today()
    db.session.flush()
    round_.status = "closed"
    commit()


def reopen_round(round_: AssessmentRound, reason: str, user) -> None:
    """Reopen a closed round (the committee only, by the rules); the reason is audited."""
    reason = (reason or "").strip()
    if round_.status != "closed":
        raise AssessmentError(_("考评批次「%(name)s」没有结束。", name=round_.name))
    if not reason:
        raise AssessmentError(_("重新开启考评批次必须写明理由。"))
    round_.status = "open"
    with audit_reason(reason):  # the guard's trail records the reopening with its reason
        commit()
