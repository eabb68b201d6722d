"""THE record-rule table: which rows each role may read, create, change and delete.

Odoo's ir.model.access + ir.rule in one file (DOMAIN.md "Who may create, change and delete
what"). Each condition is a SQL clause over the model built for an actor, so the same rule
scopes every read (app/security/guard.py adds it to every ORM query of a request) and checks
every write, on the old row before the flush and on the new row after it. `roles.py` says
which verbs (menus, routes) a role has; this table says on which rows and fields.

A model missing here is refused for every write (deny by default); a role missing under a
model may do nothing with it. The operator (Admin) may do everything but the state rules;
the system actor (migrations, init, demo) runs unchecked but for the state rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true

from app.models import (
    Assessment, AssessmentRound, AuditLog, Ballot, BallotCampaign, BallotCode, BallotThrottle, Branch, BranchDocument,
    Committee, ContactCadre, DutyReport, Funding, GeneralBranch, GeneralBranchCommitteeMember, HandbookCheck,
    HealthMark, HealthState, HealthStatus,
    ImportRecord, Job, Meeting, Notice, MeetingAttachment, MeetingAttendance, MeetingGuest, Member, MemberAppraisal,
    PeerAssignment, Rectification,
    RectificationNote, RoundTally, ScoreSheet, Secretary, SecretaryViolation, StandardItem, TrainingAttendance, TrainingEvent,
    UserOrg, cadre_branch, AccountGuard, LoginSession,
)
from app.security.roles import BRANCH, COMMITTEE, GENERAL_BRANCH

_BR, _GB, _SEC, _AS, _RD, _REC, _CAMP, _MEET, _TEV, _MEM = (m.__table__ for m in (
    Branch, GeneralBranch, Secretary, Assessment, AssessmentRound, Rectification, BallotCampaign, Meeting,
    TrainingEvent, Member))


@dataclass(frozen=True)
class Rule:
    """One role's rights on one model: a row condition per verb (None: never)."""

    read: object
    create: object = None
    write: object = None
    delete: object = None
    fields: frozenset | None = None   # the fields this role may change on an existing row; None: all

    def verb(self, name):
        return getattr(self, name)


def crud(cond, fields=None) -> Rule:
    """Read, create, change and delete the rows matching cond."""
    return Rule(read=cond, create=cond, write=cond, delete=cond, fields=frozenset(fields) if fields else None)


# Models whose read rule is, for every role, "its branch is in scope" (at_branch(<model>.branch_id)
# below). Their table, unscoped, inner-joined on branch_id to the scoped Branch, gives exactly the
# rows the rule lets the actor read. The aggregates over a committee (its home, the scoring
# summary) read them so: the guard then scopes the branch once, instead of also testing each row's
# branch_id against the committee's 50,000 branch ids. tests/integration/test_home.py checks, for
# each role, that both ways read the same rows. Change a rule below and you must drop it here.
READ_THROUGH_BRANCH = (Assessment, Rectification)

# The roles that read whole general branches (every branch of each general branch they read, by
# own_branches below): what the database keeps per general branch about all of its branches —
# its counts, its rounds' tallies — sums to exactly what they may read. A branch reads one
# branch of its general branch, so never those.
WHOLE_GENERAL_BRANCHES = frozenset({COMMITTEE, GENERAL_BRANCH})


def through_branch(model):
    """The model's table, to be read inner-joined to the scoped Branch on its branch_id only."""
    if model not in READ_THROUGH_BRANCH:
        raise ValueError(f"{model.__name__} is not read through its branch (READ_THROUGH_BRANCH)")
    return model.__table__


# -- where a row hangs in the tree (Core tables inside, so read scoping never nests) --------

def _committee_general_branches(actor):
    return select(_GB.c.id).where(_GB.c.committee_id == actor.committee_id)


def branch_ids(actor):
    """The ids of the branches below the actor's organization (a committee's through its general
    branches' ids: the branch index on general_branch_id answers it without a join)."""
    if actor.kind == "general_branch":
        return select(_BR.c.id).where(_BR.c.general_branch_id == actor.general_branch_id)
    return select(_BR.c.id).where(_BR.c.general_branch_id.in_(_committee_general_branches(actor)))


def own_branches(actor):
    """A branch row below the actor, tested on its own general_branch_id (no subquery on itself)."""
    if actor.kind == "branch":
        return Branch.id == actor.branch_id
    if actor.kind == "general_branch":
        return Branch.general_branch_id == actor.general_branch_id
    return Branch.general_branch_id.in_(_committee_general_branches(actor))


def at_branch(column):
    """The row's branch is the actor's branch or below its organization."""
    def cond(actor):
        return column == actor.branch_id if actor.kind == "branch" else column.in_(branch_ids(actor))
    return cond


def at_general_branch(column):
    """The row's general branch is the actor's own (or one of its committee's)."""
    def cond(actor):
        if actor.kind == "committee":
            return column.in_(select(_GB.c.id).where(_GB.c.committee_id == actor.committee_id))
        return column == actor.general_branch_id
    return cond


def at_committee(column):
    return lambda actor: column == actor.committee_id


def via(column, parent_id, parent_cond):
    """The row hangs on a parent row (a Core table's id) that matches parent_cond."""
    return lambda actor: column.in_(select(parent_id).where(parent_cond(actor)))


def both(*conds):
    return lambda actor: and_(*(c(actor) for c in conds))


def anywhere(actor):
    return true()


def nowhere(actor):
    return false()


def members_of_committee(actor):
    """A committee scopes members by the denormalised committee id (indexed, no subquery)."""
    return Member.committee_id == actor.committee_id


# Which sheet sources each role enters (附件1 三、; DOMAIN.md): the branch being judged enters
# its 自评 only; its members' verdict comes from the general branch (paper) or, later, ballots.
SHEET_SOURCES_BY_ROLE = {
    BRANCH: ("self",),
    GENERAL_BRANCH: ("superior", "peer", "members"),
    COMMITTEE: ("self", "members", "peer", "superior"),
}


def _sheet_source(actor):
    return ScoreSheet.source.in_(SHEET_SOURCES_BY_ROLE[actor.kind])


def sheet_sources(actor) -> tuple:
    """The sources the actor may enter (the form offers these; the rule refuses the rest)."""
    if actor is None:
        return ()
    if actor.kind in ("all", "system"):
        return SHEET_SOURCES_BY_ROLE[COMMITTEE]
    return SHEET_SOURCES_BY_ROLE.get(actor.kind, ())


def _typed_members_allowed(actor):
    """党员评议 is typed from paper forms only where no members ballot campaign runs."""
    balloted = (select(_AS.c.id).join(_CAMP, and_(_CAMP.c.round_id == _AS.c.round_id,
                                                  _CAMP.c.branch_id == _AS.c.branch_id))
                .where(_CAMP.c.kind == "members"))
    return or_(ScoreSheet.source != "members", ScoreSheet.assessment_id.notin_(balloted))


def _not_done(actor):
    return Rectification.status != "done"


def _cadre_of_branch(actor):
    return ContactCadre.branches.any(Branch.id == actor.branch_id)


def _cadre_own(actor):
    """A general branch's own cadres; the committee's: all of its committee (校领导 included)."""
    if actor.kind == "committee":
        return ContactCadre.committee_id == actor.committee_id
    return ContactCadre.general_branch_id == actor.general_branch_id


def _cadre_gb_read(actor):
    """Its own cadres, and any cadre (a 校领导, another school's) linked to one of its branches:
    the contact person of its branches' rectification items."""
    linked = select(cadre_branch.c.cadre_id).where(cadre_branch.c.branch_id.in_(branch_ids(actor)))
    return or_(_cadre_own(actor), ContactCadre.id.in_(linked))


def _held_by(table):
    """Training events the actor's organization holds (a general branch: its branches' too)."""
    def cond(actor):
        if actor.kind == "committee":
            return table.c.committee_id == actor.committee_id
        if actor.kind == "general_branch":
            return table.c.general_branch_id == actor.general_branch_id
        return table.c.branch_id == actor.branch_id
    return cond


_training_own = _held_by(TrainingEvent.__table__)


def _training_read(actor):
    """Its own events, those held above it (its general branch's, its committee's), and any
    event one of its members attended (so a branch sees where its members' hours come from)."""
    if actor.kind == "committee":
        return _training_own(actor)
    t = TrainingEvent.__table__
    above = and_(t.c.branch_id.is_(None), or_(
        t.c.general_branch_id == actor.general_branch_id,
        and_(t.c.general_branch_id.is_(None), t.c.committee_id == actor.committee_id)))
    attended = select(TrainingAttendance.__table__.c.event_id).where(
        TrainingAttendance.__table__.c.member_id.in_(select(_MEM.c.id).where(at_branch(_MEM.c.branch_id)(actor))))
    return or_(_training_own(actor), above, t.c.id.in_(attended))


def _own_import(actor):
    return ImportRecord.user_id == actor.user_id


def _import_at_org(actor):
    if actor.kind == "committee":
        return ImportRecord.committee_id == actor.committee_id
    if actor.kind == "general_branch":
        return ImportRecord.general_branch_id == actor.general_branch_id
    return ImportRecord.branch_id == actor.branch_id


def _own_job(actor):
    """The actor's own job, started for the organization the actor still belongs to."""
    org = {"committee": Job.committee_id == actor.committee_id,
           "general_branch": Job.general_branch_id == actor.general_branch_id,
           "branch": Job.branch_id == actor.branch_id}[actor.kind]
    return and_(Job.owner_id == actor.user_id, Job.org_kind == actor.kind, org)


def _own_notice(actor):
    """The actor's own notice, made for the organization the actor still belongs to."""
    org = {"committee": Notice.committee_id == actor.committee_id,
           "general_branch": Notice.general_branch_id == actor.general_branch_id,
           "branch": Notice.branch_id == actor.branch_id}[actor.kind]
    return and_(Notice.recipient_id == actor.user_id, Notice.org_kind == actor.kind, org)


_sheet_at = via(ScoreSheet.assessment_id, _AS.c.id, at_branch(_AS.c.branch_id))
_typed_sheet_at = both(_sheet_at, _typed_members_allowed)
# A general branch organizes campaigns for its branches only (an upward campaign, which judges
# a general branch or the committee, has no branch and is the committee's); the committee all
# of its committee's.
_campaign_gb = at_branch(BallotCampaign.branch_id)
_campaign_committee = at_committee(BallotCampaign.committee_id)


def _upward_about_own(actor):
    """联评 about the actor's own general branch: it reads its result, never organizes it."""
    return and_(BallotCampaign.kind == "upward", BallotCampaign.target_general_branch_id == actor.general_branch_id)


_campaign_gb_read = lambda actor: or_(_campaign_gb(actor), _upward_about_own(actor))  # noqa: E731
_code_at = {COMMITTEE: via(BallotCode.campaign_id, _CAMP.c.id, at_committee(_CAMP.c.committee_id)),
            GENERAL_BRANCH: via(BallotCode.campaign_id, _CAMP.c.id, at_branch(_CAMP.c.branch_id))}
CAMPAIGN_FIELDS = frozenset({"status", "closed_on", "issued"})
_note_at = via(RectificationNote.rectification_id, _REC.c.id, at_branch(_REC.c.branch_id))
_violation_at = via(SecretaryViolation.secretary_id, _SEC.c.id, at_branch(_SEC.c.branch_id))
_member_at = {COMMITTEE: members_of_committee, GENERAL_BRANCH: at_branch(Member.branch_id),
              BRANCH: at_branch(Member.branch_id)}
_MB = Member.__table__
_SCOPE_MB = _MB.alias("scope_member")


def at_member(column):
    """The row's member is the actor's: a committee's by the member's denormalised committee id,
    tested row by row on the member's primary key (a committee holds a million members: an IN
    list of all their ids costs more than the rows shown); a general branch's or a branch's
    through the branch."""
    def cond(actor):
        if actor.kind == "committee":
            # an alias: a statement that itself reads zb_member must not correlate it away
            return (select(_SCOPE_MB.c.id)
                    .where(_SCOPE_MB.c.id == column, _SCOPE_MB.c.committee_id == actor.committee_id)
                    .correlate_except(_SCOPE_MB).exists())
        return column.in_(select(_MB.c.id).where(at_branch(_MB.c.branch_id)(actor)))
    return cond


_appraisal_at = at_member(MemberAppraisal.member_id)
_SCOPE_MEET = _MEET.alias("scope_meeting")


def at_meeting(column):
    """The row's meeting is the actor's: a committee's tested row by row on the meeting's primary
    key (an IN list of a committee's meetings is hundreds of thousands of ids, built for every
    statement however few guests or files it reads); below it, through the meetings' branches."""
    def cond(actor):
        if actor.kind == "committee":
            # an alias: a statement that itself reads zb_meeting must not correlate it away
            return (select(_SCOPE_MEET.c.id)
                    .where(_SCOPE_MEET.c.id == column, _SCOPE_MEET.c.branch_id.in_(branch_ids(actor)))
                    .correlate_except(_SCOPE_MEET).exists())
        return column.in_(select(_MEET.c.id).where(at_branch(_MEET.c.branch_id)(actor)))
    return cond


_meeting_part = {model: at_meeting(model.meeting_id) for model in (MeetingAttendance, MeetingGuest, MeetingAttachment)}
_attendee_at = at_member(TrainingAttendance.member_id)
_attendance_event_own = via(TrainingAttendance.event_id, _TEV.c.id, _held_by(_TEV))
_attendance_write = both(_attendance_event_own, _attendee_at)


def _attendance_read(actor):
    """A committee reads its members' credits by the credit's own committee id (the member's,
    denormalised: one indexed comparison, no test of the member per row; an event the committee
    holds credits only its members); below it, its members' credits and its own events'."""
    if actor.kind == "committee":
        return TrainingAttendance.committee_id == actor.committee_id
    return or_(_attendee_at(actor), _attendance_event_own(actor))

# 分类互评 assignments: the row is the committee's and the general branches' where both of its
# branches are below them; a general branch also reads the rows where its branch is reviewed by,
# or reviews, another general branch's (the committee's cross assignments); a branch reads only
# whom it must review, never who reviews it. Branch's own read rule is not widened: the peer's
# name comes from the row (models/peers.py).
_peer_reviewed = at_branch(PeerAssignment.branch_id)
_peer_rater = at_branch(PeerAssignment.rater_branch_id)
_peer_both = both(_peer_reviewed, _peer_rater)


def _peer_gb_read(actor):
    return or_(_peer_reviewed(actor), _peer_rater(actor))


def _peer_to_review(actor):
    return PeerAssignment.rater_branch_id == actor.branch_id


RATES = ("mass_satisfaction", "secretary_satisfaction")
GRADING = ("override_grade", "override_reason", "confirmed_by_id", "confirmed_at")

# model -> role -> Rule.  Why each right, from DOMAIN.md's record-rule table:
RULES: dict = {
    # A committee keeps its own name; committees are created by the operator.
    Committee: {
        COMMITTEE: Rule(read=at_committee(Committee.id), write=at_committee(Committee.id)),
        GENERAL_BRANCH: Rule(read=at_committee(Committee.id)),
        BRANCH: Rule(read=at_committee(Committee.id)),
    },
    # The committee founds and dissolves general branches; a general branch never creates one,
    # and edits only its own contact fields.
    GeneralBranch: {
        COMMITTEE: crud(at_committee(GeneralBranch.committee_id)),
        GENERAL_BRANCH: Rule(read=at_general_branch(GeneralBranch.id), write=at_general_branch(GeneralBranch.id),
                             fields=frozenset({"phone"})),
        BRANCH: Rule(read=at_general_branch(GeneralBranch.id)),
    },
    # Branches: the committee moves them between general branches; a general branch founds and
    # edits its own, never moves one out; a branch edits its note and its 换届 facts.
    Branch: {
        COMMITTEE: crud(own_branches),
        GENERAL_BRANCH: Rule(read=own_branches, create=at_general_branch(Branch.general_branch_id),
                             write=own_branches, delete=own_branches,
                             fields=frozenset({"code", "name", "category", "is_joint", "founded_on", "elected_on",
                                               "term_years", "election_exemption", "note"})),
        BRANCH: Rule(read=own_branches, write=own_branches,
                     fields=frozenset({"note", "elected_on", "term_years", "election_exemption"})),
    },
    # The roster: each level keeps the rows below it; a move to another branch is written by a
    # side that holds both (the receiving general branch, or the committee).
    Member: {role: crud(cond) for role, cond in _member_at.items()},
    Secretary: {
        COMMITTEE: crud(at_branch(Secretary.branch_id)),
        GENERAL_BRANCH: crud(at_branch(Secretary.branch_id)),
        BRANCH: Rule(read=at_branch(Secretary.branch_id)),
    },
    SecretaryViolation: {
        COMMITTEE: crud(_violation_at), GENERAL_BRANCH: crud(_violation_at), BRANCH: Rule(read=_violation_at),
    },
    # Contact cadres: the committee keeps all of its committee's, its own (校领导, 机关干部) among
    # them; a general branch keeps its own and reads every cadre linked to its branches (the
    # contact person of a rectification item is any cadre linked to that branch); a branch
    # reads the cadres that contact it.
    ContactCadre: {
        COMMITTEE: crud(_cadre_own),
        GENERAL_BRANCH: Rule(read=_cadre_gb_read, create=_cadre_own, write=_cadre_own, delete=_cadre_own),
        BRANCH: Rule(read=_cadre_of_branch),
    },
    # 党总支委员 (五、(二)): the committee and the general branch keep a general branch's
    # committee; its branches read it (a 委员 may sit in on their meetings as a guest).
    GeneralBranchCommitteeMember: {
        COMMITTEE: crud(at_general_branch(GeneralBranchCommitteeMember.general_branch_id)),
        GENERAL_BRANCH: crud(at_general_branch(GeneralBranchCommitteeMember.general_branch_id)),
        BRANCH: Rule(read=at_general_branch(GeneralBranchCommitteeMember.general_branch_id)),
    },
    # Meetings (三会一课) and what hangs on them (attendance, guests, files): the branch keeps its
    # own, the general branch and the committee all below them (DOMAIN.md: all / all under
    # itself / its own).
    Meeting: {role: crud(at_branch(Meeting.branch_id)) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    MeetingAttendance: {role: crud(_meeting_part[MeetingAttendance]) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    MeetingGuest: {role: crud(_meeting_part[MeetingGuest]) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    MeetingAttachment: {role: crud(_meeting_part[MeetingAttachment]) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # Training events belong to the organization that holds them: each level keeps its own
    # (a general branch its branches' too) and reads those held above it and those its members
    # attended. An attendee is credited by the holder, for a member in the holder's scope; a
    # branch reads its own members' credits.
    TrainingEvent: {role: Rule(read=_training_read, create=_training_own, write=_training_own, delete=_training_own)
                    for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    TrainingAttendance: {role: Rule(read=_attendance_read, create=_attendance_write, write=_attendance_write,
                                    delete=_attendance_write) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # A branch's annual work plan and summary: the branch files its own; the levels above all below them.
    BranchDocument: {role: crud(at_branch(BranchDocument.branch_id)) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # 抽查党支部工作手册: the checkers (general branch, committee) record it; the branch checked reads it.
    HandbookCheck: {
        COMMITTEE: crud(at_branch(HandbookCheck.branch_id)),
        GENERAL_BRANCH: crud(at_branch(HandbookCheck.branch_id)),
        BRANCH: Rule(read=at_branch(HandbookCheck.branch_id)),
    },
    # Funds are allocated from above: the branch reads its own.
    Funding: {
        COMMITTEE: crud(at_branch(Funding.branch_id)),
        GENERAL_BRANCH: crud(at_branch(Funding.branch_id)),
        BRANCH: Rule(read=at_branch(Funding.branch_id)),
    },
    # The published standards are read by everyone and authored by the committee.
    StandardItem: {COMMITTEE: crud(anywhere), GENERAL_BRANCH: Rule(read=anywhere), BRANCH: Rule(read=anywhere)},
    # Rounds are opened, edited and closed by the committee that runs them.
    AssessmentRound: {
        COMMITTEE: crud(at_committee(AssessmentRound.committee_id)),
        GENERAL_BRANCH: Rule(read=at_committee(AssessmentRound.committee_id)),
        BRANCH: Rule(read=at_committee(AssessmentRound.committee_id)),
    },
    # An assessment is computed; people set only its typed rates (where no ballot runs) and,
    # in the committee, its confirmation and override. The branch being judged sets nothing.
    Assessment: {
        COMMITTEE: Rule(read=at_branch(Assessment.branch_id), create=at_branch(Assessment.branch_id),
                        write=at_branch(Assessment.branch_id), fields=frozenset(RATES + GRADING)),
        GENERAL_BRANCH: Rule(read=at_branch(Assessment.branch_id), write=at_branch(Assessment.branch_id),
                             fields=frozenset(RATES)),
        BRANCH: Rule(read=at_branch(Assessment.branch_id)),
    },
    # Sheets by source (附件1 三、): a branch enters its 自评 only and sees only what it entered;
    # a general branch enters 上级考评, 分类互评 and paper 党员评议 for its branches.
    # Where a members ballot campaign runs, its ballots are the source: no typed 党员评议 sheet
    # is added or changed there (one left from before may still be deleted).
    ScoreSheet: {
        COMMITTEE: Rule(read=_sheet_at, create=_typed_sheet_at, write=_typed_sheet_at, delete=_sheet_at),
        GENERAL_BRANCH: Rule(read=_sheet_at, create=both(_typed_sheet_at, _sheet_source),
                             write=both(_typed_sheet_at, _sheet_source), delete=both(_sheet_at, _sheet_source)),
        BRANCH: crud(both(_sheet_at, _sheet_source)),
    },
    PeerAssignment: {
        COMMITTEE: crud(_peer_both, fields={"note"}),
        GENERAL_BRANCH: Rule(read=_peer_gb_read, create=_peer_both, write=_peer_both, delete=_peer_both,
                             fields=frozenset({"note"})),
        BRANCH: Rule(read=_peer_to_review),
    },
    # 民主评议党员 results: entered by the branch after its meeting for its own members, and by
    # the general branch and the committee for the members below them (DOMAIN.md: "meeting,
    # training event, documents, 民主评议党员": all / all under itself / its own).
    MemberAppraisal: {role: crud(_appraisal_at) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # 述职 (五、(三)): a branch secretary reports to its general branch, a general-branch
    # secretary to the committee. The reporter keeps its own record (the branch its reports,
    # the general branch its own and those it receives); the committee all of its committee.
    # A branch never sees its general branch's report, nor another branch's.
    DutyReport: {
        COMMITTEE: crud(at_committee(DutyReport.committee_id)),
        GENERAL_BRANCH: crud(lambda actor: DutyReport.general_branch_id == actor.general_branch_id),
        BRANCH: crud(lambda actor: DutyReport.branch_id == actor.branch_id),
    },
    # Ballot campaigns (DOMAIN.md "Ballots"): opened, closed and given codes by the general
    # branch for its branches or by the committee; never by the branch being judged, which
    # does not even see them (nor their codes). Upward campaigns (联评, 五、(三)) judge a
    # general branch or the committee: only the committee opens them, for its general
    # branches and for itself (the seed: representatives evaluate 校党委 and the 院系 units;
    # the one judged never runs its own evaluation); a general branch reads the campaign
    # about itself (its result), not its codes, and cannot change it.
    BallotCampaign: {
        COMMITTEE: Rule(read=_campaign_committee, create=_campaign_committee, write=_campaign_committee,
                        fields=CAMPAIGN_FIELDS),
        GENERAL_BRANCH: Rule(read=_campaign_gb_read, create=_campaign_gb, write=_campaign_gb, fields=CAMPAIGN_FIELDS),
        BRANCH: Rule(read=nowhere),
    },
    # Codes are created by the organizer and only ever marked used by the voting (system actor
    # "ballot"); nobody reads them back (only their hashes are stored anyway).
    BallotCode: {
        COMMITTEE: Rule(read=_code_at[COMMITTEE], create=_code_at[COMMITTEE]),
        GENERAL_BRANCH: Rule(read=_code_at[GENERAL_BRANCH], create=_code_at[GENERAL_BRANCH]),
        BRANCH: Rule(read=nowhere),
    },
    # Votes are cast by anyone holding a code, through the system actor "ballot"; no role reads
    # or writes a single vote: the assessment sees their tally only.
    Ballot: {role: Rule(read=nowhere) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    BallotThrottle: {role: Rule(read=nowhere) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # Rectification: the general branch and the committee create, edit and close items; a branch
    # records its measures and marks them done, and cannot reopen a finished item.
    Rectification: {
        COMMITTEE: crud(at_branch(Rectification.branch_id)),
        GENERAL_BRANCH: crud(at_branch(Rectification.branch_id)),
        BRANCH: Rule(read=at_branch(Rectification.branch_id),
                     write=both(at_branch(Rectification.branch_id), _not_done),
                     fields=frozenset({"measures", "status", "completed_on"})),
    },
    RectificationNote: {role: crud(_note_at) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # A roster import belongs to its uploader's organization; only the uploader confirms it.
    ImportRecord: {role: Rule(read=_import_at_org, create=_import_at_org, write=both(_import_at_org, _own_import))
                   for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # A background job is its owner's alone (it may hold a committee-wide export): the owner
    # starts it and reads it; only the job runner (system actor "jobs") writes its state and
    # result, and nobody deletes one from the web.
    Job: {role: Rule(read=_own_job, create=_own_job) for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # A notice is its recipient's alone: only the system actor "notices" makes one (nobody
    # creates or deletes one from the web or the API); the recipient reads it and marks it read.
    Notice: {role: Rule(read=_own_notice, write=_own_notice, fields=frozenset({"read_at"}))
             for role in (COMMITTEE, GENERAL_BRANCH, BRANCH)},
    # The committee's kept health summary (app/services/health_summary.py): derived from the
    # records and their trail, read where its branch is, written by no role — the summary
    # service writes it on its own connection, as the guard writes the trail.
    HealthStatus: {
        COMMITTEE: Rule(read=at_committee(HealthStatus.committee_id)),
        GENERAL_BRANCH: Rule(read=lambda actor: HealthStatus.general_branch_id == actor.general_branch_id),
        BRANCH: Rule(read=lambda actor: HealthStatus.branch_id == actor.branch_id),
    },
    HealthState: {COMMITTEE: Rule(read=at_committee(HealthState.committee_id))},
    HealthMark: {},
    # A round's assessments counted per general branch (kept by database triggers, migration
    # 2f6c8e41d7a3): a row sums every branch of its general branch, so it is read by those who
    # read all of them — the committee its general branches', a general branch its own — and
    # by no branch; no role writes it.
    RoundTally: {
        COMMITTEE: Rule(read=lambda actor: RoundTally.general_branch_id.in_(_committee_general_branches(actor))),
        GENERAL_BRANCH: Rule(read=lambda actor: RoundTally.general_branch_id == actor.general_branch_id),
    },
    # The audit trail (DOMAIN.md "audit log": read / read its subtree / read its branch) is
    # written by the guard itself, in the transaction of the change it records, never through
    # the session by anyone; no role (nor the operator, nor the system but for a restore)
    # changes or deletes a row of it (guard.py refuses). Each row carries the org columns of
    # the record it audits, so it is read where that record is.
    AuditLog: {
        COMMITTEE: Rule(read=at_committee(AuditLog.committee_id)),
        GENERAL_BRANCH: Rule(read=lambda actor: AuditLog.general_branch_id == actor.general_branch_id),
        BRANCH: Rule(read=lambda actor: AuditLog.branch_id == actor.branch_id),
    },
}

# Not audited: the trail itself; anonymous votes, their codes and the throttle (nothing may
# link a vote to a time, a person or an address: DOMAIN.md "Ballots"); an import's own
# bookkeeping row (the rows the import writes are audited, each one); a background job's
# state and progress (what the job writes, as its owner, is audited like any other write); a
# notice: made by the system from records whose own changes are audited, and read by its
# recipient alone, so a trail row per notice or per "mark read" would double the table and tell
# everyone in the branch who was reminded of what and when each one read it; the kept health
# summary, derived from audited records (and read back from their trail: a trail row of its own
# would mark it changed again); the rounds' tallies, written by the database from audited
# assessments.
AUDIT_EXCLUDED = frozenset({AuditLog, Ballot, BallotCode, BallotThrottle, HealthMark, HealthState, HealthStatus,
                            ImportRecord, Job, Notice, RoundTally})
# Audited records no health rule (H1–H11) reads: their changes leave no health mark
# (zb_health_mark), so a round's recompute or a rectification note does not send the
# committee's kept health summary back to its records.
HEALTH_IGNORED = frozenset({AssessmentRound, Assessment, ScoreSheet, StandardItem, Rectification, RectificationNote,
                            DutyReport, BallotCampaign, SecretaryViolation, MeetingAttachment, PeerAssignment})
# System actors whose writes are not audited: the anonymous vote ("ballot") recomputes the
# assessment it feeds; a dated, addressed trail of that would tell when a vote came from where
# and, from the score's step, what it said.
AUDIT_SILENT_ACTORS = frozenset({"ballot"})
# The system actor that may rewrite the trail: restoring a backup puts every table back.
AUDIT_RESTORER = "restore"


_MEET = Meeting.__table__


def _up(column, parent, parent_column):
    """A correlated lookup of the parent row's column (where a row hangs, one step up)."""
    return select(parent_column).where(parent.c.id == column).scalar_subquery()


# Where an audited row hangs, for the org columns of its audit rows: model -> (committee,
# general branch, branch) SQL expressions over the row (None: derived from the level below).
AUDIT_ORG = {
    Committee: (Committee.id, None, None),
    GeneralBranch: (GeneralBranch.committee_id, GeneralBranch.id, None),
    Branch: (None, Branch.general_branch_id, Branch.id),
    Member: (None, None, Member.branch_id),
    Secretary: (None, None, Secretary.branch_id),
    SecretaryViolation: (None, None, _up(SecretaryViolation.secretary_id, _SEC, _SEC.c.branch_id)),
    ContactCadre: (ContactCadre.committee_id, ContactCadre.general_branch_id, None),
    GeneralBranchCommitteeMember: (None, GeneralBranchCommitteeMember.general_branch_id, None),
    Meeting: (None, None, Meeting.branch_id),
    MeetingAttendance: (None, None, _up(MeetingAttendance.meeting_id, _MEET, _MEET.c.branch_id)),
    MeetingGuest: (None, None, _up(MeetingGuest.meeting_id, _MEET, _MEET.c.branch_id)),
    MeetingAttachment: (None, None, _up(MeetingAttachment.meeting_id, _MEET, _MEET.c.branch_id)),
    TrainingEvent: (TrainingEvent.committee_id, TrainingEvent.general_branch_id, TrainingEvent.branch_id),
    TrainingAttendance: (TrainingAttendance.committee_id, None,
                         _up(TrainingAttendance.member_id, Member.__table__, Member.__table__.c.branch_id)),
    Funding: (None, None, Funding.branch_id),
    BranchDocument: (None, None, BranchDocument.branch_id),
    HandbookCheck: (None, None, HandbookCheck.branch_id),
    StandardItem: (None, None, None),   # published for every committee: the actor's committee
    AssessmentRound: (AssessmentRound.committee_id, None, None),
    Assessment: (None, None, Assessment.branch_id),
    ScoreSheet: (None, None, _up(ScoreSheet.assessment_id, _AS, _AS.c.branch_id)),
    # the reviewed branch's general branch (and committee) read the trail; not the branch, which
    # does not read who reviews it
    PeerAssignment: (None, _up(PeerAssignment.branch_id, _BR, _BR.c.general_branch_id), None),
    MemberAppraisal: (None, None, _up(MemberAppraisal.member_id, Member.__table__, Member.__table__.c.branch_id)),
    DutyReport: (DutyReport.committee_id, DutyReport.general_branch_id, DutyReport.branch_id),
    BallotCampaign: (BallotCampaign.committee_id, BallotCampaign.target_general_branch_id, BallotCampaign.branch_id),
    Rectification: (None, None, Rectification.branch_id),
    RectificationNote: (None, None, _up(RectificationNote.rectification_id, _REC, _REC.c.branch_id)),
}

# Written only by the operator's commands (accounts) and FAB's security tables: no row rules.
# AccountGuard and LoginSession are the login machinery's own bookkeeping (failed logins,
# locks, session versions, browser sessions), written while logging in or out and read by no
# view: no role's rule applies to them.
UNRULED = {UserOrg, AccountGuard, LoginSession}

# Fields fixed once a row exists, whoever asks.
FROZEN = {
    ScoreSheet: frozenset({"source", "assessment_id"}),
    Member: frozenset({"committee_id"}),
    Assessment: frozenset({"round_id", "branch_id"}),
    Rectification: frozenset({"round_id", "branch_id"}),
    RectificationNote: frozenset({"rectification_id"}),
    SecretaryViolation: frozenset({"secretary_id"}),
    AssessmentRound: frozenset({"committee_id"}),
    BallotCampaign: frozenset({"committee_id", "round_id", "branch_id", "target_general_branch_id", "kind",
                               "min_turnout", "opened_on", "opened_by_id"}),
    BallotCode: frozenset({"campaign_id", "digest"}),
    MemberAppraisal: frozenset({"member_id"}),
    PeerAssignment: frozenset({"round_id", "branch_id", "rater_branch_id", "branch_name", "general_branch_name",
                               "rater_branch_name", "rater_general_branch_name", "peer_group", "assigned_by",
                               "created_by_id", "created_at"}),
    MeetingAttendance: frozenset({"meeting_id", "member_id"}),
    MeetingGuest: frozenset({"meeting_id"}),
    MeetingAttachment: frozenset({"meeting_id", "file_name", "stored_name", "content_type", "file_size", "file_sha256",
                                  "uploaded_by_id", "uploaded_at"}),
    TrainingAttendance: frozenset({"event_id", "committee_id"}),
    BranchDocument: frozenset({"branch_id", "file_name", "stored_name", "content_type", "file_size", "file_sha256",
                               "uploaded_by_id", "uploaded_at"}),
    # the holder of an event, and a cadre's committee, are fixed (another holder records its own)
    TrainingEvent: frozenset({"committee_id", "general_branch_id", "branch_id"}),
    ContactCadre: frozenset({"committee_id"}),
    DutyReport: frozenset({"committee_id", "general_branch_id", "branch_id", "file_name", "stored_name",
                           "content_type", "file_size", "file_sha256", "uploaded_by_id", "uploaded_at"}),
    Ballot: frozenset({"campaign_id", "cast_on", "s1", "s2", "s3", "s4", "s5", "secretary", "role"}),
    Notice: frozenset({"recipient_id", "kind", "subject_table", "subject_id", "due_on", "params", "dedupe_key",
                       "org_kind", "committee_id", "general_branch_id", "branch_id", "created_at"}),
    Job: frozenset({"kind", "params", "owner_id", "org_kind", "committee_id", "general_branch_id", "branch_id",
                    "lang", "created_at"}),
}

# Fields the database keeps (triggers on zb_member count a branch's roster, on zb_branch and
# zb_secretary a general branch's): no path writes them, whoever asks, the system neither — a
# written count would be wrong at the next member.
MAINTAINED = {
    Branch: frozenset({"formal_count", "probationary_count"}),
    GeneralBranch: frozenset({"branch_count", "formal_count", "probationary_count", "secretary_count"}),
}

# Fields only the scoring engine writes (recomputed in the same flush): never checked as edits.
COMPUTED = {
    Assessment: frozenset({"self_score", "member_score", "peer_score", "superior_score", "composite",
                           "computed_grade", "vetoes", "capped", "missing_sources"}),
}
# A name's pinyin sort key follows the name on every write (models/naming): whoever may change
# the name changes the key with it.
for _named in (Committee, GeneralBranch, Branch, Member, ContactCadre):
    COMPUTED[_named] = COMPUTED.get(_named, frozenset()) | {"name_key"}
# so does a member number's match key (the import's lookup)
COMPUTED[Member] = COMPUTED[Member] | {"number_key"}


def _round_open(round_id_column):
    return round_id_column.in_(select(_RD.c.id).where(_RD.c.status == "open"))


# State rules, for every actor: nothing attached to a closed round changes on any path.
# (model -> condition that must hold on the old row and on the new one)
STATE = {
    ScoreSheet: lambda: ScoreSheet.assessment_id.in_(
        select(_AS.c.id).where(_AS.c.round_id.in_(select(_RD.c.id).where(_RD.c.status == "open")))),
    Assessment: lambda: _round_open(Assessment.round_id),
    PeerAssignment: lambda: _round_open(PeerAssignment.round_id),
    # a closed round's campaigns, codes and votes are final (closing the round closes its
    # campaigns first, in the same transaction)
    BallotCampaign: lambda: _round_open(BallotCampaign.round_id),
    BallotCode: lambda: BallotCode.campaign_id.in_(select(_CAMP.c.id).where(_round_open(_CAMP.c.round_id))),
    Ballot: lambda: Ballot.campaign_id.in_(select(_CAMP.c.id).where(_round_open(_CAMP.c.round_id))),
}

# A closed round itself: only reopened (status -> open), by the committee or the operator.
REOPEN_FIELDS = frozenset({"status"})
REOPEN_ROLES = frozenset({COMMITTEE, "all", "system"})


def rule_for(model, actor) -> Rule | None:
    """The rule of the actor's role on the model; None when it may do nothing."""
    if actor.kind in ("all", "system"):
        return ADMIN_RULE
    return RULES.get(model, {}).get(actor.kind)


ADMIN_RULE = crud(anywhere)


def condition(model, actor, verb: str):
    """The SQL condition for `verb` ('read', 'create', 'write', 'delete'); false() when never."""
    if actor is None:
        return false()
    rule = rule_for(model, actor)
    cond = rule.verb(verb) if rule is not None else None
    return false() if cond is None else cond(actor)


def may(model, actor, verb: str) -> bool:
    """True when the actor's role has `verb` on some rows of the model."""
    rule = rule_for(model, actor) if actor is not None else None
    return rule is not None and rule.verb(verb) is not None


def writable_fields(model, actor) -> frozenset | None:
    """The fields the actor may change on an existing row (None: every field)."""
    rule = rule_for(model, actor)
    return None if rule is None else rule.fields


def ruled_models() -> list:
    """Every model the table covers (read scoping applies to each)."""
    return list(RULES)


def is_domain_model(model) -> bool:
    """zhibu's own tables (zb_*), which the guard refuses unless the table covers them."""
    table = getattr(model, "__tablename__", "") or ""
    return table.startswith("zb_")

