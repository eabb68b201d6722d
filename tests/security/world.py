"""A small named world for the record-rule tests, and what the rule table says about it.

Two universities: 甲大学党委 (whose people log in) and 乙大学党委 (foreign to all of them).
甲 has two general branches, 文学院 (A: its users' side) and 理学院 (B: the other general
branch), each with two branches; 乙 mirrors it. 甲 runs an open round (2024) and a closed one
(2023); 乙 runs its own. Users: w-committee (甲), w-gb-a (文学院), w-branch-a1 (文学院教师第一党支部),
and for the property test also w-gb-b, w-branch-b1 and w-yi-committee.

Rows are named by where they hang, as seen from w-branch-a1: own-branch (A1), sibling-branch
(A2, same general branch), other-general-branch (B1), other-committee (乙's A1).
"""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import inspect, select
from sqlalchemy import update as sa_update

from app.extensions import db
from app.models import (
    Assessment, AssessmentRound, AuditLog, Branch, BranchDocument, Committee, MeetingAttachment, ContactCadre, Funding, GeneralBranch, GeneralBranchCommitteeMember, Job, Notice,
    HandbookCheck, Meeting, MeetingAttendance, MeetingGuest, Member, MemberAppraisal, PeerAssignment, Rectification,
    RectificationNote, ScoreSheet, Secretary, SecretaryViolation, StandardItem, TrainingAttendance, TrainingEvent,
)
from app.security import rules
from app.security.roles import BRANCH, COMMITTEE, GENERAL_BRANCH
from app.security.scope import OrgRef, system_actor

WORLD_PASSWORD = "world-pass-123"
ROLE_USERS = {COMMITTEE: "w-committee", GENERAL_BRANCH: "w-gb-a", BRANCH: "w-branch-a1"}
BRANCH_POSITIONS = ("own-branch", "sibling-branch", "other-general-branch", "other-committee")

_serial = itertools.count(1)


@dataclass
class World:
    """Ids of the world's rows: rows[model][position] -> id, plus orgs and users."""

    rows: dict = field(default_factory=dict)
    branches: dict = field(default_factory=dict)   # position -> branch id
    general_branches: dict = field(default_factory=dict)  # 'A', 'B', 'yi-A' -> id
    committees: dict = field(default_factory=dict)  # 'jia', 'yi' -> id
    rounds: dict = field(default_factory=dict)      # 'open', 'closed', 'yi' -> id
    actors: dict = field(default_factory=dict)      # username -> OrgRef

    def add(self, model, position, obj):
        self.rows.setdefault(model, {})[position] = obj.id

    def id(self, model, position):
        return self.rows[model][position]

    def positions(self, model):
        return list(self.rows.get(model, {}))


# -- makers: one new row of each model at a place, used for the world and for spare rows -------

def _branch_round(world, position):
    return world.rounds["yi" if position == "other-committee" else "open"]


def make_member(world, position, name=None):
    n = next(_serial)
    return Member(number=f"W{n:05d}", name=name or f"党员{n:05d}", member_type="formal", unit="文学院",
                  branch_id=world.branches[position])


def make_secretary(world, position):
    member = make_member(world, position)
    db.session.add(member)
    db.session.flush()
    return Secretary(member_id=member.id, branch_id=world.branches[position], appointed_on=date(2022, 9, 1),
                     title_rank="associate")


def make_cadre(world, position):
    """A cadre of the position's general branch contacting that branch; 'own-branch-cross' is a
    school leader registered at 文学院 who also contacts 理学院's branch; 'own-committee-leader'
    a 校领导 of 甲's committee itself (no general branch) contacting A1 and B1."""
    contacts = {"own-branch": ["own-branch", "sibling-branch"],
                "own-branch-cross": ["own-branch", "other-general-branch"],
                "own-committee-leader": ["own-branch", "other-general-branch"]}.get(position, [position])
    if position == "own-committee-leader":
        cadre = ContactCadre(name=f"校领导{next(_serial):05d}", position="党委副书记", level="school_leader",
                             committee_id=world.committees["jia"])
        cadre.branches = [db.session.get(Branch, world.branches[p]) for p in contacts]
        return cadre
    gb = {"own-branch": "A", "own-branch-cross": "A", "sibling-branch": "A", "other-general-branch": "B",
          "other-committee": "yi-A"}[position]
    cadre = ContactCadre(name=f"联系人{next(_serial):05d}", position="党总支委员",
                         level="school_leader" if position.endswith("cross") else "gb_committee",
                         general_branch_id=world.general_branches[gb])
    cadre.branches = [db.session.get(Branch, world.branches[p]) for p in contacts]
    return cadre


def make_meeting(world, position):
    return Meeting(branch_id=world.branches[position], held_on=date(2024, 3, 1), kind="general_meeting",
                   title=f"支部党员大会{next(_serial)}", place="党员活动室", host="张书记")


def make_attendance(world, position):
    meeting = make_meeting(world, position)
    member = make_member(world, position)
    db.session.add_all([meeting, member])
    db.session.flush()
    return MeetingAttendance(meeting_id=meeting.id, member_id=member.id, present=False, absence_reason="出差")


def make_guest(world, position):
    meeting = make_meeting(world, position)
    db.session.add(meeting)
    db.session.flush()
    return MeetingGuest(meeting_id=meeting.id, name=f"列席{next(_serial)}", position="校友")


def make_training(world, position):
    """An event held by the position's branch."""
    branch = db.session.get(Branch, world.branches[position])
    return TrainingEvent(branch_id=branch.id, general_branch_id=branch.general_branch_id,
                         committee_id=branch.general_branch.committee_id, held_on=date(2024, 4, 1), hours=4,
                         topic=f"党的二十大精神{next(_serial)}", organizer="党支部")


def make_training_attendance(world, position):
    event = make_training(world, position)
    member = make_member(world, position)
    db.session.add_all([event, member])
    db.session.flush()
    return TrainingAttendance(event_id=event.id, member_id=member.id, note="集中学习")


def _file_columns(ext="pdf"):
    n = next(_serial)
    return dict(file_name=f"文件{n}.{ext}", stored_name=f"world-{n:06d}.{ext}", content_type="application/pdf",
                file_size=1024, file_sha256="0" * 64)


def make_meeting_attachment(world, position):
    meeting = make_meeting(world, position)
    db.session.add(meeting)
    db.session.flush()
    return MeetingAttachment(meeting_id=meeting.id, caption="会议记录", **_file_columns())


def make_branch_document(world, position):
    return BranchDocument(branch_id=world.branches[position], year=1900 + next(_serial), kind="work_plan",
                          title="年度工作计划", **_file_columns())


def make_handbook_check(world, position):
    return HandbookCheck(branch_id=world.branches[position], school_year=1900 + next(_serial), term="autumn",
                         checked_on=date(2024, 12, 1), checker="组织委员", result="good", note="记录完整")


def make_violation(world, position):
    secretary = make_secretary(world, position)
    db.session.add(secretary)
    db.session.flush()
    return SecretaryViolation(secretary_id=secretary.id, occurred_on=date(2023, 5, 1), description="违规收受礼金",
                              major=False)


def make_gb_committee_member(world, position):
    gb = {"own-branch": "A", "sibling-branch": "A", "other-general-branch": "B", "other-committee": "yi-A"}[position]
    person = GeneralBranchCommitteeMember(general_branch_id=world.general_branches[gb],
                                          name=f"委员{next(_serial):05d}", position="组织委员")
    person.branches = [db.session.get(Branch, world.branches[position])]
    return person


def make_funding(world, position):
    return Funding(branch_id=world.branches[position], year=1900 + next(_serial), activity_funds=1000,
                   training_funds=500)


def make_appraisal(world, position):
    member = make_member(world, position)
    db.session.add(member)
    db.session.flush()
    return MemberAppraisal(member_id=member.id, year=2023, result="qualified", note="民主评议")


def make_rectification(world, position):
    """An item in progress; '<position>-done' is a finished one."""
    status = "done" if position.endswith("-done") else "in_progress"
    position = position.removesuffix("-done")
    return Rectification(branch_id=world.branches[position], round_id=_branch_round(world, position),
                         problems="组织生活不规范", measures="每月按时召开支部党员大会", status=status,
                         completed_on=date(2024, 6, 1) if status == "done" else None)


def make_note(world, position):
    rect = make_rectification(world, position)
    db.session.add(rect)
    db.session.flush()
    return RectificationNote(rectification_id=rect.id, noted_on=date(2024, 5, 1), text="已制定整改方案")


def make_general_branch(world, position):
    committee = world.committees["yi" if position == "other-committee" else "jia"]
    return GeneralBranch(code=f"w-gb-{next(_serial)}", name=f"新设党总支{next(_serial):05d}", committee_id=committee)


def make_branch(world, position):
    gb = {"own-branch": "A", "sibling-branch": "A", "other-general-branch": "B", "other-committee": "yi-A"}[position]
    return Branch(code=f"w-b-{next(_serial)}", name=f"新设党支部{next(_serial):05d}",
                  general_branch_id=world.general_branches[gb], category="teacher", elected_on=date(2022, 6, 1))


def make_standard(world, position):
    return StandardItem(category="teacher", number=100 + next(_serial), title="临时标准", connotation="内涵",
                        elements="要素")


def make_round(world, position):
    committee = world.committees["yi" if position == "other-committee" else "jia"]
    return AssessmentRound(committee_id=committee, name=f"临时批次{next(_serial)}", year=2025, kind="initial",
                           opens_on=date(2025, 1, 1), deadline=date(2025, 3, 1), status="open")


def make_sheet(world, position):
    """A spare sheet: position is '<branch position>-<source>' of the open round."""
    where, source = position.rsplit("-", 1)
    assessment = db.session.scalar(select(Assessment.id).where(
        Assessment.round_id == _branch_round(world, where), Assessment.branch_id == world.branches[where]))
    rater_branch = world.branches["other-general-branch"] if source == "peer" else None
    return ScoreSheet(assessment_id=assessment, source=source, rater=f"评议人{next(_serial)}",
                      rater_branch_id=rater_branch, s1=18, s2=17, s3=16, s4=18, s5=17)


# 分类互评 assignments, as (round, reviewed branch, rater branch): from w-branch-a1's side it
# reviews its sibling (own-branch: it reads whom it must review); its sibling reviewed it in the
# closed round (closed-round: it never reads who reviews it); 理学院's and 乙's are foreign.
PEER_ROWS = {
    "own-branch": ("open", "sibling-branch", "own-branch"),
    "other-general-branch": ("open", "other-general-branch", "b2"),
    "other-committee": ("yi", "other-committee", "yi-a2"),
    "closed-round": ("closed", "own-branch", "sibling-branch"),
}


def _peer(world, round_key, target, rater_id):
    from app.services.peers import prepare_pair

    item = PeerAssignment(round_id=world.rounds[round_key], branch_id=world.branches[target], rater_branch_id=rater_id)
    prepare_pair(item, None)
    return item


def make_peer_assignment(world, position):
    """A spare: the position's reviewed branch, reviewed by a new branch of its general branch."""
    round_key, target, _rater = PEER_ROWS[position]
    rater = make_branch(world, target)
    db.session.add(rater)
    db.session.flush()
    return _peer(world, round_key, target, rater.id)


JOB_OWNERS = ("w-committee", "w-gb-a", "w-branch-a1", "w-gb-b", "w-branch-b1", "w-yi-committee")


def make_job(world, username):
    """A finished job of that world user, for its organization, with a result file."""
    from app.services.jobs import keep_file

    actor = world.actors[username]
    return Job(kind="annex2", params="{}", state="done", progress=100, message="文件已生成", message_en="ready",
               result_path=keep_file(f"{username}'s file".encode(), ".xlsx"), result_name=f"{username}.xlsx",
               owner_id=actor.user_id, org_kind=actor.kind, committee_id=actor.committee_id,
               general_branch_id=actor.general_branch_id, branch_id=actor.branch_id, runner="thread:world:0")


NOTICE_RECIPIENTS = JOB_OWNERS


def make_notice(world, username):
    """An unread 换届 notice of that world user, made for its organization (as the system does)."""
    actor = world.actors[username]
    return Notice(recipient_id=actor.user_id, kind="term_expired", subject_table="zb_branch",
                  subject_id=world.branches["own-branch"], due_on=date(2025, 6, 1),
                  params='{"branch": "文学院教师第一党支部"}', dedupe_key=f"world:{username}:{next(_serial)}",
                  org_kind=actor.kind, committee_id=actor.committee_id if actor.kind == "committee" else None,
                  general_branch_id=actor.general_branch_id if actor.kind != "committee" else None,
                  branch_id=actor.branch_id)


def make_audit(world, position):
    """A trail row like the guard writes for a member at the position (only the system may add one)."""
    from datetime import datetime

    member = db.session.get(Member, world.id(Member, position))
    branch = db.session.get(Branch, member.branch_id)
    return AuditLog(at=datetime.utcnow(), actor="test spare row", action="update", table_name="zb_member",
                    record_id=member.id, label=str(member), changes='{"unit": ["文学院", "理学院"]}',
                    committee_id=member.committee_id, general_branch_id=branch.general_branch_id, branch_id=branch.id)


def _world_trail(world):
    """The world's own trail: the rows the guard wrote creating its members and its orgs."""
    def created(model, pk):
        return db.session.scalar(select(AuditLog).where(
            AuditLog.table_name == model.__tablename__, AuditLog.record_id == pk, AuditLog.action == "create"))

    for position in BRANCH_POSITIONS:
        world.add(AuditLog, position, created(Member, world.id(Member, position)))
    world.add(AuditLog, "own-general-branch", created(GeneralBranch, world.general_branches["A"]))
    world.add(AuditLog, "own-committee", created(Committee, world.committees["jia"]))


MAKERS = {
    Member: make_member, Secretary: make_secretary, ContactCadre: make_cadre, Meeting: make_meeting,
    MeetingAttendance: make_attendance, MeetingGuest: make_guest, TrainingEvent: make_training,
    TrainingAttendance: make_training_attendance, HandbookCheck: make_handbook_check,
    MeetingAttachment: make_meeting_attachment, BranchDocument: make_branch_document,
    SecretaryViolation: make_violation, GeneralBranchCommitteeMember: make_gb_committee_member,
    Funding: make_funding, MemberAppraisal: make_appraisal,
    Rectification: make_rectification,
    RectificationNote: make_note, GeneralBranch: make_general_branch, Branch: make_branch,
    StandardItem: make_standard, AssessmentRound: make_round, ScoreSheet: make_sheet, AuditLog: make_audit,
    PeerAssignment: make_peer_assignment,
}


def spare_row(app, world, model, position) -> int | None:
    """A new, empty row like world's row at position (for deletes that should succeed)."""
    maker = MAKERS.get(model)
    if maker is None or position.startswith("closed"):
        return None
    with app.app_context(), system_actor("test spare row"):
        obj = maker(world, position)
        db.session.add(obj)
        db.session.commit()
        return obj.id


# -- the world ---------------------------------------------------------------------------

def _org(kind, name, parent=None):
    if kind == "committee":
        return Committee(name=name, short_name=name[:2])
    if kind == "general_branch":
        return GeneralBranch(code=f"w-{next(_serial)}", name=name, committee=parent, phone="010-0000")
    return Branch(code=f"w-{next(_serial)}", name=name, general_branch=parent, category="teacher",
                  elected_on=date(2022, 6, 1), note="")


def _tree(world, key, committee_name, gb_names):
    committee = _org("committee", committee_name)
    db.session.add(committee)
    out = {}
    for gb_key, (gb_name, branch_names) in gb_names.items():
        gb = _org("general_branch", gb_name, committee)
        db.session.add(gb)
        for b_key, b_name in branch_names.items():
            out[b_key] = _org("branch", b_name, gb)
            db.session.add(out[b_key])
        out[gb_key] = gb
    db.session.flush()
    world.committees[key] = committee.id
    return committee, out


def _round(committee, name, year):
    return AssessmentRound(committee=committee, name=name, year=year, kind="initial", opens_on=date(year, 3, 1),
                           deadline=date(year, 5, 1), status="open")


def _assess_with_sheets(round_, branch, sources):
    assessment = Assessment(round=round_, branch=branch)
    db.session.add(assessment)
    sheets = {}
    for source in sources:
        sheets[source] = ScoreSheet(assessment=assessment, source=source, rater=f"{branch.name}{source}",
                                    s1=18, s2=17, s3=16, s4=18, s5=17)
        db.session.add(sheets[source])
    return assessment, sheets


def build_world(app) -> World:
    """Write the world with the system actor; returns the ids."""
    from app.services.accounts import ensure_user

    world = World()
    with app.app_context(), system_actor("test world"):
        jia, j = _tree(world, "jia", "甲大学党委", {
            "A": ("甲大学文学院党总支", {"own-branch": "文学院教师第一党支部", "sibling-branch": "文学院教师第二党支部"}),
            "B": ("甲大学理学院党总支", {"other-general-branch": "理学院教师党支部", "b2": "理学院研究生党支部"}),
        })
        yi, y = _tree(world, "yi", "乙大学党委", {
            "yi-A": ("乙大学中文系党总支", {"other-committee": "中文系教师党支部", "yi-a2": "中文系学生党支部"}),
            "yi-B": ("乙大学物理系党总支", {"yi-b1": "物理系教师党支部", "yi-b2": "物理系学生党支部"}),
        })
        orgs = {**j, **y}
        world.general_branches = {k: orgs[k].id for k in ("A", "B", "yi-A")}
        world.branches = {p: orgs[p].id for p in BRANCH_POSITIONS + ("b2", "yi-a2")}
        world.add(Committee, "own-committee", jia)
        world.add(Committee, "other-committee", yi)
        for position, key in (("own-general-branch", "A"), ("other-general-branch", "B"),
                              ("other-committee", "yi-A")):
            world.add(GeneralBranch, position, orgs[key])
        for position in BRANCH_POSITIONS:
            world.add(Branch, position, orgs[position])
        open_round, closed_round = _round(jia, "甲大学2024年度考评", 2024), _round(jia, "甲大学2023年度考评", 2023)
        yi_round = _round(yi, "乙大学2024年度考评", 2024)
        db.session.add_all([open_round, closed_round, yi_round])
        db.session.flush()
        world.rounds = {"open": open_round.id, "closed": closed_round.id, "yi": yi_round.id}
        world.add(AssessmentRound, "open-round", open_round)
        world.add(AssessmentRound, "closed-round", closed_round)
        world.add(AssessmentRound, "other-committee", yi_round)
        world.add(StandardItem, "published", db.session.scalars(select(StandardItem).limit(1)).first())

        names = {"own-branch": ("张文一", "李文二"), "sibling-branch": ("王文三", "赵文四"),
                 "other-general-branch": ("钱理一", "孙理二"), "other-committee": ("周乙一", "吴乙二")}
        for position, (first, second) in names.items():
            members = [make_member(world, position, first), make_member(world, position, second)]
            db.session.add_all(members)
            db.session.flush()
            world.add(Member, position, members[1])   # the one who is not secretary
            secretary = Secretary(member_id=members[0].id, branch_id=world.branches[position],
                                  appointed_on=date(2021, 9, 1), title_rank="associate")
            db.session.add(secretary)
            db.session.flush()
            world.add(Secretary, position, secretary)
            for model, maker in ((Meeting, make_meeting), (MeetingAttendance, make_attendance),
                                 (MeetingGuest, make_guest), (TrainingEvent, make_training),
                                 (TrainingAttendance, make_training_attendance), (HandbookCheck, make_handbook_check),
                                 (SecretaryViolation, make_violation),
                                 (GeneralBranchCommitteeMember, make_gb_committee_member),
                                 (MeetingAttachment, make_meeting_attachment),
                                 (BranchDocument, make_branch_document),
                                 (Funding, make_funding), (MemberAppraisal, make_appraisal),
                                 (Rectification, make_rectification), (RectificationNote, make_note)):
                obj = maker(world, position)
                db.session.add(obj)
                db.session.flush()
                world.add(model, position, obj)
        violation = SecretaryViolation(secretary_id=world.id(Secretary, "own-branch"), occurred_on=date(2019, 1, 5),
                                       description="违反中央八项规定精神", major=True)
        db.session.add(violation)
        done = make_rectification(world, "own-branch-done")
        db.session.add(done)
        db.session.flush()
        world.add(Rectification, "own-branch-done", done)

        # Contact cadres: 王联系 of 文学院 contacts both its branches; 赵校长, a school leader
        # registered at 文学院, also contacts 理学院's branch; 理学院 and 乙 have their own.
        cadres = {p: make_cadre(world, p) for p in ("own-branch", "own-branch-cross", "sibling-branch",
                                                     "other-general-branch", "other-committee",
                                                     "own-committee-leader")}
        cadres["own-branch"].name, cadres["own-branch-cross"].name = "王联系", "赵校长"
        db.session.add_all(cadres.values())
        db.session.flush()
        for position, cadre in cadres.items():
            world.add(ContactCadre, position, cadre)

        # Assessments: every 甲 branch in both rounds, 乙's in its own; 自评 and 上级考评 sheets.
        for round_, branches in ((open_round, [orgs[k] for k in ("own-branch", "sibling-branch",
                                                                   "other-general-branch", "b2")]),
                                 (closed_round, [orgs[k] for k in ("own-branch", "sibling-branch",
                                                                     "other-general-branch", "b2")]),
                                 (yi_round, [orgs[k] for k in ("other-committee", "yi-a2", "yi-b1", "yi-b2")])):
            for branch in branches:
                position = next((p for p in BRANCH_POSITIONS if world.branches[p] == branch.id), None)
                assessment, sheets = _assess_with_sheets(round_, branch, ("self", "superior"))
                db.session.flush()
                if position is None:
                    continue
                tag = "closed-round" if round_ is closed_round else position
                if round_ is closed_round and position != "own-branch":
                    continue
                world.add(Assessment, tag, assessment)
                for source, sheet in sheets.items():
                    world.add(ScoreSheet, f"{tag}-{source}", sheet)
                if tag == "own-branch":   # 分类互评 by 理学院's teacher branch
                    peer = make_sheet(world, "own-branch-peer")
                    db.session.add(peer)
                    db.session.flush()
                    world.add(ScoreSheet, "own-branch-peer", peer)
        for position, (round_key, target, rater) in PEER_ROWS.items():
            pair = _peer(world, round_key, target, world.branches[rater])
            db.session.add(pair)
            db.session.flush()
            world.add(PeerAssignment, position, pair)
        db.session.commit()
        closed_round.status = "closed"
        db.session.commit()
        _world_trail(world)

        users = {
            "w-committee": ("committee", jia), "w-gb-a": ("general_branch", orgs["A"]),
            "w-branch-a1": ("branch", orgs["own-branch"]), "w-gb-b": ("general_branch", orgs["B"]),
            "w-branch-b1": ("branch", orgs["other-general-branch"]), "w-yi-committee": ("committee", yi),
        }
        for username, (role, org) in users.items():
            user = ensure_user(username, WORLD_PASSWORD, role, org)
            world.actors[username] = _actor_of(role, org, user.id)
        for username in JOB_OWNERS:   # one finished export per user, its file kept
            job = make_job(world, username)
            db.session.add(job)
            db.session.flush()
            world.add(Job, username, job)
        for username in NOTICE_RECIPIENTS:   # one unread notice per user
            notice = make_notice(world, username)
            db.session.add(notice)
            db.session.flush()
            world.add(Notice, username, notice)
        db.session.commit()
    assert {m: set(p) for m, p in world.rows.items()} == {m: set(p) for m, p in POSITIONS.items()}
    return world


def _actor_of(role, org, user_id) -> OrgRef:
    """The OrgRef of a world user, written out from the tree (not asked of the app)."""
    if role == "committee":
        return OrgRef("committee", committee_id=org.id, user_id=user_id)
    if role == "general_branch":
        return OrgRef("general_branch", committee_id=org.committee_id, general_branch_id=org.id, user_id=user_id)
    gb = org.general_branch
    return OrgRef("branch", committee_id=gb.committee_id, general_branch_id=gb.id, branch_id=org.id, user_id=user_id)


# -- what the table says -----------------------------------------------------------------------

def _pk(model):
    return inspect(model).primary_key[0]


def ids_where(app, model, condition, among=None) -> set:
    """The ids of model's rows matching a SQL condition (read directly, unscoped)."""
    with app.app_context():
        stmt = select(_pk(model)).where(condition)
        if among is not None:
            stmt = stmt.where(_pk(model).in_(list(among)))
        return set(db.session.scalars(stmt))


def rule_allows(app, model, actor, verb, pk) -> bool:
    """The row matches the actor's condition for verb in rules.RULES."""
    with app.app_context():
        return bool(ids_where(app, model, rules.condition(model, actor, verb), [pk]))


def readable_ids(app, model, actor) -> set:
    with app.app_context():
        return ids_where(app, model, rules.condition(model, actor, "read"))


def state_allows(app, model, pk) -> bool:
    """The state rule (nothing of a closed round changes) holds for the row."""
    make = rules.STATE.get(model)
    if make is None:
        return True
    with app.app_context():
        return bool(ids_where(app, model, make(), [pk]))


def round_closed(app, pk) -> bool:
    with app.app_context():
        return db.session.get(AssessmentRound, pk).status == "closed"


def snapshot(session, model, pk) -> dict | None:
    """A row's columns and many-to-many ids, read with a plain session (no app, no guard)."""
    table = model.__table__
    try:
        row = session.execute(select(table).where(table.c.id == pk)).mappings().first()
        if row is None:
            return None
        shot = dict(row)
        # the version counter moves with every accepted write (version_id_col): the fields the
        # write set are compared, not the count of writes
        shot.pop("version", None)
        # the counts the database keeps (a branch's members) follow the roster's writes: checked
        # against the roster as a whole (test_rule_world's invariant), not as a row's fields
        for key in rules.MAINTAINED.get(model, ()):
            shot.pop(key, None)
        for rel in inspect(model).relationships:
            if rel.secondary is not None:
                local = next(c for c in rel.secondary.c if c.references(table.c.id))
                other = next(c for c in rel.secondary.c if c is not local)
                shot[rel.key] = set(session.scalars(select(other).where(local == pk)))
        return shot
    finally:
        session.rollback()   # hold no read transaction: a SQLite writer would wait for it


# Where the world has a row of each model (the builder checks it made exactly these).
POSITIONS = {
    Committee: ("own-committee", "other-committee"),
    GeneralBranch: ("own-general-branch", "other-general-branch", "other-committee"),
    Branch: BRANCH_POSITIONS, Member: BRANCH_POSITIONS, Secretary: BRANCH_POSITIONS, Meeting: BRANCH_POSITIONS,
    MeetingAttendance: BRANCH_POSITIONS, MeetingGuest: BRANCH_POSITIONS, TrainingEvent: BRANCH_POSITIONS,
    TrainingAttendance: BRANCH_POSITIONS, HandbookCheck: BRANCH_POSITIONS, SecretaryViolation: BRANCH_POSITIONS,
    GeneralBranchCommitteeMember: BRANCH_POSITIONS, MeetingAttachment: BRANCH_POSITIONS,
    BranchDocument: BRANCH_POSITIONS,
    Funding: BRANCH_POSITIONS, RectificationNote: BRANCH_POSITIONS,
    MemberAppraisal: BRANCH_POSITIONS,
    Rectification: BRANCH_POSITIONS + ("own-branch-done",),
    ContactCadre: BRANCH_POSITIONS + ("own-branch-cross", "own-committee-leader"),
    StandardItem: ("published",),
    Job: JOB_OWNERS,
    Notice: NOTICE_RECIPIENTS,
    AssessmentRound: ("open-round", "closed-round", "other-committee"),
    PeerAssignment: tuple(PEER_ROWS),
    Assessment: ("own-branch", "sibling-branch", "other-general-branch", "other-committee", "closed-round"),
    AuditLog: BRANCH_POSITIONS + ("own-general-branch", "own-committee"),
    ScoreSheet: ("own-branch-self", "own-branch-superior", "own-branch-peer", "sibling-branch-self",
                 "sibling-branch-superior", "other-general-branch-self", "other-general-branch-superior",
                 "other-committee-self", "other-committee-superior", "closed-round-self", "closed-round-superior"),
}

NAMED = {Committee: Committee.name, GeneralBranch: GeneralBranch.name, Branch: Branch.name, Member: Member.name,
         ContactCadre: ContactCadre.name}


# Names a row keeps as its own, copied when it was made: a 分类互评 assignment shows its two
# branches and their general branches to whoever reads the row (models/peers.py), without the
# reader reading those branches.
CARRIED_NAMES = {PeerAssignment: (PeerAssignment.branch_name, PeerAssignment.general_branch_name,
                                  PeerAssignment.rater_branch_name, PeerAssignment.rater_general_branch_name)}


def carried_names(app, actor) -> set:
    """The names the rows the actor reads carry as their own."""
    out = set()
    with app.app_context():
        for model, columns in CARRIED_NAMES.items():
            for row in db.session.execute(select(*columns).where(rules.condition(model, actor, "read"))):
                out.update(row)
    return out


def world_names(app, world) -> dict:
    """(model, id) -> name of every named row of the two committees (for leak checks in pages)."""
    committees = list(world.committees.values())
    gbs = select(GeneralBranch.id).where(GeneralBranch.committee_id.in_(committees))
    branches = select(Branch.id).where(Branch.general_branch_id.in_(gbs))
    where = {Committee: Committee.id.in_(committees), GeneralBranch: GeneralBranch.id.in_(gbs),
             Branch: Branch.id.in_(branches), Member: Member.branch_id.in_(branches),
             ContactCadre: ContactCadre.committee_id.in_(committees)}
    with app.app_context():
        return {(model, pk): name for model, column in NAMED.items()
                for pk, name in db.session.execute(select(_pk(model), column).where(where[model]))}


@contextmanager
def moved(app, world, username, general_branch_id):
    """The world user `username` belongs to another general branch for the block, then back."""
    from app.models import UserOrg

    actor = world.actors[username]

    def move_to(gb_id):
        with app.app_context():
            db.session.execute(sa_update(UserOrg).where(UserOrg.user_id == actor.user_id)
                               .values(general_branch_id=gb_id))
            db.session.commit()

    move_to(general_branch_id)
    try:
        yield
    finally:
        move_to(actor.general_branch_id)
