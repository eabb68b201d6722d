"""The facts of the health check, one aggregate query each over every branch in scope.

Each function returns plain values keyed by branch (or general branch) for app/rules; the
record-rule guard scopes every statement, `scope` narrows it to one general branch or branch.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import Float, Integer, and_, case, cast, distinct, extract, func, literal, or_, select

from app.extensions import db
from app.models import (
    Branch, Committee, ContactCadre, GeneralBranch, GeneralBranchCommitteeMember, Meeting, MeetingGuest, Member,
    MemberAppraisal, Secretary, TrainingAttendance, TrainingEvent, cadre_branch, gb_committee_member_branch,
)
from app.rules import CommitteeMemberFacts, ContactFact, MeetingSummary, MemberHours, MemberTraining, SecretaryFacts
from app.rules.model import STUDENT_CATEGORIES

SHORT_LISTED = 20      # members short of their training target named in H6's evidence


def secretaries_of(first, last, as_of, scope) -> dict:
    """branch id -> SecretaryFacts of its current secretary, with hours, courses and first training."""
    rows = db.session.execute(
        select(Secretary.branch_id, Secretary.id, Secretary.member_id, Member.name, Secretary.appointed_on,
               Secretary.title_rank)
        .join(Member, Member.id == Secretary.member_id)
        .where(Secretary.left_on.is_(None), scope(Secretary.branch_id))
        .order_by(Secretary.branch_id, Secretary.appointed_on)).all()
    current = {r[0]: r for r in rows}           # the newest appointment of each branch
    hours = {sid: (float(h or 0), int(c or 0)) for sid, h, c in db.session.execute(
        select(Secretary.id, func.sum(TrainingEvent.hours),
               func.sum(case((TrainingEvent.online.is_(False), 1), else_=0)))
        .join(TrainingAttendance, TrainingAttendance.member_id == Secretary.member_id)
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
        .where(Secretary.left_on.is_(None), TrainingEvent.held_on >= first, TrainingEvent.held_on <= last,
               scope(Secretary.branch_id))
        .group_by(Secretary.id))}
    # H5: the first training of each secretary appointed recently enough to be "new" in the year
    # (up to the day of the check: a December appointment may be trained in the next January)
    recent = date.fromordinal(first.toordinal() - 400)
    first_training = {}
    for sid, eid, day in db.session.execute(
            select(Secretary.id, TrainingEvent.id, TrainingEvent.held_on)
            .join(TrainingAttendance, TrainingAttendance.member_id == Secretary.member_id)
            .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
            .where(Secretary.left_on.is_(None), Secretary.appointed_on >= recent,
                   TrainingEvent.held_on >= Secretary.appointed_on, TrainingEvent.held_on <= as_of,
                   scope(Secretary.branch_id))
            .order_by(Secretary.id, TrainingEvent.held_on, TrainingEvent.id)):
        first_training.setdefault(sid, (day, eid))
    out = {}
    for bid, sid, mid, name, appointed_on, rank in current.values():
        h, c = hours.get(sid, (0.0, 0))
        day, eid = first_training.get(sid, (None, None))
        out[bid] = SecretaryFacts(sid, mid, name, appointed_on, rank or "none", h, c, day, eid)
    return out


def member_training(first, last, scope, policies_by_profile, roster, detail=True, narrowed=False) -> dict:
    """branch id -> MemberTraining. roster: branch id -> (members, (hours, online) target or None).

    Only members credited in the year can reach a target above zero: SQL counts them per branch
    against each of the few distinct targets (reading the credits and their members, never the
    whole roster), and the branch's own target picks its count. With detail, the members short
    of their branch's target (a CASE over the category and profile pairs) are listed by name.
    narrowed: the scope is a part of the actor's (a general branch, some branches), whose
    members' credits alone are summed (not the whole committee's year)."""
    targets = sorted({target for _members, target in roster.values() if target is not None})
    if not targets:
        return {}
    credits = (
        select(TrainingAttendance.member_id.label("member_id"),
               func.sum(TrainingEvent.hours).label("hours"),
               func.sum(case((TrainingEvent.online.is_(True), TrainingEvent.hours), else_=0.0)).label("online"))
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
        .where(TrainingEvent.held_on >= first, TrainingEvent.held_on <= last))
    if narrowed:
        credits = credits.join(Member, Member.id == TrainingAttendance.member_id).where(scope(Member.branch_id))
    per_member = credits.group_by(TrainingAttendance.member_id).subquery()
    hours = cast(func.coalesce(per_member.c.hours, 0.0), Float)
    online = cast(func.coalesce(per_member.c.online, 0.0), Float)
    reached_by = {}
    for row in db.session.execute(
            select(Member.branch_id, *(func.sum(case((and_(hours >= h - 1e-9, online >= o - 1e-9), 1), else_=0))
                                       for h, o in targets))
            .select_from(per_member).join(Member, Member.id == per_member.c.member_id)
            .where(scope(Member.branch_id)).group_by(Member.branch_id)):
        reached_by[row[0]] = dict(zip(targets, row[1:]))
    listed = _short_members(per_member, hours, online, scope, policies_by_profile) if detail else {}
    out = {}
    for bid, (members, target) in roster.items():
        if target is None or not members:
            continue
        reached = members if target[0] <= 1e-9 and target[1] <= 1e-9 else \
            min(members, int(reached_by.get(bid, {}).get(target) or 0))
        out[bid] = MemberTraining(members, reached, tuple(listed.get(bid, ())))
    return out


def _short_members(per_member, hours, online, scope, policies_by_profile) -> dict:
    """branch id -> MemberHours of its members short of their target, fewest hours first (at most SHORT_LISTED)."""
    whens_h, whens_o = [], []
    for profile, policy in policies_by_profile.items():
        for category, target in policy.member_hours.items():
            if target is not None:
                when = and_(Branch.category == category, Committee.health_profile == profile)
                whens_h.append((when, target[0]))
                whens_o.append((when, target[1]))
    target_h, target_o = case(*whens_h, else_=None), case(*whens_o, else_=None)
    short = or_(hours < target_h - 1e-9, online < target_o - 1e-9)
    counted = (select(Member.branch_id.label("branch_id"), Member.id.label("id"), Member.name.label("name"),
                      hours.label("hours"), online.label("online"))
               .join(Branch, Branch.id == Member.branch_id)
               .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
               .join(Committee, Committee.id == GeneralBranch.committee_id)
               .outerjoin(per_member, per_member.c.member_id == Member.id)
               .where(scope(Member.branch_id), target_h.is_not(None), short)
               .subquery())
    ranked = (select(counted, func.row_number().over(partition_by=counted.c.branch_id,
                                                     order_by=(counted.c.hours, counted.c.id)).label("rn"))
              .subquery())
    listed = defaultdict(list)
    for bid, mid, name, h, o, _rn in db.session.execute(
            select(ranked).where(ranked.c.rn <= SHORT_LISTED).order_by(ranked.c.branch_id, ranked.c.rn)):
        listed[bid].append(MemberHours(mid, name, float(h or 0), float(o or 0)))
    return listed


def meetings_of(first, last, scope, kinds=()) -> dict:
    """branch id -> MeetingSummary (meetings per month; the months each of `kinds` was held in),
    one row per branch from SQL."""
    month = cast(extract("month", Meeting.held_on), Integer)
    kinds = tuple(sorted(set(kinds)))
    in_year = (Meeting.held_on >= first, Meeting.held_on <= last, scope(Meeting.branch_id))
    if db.session.get_bind().dialect.name == "postgresql":
        # one pass: bit_or gathers each kind's months
        bit = literal(1, Integer).op("<<")(month - 1)
        stmt = (select(Meeting.branch_id, *(func.count(Meeting.id).filter(month == m) for m in range(1, 13)),
                       *(func.bit_or(case((Meeting.kind == kind, bit), else_=0)) for kind in kinds))
                .where(*in_year).group_by(Meeting.branch_id))
    else:
        # no bit_or: (branch, month, kind) cells first, unique, so the sum of 2^(month-1) over a
        # kind's cells is its month bits
        cells = (select(Meeting.branch_id.label("branch_id"), month.label("m"), Meeting.kind.label("kind"),
                        func.count(Meeting.id).label("n"))
                 .where(*in_year).group_by(Meeting.branch_id, month, Meeting.kind).subquery())
        bit = literal(1, Integer).op("<<")(cells.c.m - 1)
        stmt = (select(cells.c.branch_id,
                       *(func.sum(case((cells.c.m == m, cells.c.n), else_=0)) for m in range(1, 13)),
                       *(func.sum(case((cells.c.kind == kind, bit), else_=0)) for kind in kinds))
                .group_by(cells.c.branch_id))
    out = {}
    for row in db.session.execute(stmt):
        bid, counts, bits = row[0], tuple(int(n or 0) for n in row[1:13]), row[13:]
        out[bid] = MeetingSummary(counts, tuple((k, int(b)) for k, b in zip(kinds, bits) if b))
    return out


def appraised_members(year, scope, windows) -> dict:
    """(branch id, window years) -> members of the roster with a 民主评议 result in the window."""
    windows = sorted(windows)
    columns = [func.count(distinct(case((MemberAppraisal.year >= year - w + 1, Member.id)))) for w in windows]
    out = {}
    for row in db.session.execute(
            select(Member.branch_id, *columns)
            .join(MemberAppraisal, MemberAppraisal.member_id == Member.id)
            .where(MemberAppraisal.year <= year, MemberAppraisal.year >= year - windows[-1] + 1,
                   scope(Member.branch_id))
            .group_by(Member.branch_id)):
        for w, n in zip(windows, row[1:]):
            out[(row[0], w)] = n
    return out


def contacts_of(first, last, scope) -> dict:
    """branch id -> ContactFact of each linked cadre, with the branch's meetings it attended."""
    attended = (select(MeetingGuest.cadre_id.label("cadre_id"), Meeting.branch_id.label("branch_id"),
                       func.count(distinct(Meeting.id)).label("n"))
                .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
                .where(MeetingGuest.cadre_id.is_not(None), Meeting.held_on >= first, Meeting.held_on <= last)
                .group_by(MeetingGuest.cadre_id, Meeting.branch_id).subquery())
    out = defaultdict(list)
    for bid, cid, name, n in db.session.execute(
            select(cadre_branch.c.branch_id, ContactCadre.id, ContactCadre.name, func.coalesce(attended.c.n, 0))
            .join(ContactCadre, ContactCadre.id == cadre_branch.c.cadre_id)
            .outerjoin(attended, and_(attended.c.cadre_id == ContactCadre.id,
                                      attended.c.branch_id == cadre_branch.c.branch_id))
            .where(scope(cadre_branch.c.branch_id))
            .order_by(cadre_branch.c.branch_id, ContactCadre.name)):
        out[bid].append(ContactFact(cid, name, int(n)))
    return out


def committee_members(first, last, gb_filter) -> dict:
    """general branch id -> CommitteeMemberFacts: linked student branches and meetings attended there."""
    links = defaultdict(list)
    people = {}
    for mid, name, gb_id, bid, category in db.session.execute(
            select(GeneralBranchCommitteeMember.id, GeneralBranchCommitteeMember.name,
                   GeneralBranchCommitteeMember.general_branch_id, gb_committee_member_branch.c.branch_id,
                   Branch.category)
            .outerjoin(gb_committee_member_branch,
                       gb_committee_member_branch.c.committee_member_id == GeneralBranchCommitteeMember.id)
            .outerjoin(Branch, Branch.id == gb_committee_member_branch.c.branch_id)
            .where(gb_filter(GeneralBranchCommitteeMember.general_branch_id))
            .order_by(GeneralBranchCommitteeMember.general_branch_id, GeneralBranchCommitteeMember.id)):
        people[mid] = (name, gb_id)
        if bid is not None and category in STUDENT_CATEGORIES:
            links[mid].append(bid)
    attended = defaultdict(int)
    for mid, bid, n in db.session.execute(
            select(MeetingGuest.committee_member_id, Meeting.branch_id, func.count(distinct(Meeting.id)))
            .join(Meeting, Meeting.id == MeetingGuest.meeting_id)
            .where(MeetingGuest.committee_member_id.is_not(None), Meeting.held_on >= first, Meeting.held_on <= last)
            .group_by(MeetingGuest.committee_member_id, Meeting.branch_id)):
        if bid in links.get(mid, ()):
            attended[mid] += n
    out = defaultdict(list)
    for mid, (name, gb_id) in people.items():
        out[gb_id].append(CommitteeMemberFacts(mid, name, gb_id, tuple(links.get(mid, ())), attended[mid]))
    return out
