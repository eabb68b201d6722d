"""The demo's year of records, saved with bulk inserts: meetings with attendance by name and
guests, training events crediting their attendees, 党总支委员, work plans and summaries,
handbook spot checks. Built from the demo university (app/data/demo.py) with a fixed seed, so
that a reader sees branches fail rules: the large branches (57 members), secretaries under
40 hours, months without a meeting, cadres who never sit in, missing documents and checks.
"""
from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import (
    BranchDocument, GeneralBranchCommitteeMember, HandbookCheck, Meeting, MeetingAttendance, MeetingGuest,
    TrainingAttendance, TrainingEvent, gb_committee_member_branch,
)
from app.services import documents, uploads

ABSENCE_REASONS = ("出差", "病假", "事假", "教学任务冲突", "外出实习", "参加学术会议", "因公外出")
PLACES = ("学院会议室", "党员活动室", "图书馆报告厅", "教学楼 201", "党员之家")
# Organizers that hold events for the whole committee (党委 and above), not one branch
COMMITTEE_ORGANIZERS = ("党委组织部", "党委宣传部", "党委教师工作部", "学校党校", "研究生院", "离退休工作处",
                        "中共北京市委教育工委")
COMMITTEE_LEVELS = ("school_leader", "office_cadre")   # 校领导、机关干部 belong to the committee itself


def _insert(model, rows) -> None:
    for start in range(0, len(rows), 5000):
        db.session.execute(model.__table__.insert(), rows[start:start + 5000])


def _insert_ids(model, rows) -> list:
    """Insert rows (one transaction, nobody else writing the demo) and return their new ids in
    row order: the ids above the highest before, ascending."""
    table = model.__table__
    before = db.session.scalar(select(db.func.max(table.c.id))) or 0
    _insert(model, rows)
    ids = list(db.session.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))
    assert len(ids) == len(rows)
    return ids


def save_meetings(demo, orgs, members, rng) -> dict:
    """Every demo activity as a held meeting, its attendance taken from the roster of its day."""
    roster = defaultdict(list)
    for m in demo.members:
        roster[m.branch].append(m)
    secretary = {s.branch: s.member_number for s in demo.secretaries if s.left_on is None}
    meetings = []
    for a in demo.activities:
        host = members.get(secretary.get(a.branch))
        meetings.append({
            "branch_id": orgs[a.branch].id, "kind": a.kind, "title": a.title, "planned_on": a.date,
            "held_on": a.date, "place": rng.choice(PLACES), "host": host.name if host is not None else None,
            "content": a.title})
    ids = _insert_ids(Meeting, meetings)
    rows = []
    by_branch = defaultdict(list)
    for a, meeting_id in zip(demo.activities, ids):
        by_branch[a.branch].append(meeting_id)
        people = [m for m in roster[a.branch] if m.joined_on is None or m.joined_on <= a.date]
        present = set(rng.sample(range(len(people)), min(a.attendance, len(people))))
        for i, m in enumerate(people):
            here = i in present
            rows.append({"meeting_id": meeting_id, "member_id": members[m.number].id, "present": here,
                         "absence_reason": None if here else rng.choice(ABSENCE_REASONS)})
    _insert(MeetingAttendance, rows)
    return by_branch


def save_committee_members(demo, orgs) -> list:
    """党总支委员: each general branch's committee, read from its 院系 cadres; the last of gb02's
    contacts no student branch (H9 should find it). Returns (member, branch codes) pairs."""
    student = {b.code for b in demo.branches if b.category in ("undergraduate", "graduate")}
    made = [(GeneralBranchCommitteeMember(general_branch_id=orgs[c.general_branch].id, name=c.name,
                                          position=c.position), list(c.branch_codes), c.general_branch)
            for c in demo.contact_cadres if c.level in ("gb_committee", "dept_leader")]
    gb02 = [entry for entry in made if entry[2] == "gb02"]
    if gb02:
        gb02[-1][1][:] = [code for code in gb02[-1][1] if code not in student]
    db.session.add_all(m for m, _links, _gb in made)
    db.session.flush()
    rows = [{"committee_member_id": m.id, "branch_id": orgs[code].id} for m, links, _gb in made for code in links]
    if rows:
        db.session.execute(gb_committee_member_branch.insert(), rows)
    return [(m, links) for m, links, _gb in made]


def save_guests(demo, cadres, committee_members, meetings_by_branch, orgs, rng) -> None:
    """Cadres sit in on a few meetings of the branches they contact; some never do. A cadre who
    is also a 党总支委员 is recorded as both (one guest row)."""
    code_of = {orgs[b.code].id: b.code for b in demo.branches}
    as_member = {(m.general_branch_id, m.name): m.id for m, _links in committee_members}
    rows = []
    for cadre in cadres:
        if rng.random() < 0.15:
            continue   # never sat in: H9 should find them
        member_id = as_member.get((cadre.general_branch_id, cadre.name))
        for branch in cadre.branches:
            held = meetings_by_branch.get(code_of.get(branch.id), [])
            for meeting_id in rng.sample(held, min(len(held), rng.randint(1, 3))):
                rows.append({"meeting_id": meeting_id, "cadre_id": cadre.id, "committee_member_id": member_id,
                             "position": cadre.position})
    _insert(MeetingGuest, rows)


def _holder(topic, organizer, gb_code, gb_names, branch_code):
    if organizer in COMMITTEE_ORGANIZERS:
        return ("committee", None, None)
    if organizer == gb_names[gb_code] and not topic.startswith("支部"):
        return ("general_branch", gb_code, None)
    return ("branch", gb_code, branch_code)


def save_trainings(demo, orgs, members, committee) -> None:
    """The demo's training records as events: one per holder, topic, hours, mode and month,
    crediting each member who took it (a member twice in one month goes to a second event)."""
    gb_names = {g.code: g.name for g in demo.general_branches}
    branch_gb = {b.code: b.general_branch for b in demo.branches}
    member_branch = {m.number: m.branch for m in demo.members}
    events, credits = {}, defaultdict(set)
    order = []
    for t in demo.trainings:
        branch = member_branch[t.member_number]
        holder = _holder(t.topic, t.organizer, branch_gb[branch], gb_names, branch)
        n = 0
        while True:
            key = (holder, t.topic, t.hours, t.online, t.organizer, t.date.year, t.date.month, n)
            if t.member_number not in credits[key]:
                break
            n += 1
        if key not in events:
            events[key] = {
                "committee_id": committee.id,
                "general_branch_id": orgs[holder[1]].id if holder[1] else None,
                "branch_id": orgs[holder[2]].id if holder[2] else None,
                "held_on": t.date, "hours": t.hours, "online": t.online, "topic": t.topic, "organizer": t.organizer}
            order.append(key)
        elif t.date < events[key]["held_on"]:
            events[key]["held_on"] = t.date
        credits[key].add(t.member_number)
    ids = dict(zip(order, _insert_ids(TrainingEvent, [events[k] for k in order])))
    _insert(TrainingAttendance, [{"event_id": ids[k], "member_id": members[number].id,
                                  "committee_id": members[number].committee_id}
                                 for k in order for number in sorted(credits[k])])


def _pdf(text: str) -> bytes:
    """A small, valid one-line PDF (the demo's plans and summaries)."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n% " + text.encode("utf-8") +
            b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def save_documents(demo, orgs, rng) -> None:
    """2011 summary and 2012 plan of most branches (a few missing: H11), files written once."""
    folder = uploads.folder(documents.FOLDER)
    rows = []
    for b in demo.branches:
        for year, kind, title in ((2011, "work_plan", "2011年党支部工作计划"), (2011, "work_summary", "2011年党支部工作总结"),
                                  (2012, "work_plan", "2012年党支部工作计划")):
            if rng.random() < 0.08:
                continue
            data = _pdf(f"{b.name} {title}")
            stored = f"demo-{b.code}-{year}-{kind}.pdf"
            path = folder / stored
            if not path.is_file():
                path.write_bytes(data)
            rows.append({"branch_id": orgs[b.code].id, "year": year, "kind": kind, "title": title,
                         "file_name": f"{title}.pdf", "stored_name": stored, "content_type": "application/pdf",
                         "file_size": len(data), "file_sha256": hashlib.sha256(data).hexdigest(),
                         "uploaded_at": date(year, 3 if kind == "work_plan" else 12, 20)})
    _insert(BranchDocument, rows)


def save_handbook_checks(demo, orgs, rng) -> None:
    """Spot checks of the 2010—2011 spring and 2011—2012 autumn semesters; some branches skipped."""
    results = ("excellent", "good", "good", "pass", "pass", "fail")
    rows = []
    for b in demo.branches:
        for school_year, term, day in ((2010, "spring", date(2011, 6, 15)), (2011, "autumn", date(2011, 12, 12))):
            if rng.random() < 0.1:
                continue
            rows.append({"branch_id": orgs[b.code].id, "school_year": school_year, "term": term, "checked_on": day,
                         "checker": f"{orgs[b.general_branch].name}组织委员", "result": rng.choice(results),
                         "note": "记录不全，请补齐" if rng.random() < 0.2 else None})
    _insert(HandbookCheck, rows)


def save_records(demo, orgs, members, cadres, progress) -> None:
    """Everything above, in the current transaction."""
    rng = random.Random(demo.seed)
    meetings = save_meetings(demo, orgs, members, rng)
    committee_members = save_committee_members(demo, orgs)
    save_guests(demo, cadres, committee_members, meetings, orgs, rng)
    save_trainings(demo, orgs, members, orgs["committee"])
    save_documents(demo, orgs, rng)
    save_handbook_checks(demo, orgs, rng)
    db.session.flush()
    events = db.session.scalar(select(db.func.count(TrainingEvent.id)))
    progress(f"  {len(demo.activities)} 次组织生活（按名单记出席），{events} 次培训，{len(committee_members)} 名党总支委员，"
             "工作计划、总结和工作手册抽查")
