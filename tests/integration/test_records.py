"""The plan's records as users enter them (issue 9): meetings with attendance by name and
guests, training events crediting many people at once, funding, handbook checks, violations,
党总支委员 and committee-level contact cadres; each driven through the web form or the REST API
as a demo user, then read back from the database."""
from datetime import date

from sqlalchemy import func, select

from app.models import (
    AssessmentRound, Branch, ContactCadre, Funding, GeneralBranch, GeneralBranchCommitteeMember, HandbookCheck, Meeting,
    MeetingAttendance, MeetingGuest, Member, Rectification, Secretary, SecretaryViolation, TrainingAttendance,
    TrainingEvent,
)
from tests.support.rosters import text_of

TODAY = date.today().isoformat()


def _branch(session, code):
    return session.scalar(select(Branch).where(Branch.code == code))


def _roster(session, code):
    branch = _branch(session, code)
    return list(session.scalars(select(Member).where(Member.branch_id == branch.id).order_by(Member.number)))


def test_a_branch_records_a_meeting_and_its_roster_becomes_the_attendance(login_as, db_session):
    user = login_as("gb01-b01")
    branch = _branch(db_session, "gb01-b01")
    response = user.post_form("/meetingview/add", {
        "branch": branch.id, "kind": "general_meeting", "title": "学习党章专题会", "planned_on": TODAY,
        "held_on": TODAY, "place": "党员活动室", "host": "张书记", "recorder": "李委员",
        "content": "学习党章第一章", "decisions": "每月集中学习一次"})
    assert response.status_code == 302, text_of(response.text)[:400]
    db_session.rollback()
    meeting = db_session.scalar(select(Meeting).where(Meeting.title == "学习党章专题会"))
    assert (meeting.branch_id, meeting.host, meeting.recorder, meeting.held_on.isoformat()) == (
        branch.id, "张书记", "李委员", TODAY)
    roster = _roster(db_session, "gb01-b01")
    rows = list(db_session.scalars(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)))
    assert sorted(r.member_id for r in rows) == sorted(m.id for m in roster)   # 应到 = the roster today
    assert all(r.present for r in rows)

    # one member is absent: the reason is required
    row = rows[0]
    refused = user.post_form(f"/meetingattendanceview/edit/{row.id}", {"absence_reason": ""}, follow_redirects=True)
    assert "请填写缺席原因" in text_of(refused.text)
    done = user.post_form(f"/meetingattendanceview/edit/{row.id}", {"absence_reason": "出差"})
    assert done.status_code == 302
    db_session.rollback()
    row = db_session.get(MeetingAttendance, row.id)
    assert (row.present, row.absence_reason) == (False, "出差")
    page = text_of(user.get(f"/meetingview/show/{meeting.id}").text)
    assert "出差" in page and f"{len(roster) - 1}" in page


def test_a_contact_cadres_attendance_is_read_from_the_guests(api_as, db_session):
    api = api_as("gb01")
    branch = _branch(db_session, "gb01-b02")
    cadre = db_session.scalar(select(ContactCadre).where(ContactCadre.branches.any(Branch.id == branch.id)))
    before = db_session.scalar(select(func.count(MeetingGuest.id)).join(Meeting).where(
        MeetingGuest.cadre_id == cadre.id, Meeting.held_on.is_not(None)))
    created = api.post("/api/v1/meeting/", {"branch": branch.id, "kind": "theme_day", "title": "主题党日：参观",
                                            "held_on": TODAY})
    assert created.status_code == 201, created.text
    meeting_id = created.json["id"]
    guest = api.post("/api/v1/meetingguest/", {"meeting": meeting_id, "cadre": cadre.id, "position": "联系人"})
    assert guest.status_code == 201, guest.text
    shown = api.get(f"/api/v1/contactcadre/{cadre.id}")
    assert shown.status_code == 200
    db_session.rollback()
    assert db_session.get(ContactCadre, cadre.id).attended_meetings == before + 1
    # the REST meeting got its attendance from the roster too
    assert db_session.scalar(select(func.count(MeetingAttendance.id)).where(
        MeetingAttendance.meeting_id == meeting_id)) == len(_roster(db_session, "gb01-b02"))
    # a guest with nobody named is refused with a sentence
    empty = api.post("/api/v1/meetingguest/", {"meeting": meeting_id})
    assert empty.status_code == 400 and "列席人员姓名" in empty.json["message"]


def test_one_training_form_credits_picked_and_pasted_members(login_as, db_session):
    user = login_as("gb01")
    roster = _roster(db_session, "gb01-b01") + _roster(db_session, "gb01-b02")
    picked, pasted = roster[:2], roster[2:6]
    numbers = "\n".join(m.number for m in pasted[:2]) + "，" + "、".join(m.number for m in pasted[2:]) + \
        f" {picked[0].number}"   # a picked member pasted again is credited once
    response = user.post_form("/trainingeventview/add", {
        "held_on": TODAY, "hours": "3.5", "online": "y", "topic": "党史学习教育专题", "organizer": "党总支",
        "pick_members": [str(m.id) for m in picked], "paste_numbers": numbers})
    assert response.status_code == 302, text_of(response.text)[:400]
    db_session.rollback()
    event = db_session.scalar(select(TrainingEvent).where(TrainingEvent.topic == "党史学习教育专题"))
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    assert (event.hours, event.online, event.general_branch_id, event.branch_id) == (3.5, True, gb01.id, None)
    credited = set(db_session.scalars(select(TrainingAttendance.member_id).where(TrainingAttendance.event_id == event.id)))
    assert credited == {m.id for m in picked + pasted}
    # the member's page shows the hours of the year
    page = text_of(user.get(f"/memberview/show/{picked[0].id}").text)
    assert f"{date.today().year}：" in page and "学时" in page

    # an unknown number refuses the whole form: nothing saved, the number named
    count = db_session.scalar(select(func.count(TrainingEvent.id)))
    refused = user.post_form("/trainingeventview/add", {
        "held_on": TODAY, "hours": "2", "topic": "另一次培训", "paste_numbers": f"{pasted[0].number} NO-SUCH-9"},
        follow_redirects=True)
    assert "NO-SUCH-9" in text_of(refused.text)
    db_session.rollback()
    assert db_session.scalar(select(func.count(TrainingEvent.id))) == count


def test_a_branch_cannot_credit_members_of_another_branch(login_as, db_session):
    user = login_as("gb01-b01")
    foreign = _roster(db_session, "gb02-b01")[0]
    refused = user.post_form("/trainingeventview/add", {
        "held_on": TODAY, "hours": "2", "topic": "越权培训", "paste_numbers": foreign.number}, follow_redirects=True)
    assert foreign.number in text_of(refused.text)
    db_session.rollback()
    assert db_session.scalar(select(TrainingEvent.id).where(TrainingEvent.topic == "越权培训")) is None


def test_funding_and_handbook_checks_come_from_above(api_as, db_session):
    branch = _branch(db_session, "gb01-b03")
    gb = api_as("gb01")
    funding = gb.post("/api/v1/funding/", {"branch": branch.id, "year": 2030 - 1, "activity_funds": 3100,
                                           "training_funds": 2900, "note": "追加"})
    assert funding.status_code == 201, funding.text
    check = gb.post("/api/v1/handbookcheck/", {"branch": branch.id, "school_year": 2011, "term": "spring",
                                              "checked_on": "2012-03-20", "checker": "组织委员", "result": "pass"})
    assert check.status_code == 201, check.text
    db_session.rollback()
    row = db_session.get(Funding, funding.json["id"])
    assert (row.branch_id, float(row.activity_funds), float(row.training_funds)) == (branch.id, 3100.0, 2900.0)
    assert db_session.get(HandbookCheck, check.json["id"]).result == "pass"
    own = api_as("gb01-b03")
    assert own.post("/api/v1/funding/", {"branch": branch.id, "year": 2028}).status_code == 403
    assert own.post("/api/v1/handbookcheck/", {"branch": branch.id, "school_year": 2012, "term": "spring",
                                               "checked_on": "2012-03-20", "checker": "我", "result": "excellent"
                                               }).status_code == 403
    assert own.get(f"/api/v1/handbookcheck/{check.json['id']}").status_code == 200


def test_a_violation_is_entered_above_and_listed_on_the_secretary_page(login_as, db_session):
    secretary = db_session.scalar(select(Secretary).join(Branch).where(Branch.code == "gb01-b02",
                                                                       Secretary.left_on.is_(None)))
    user = login_as("gb01")
    response = user.post_form("/secretaryviolationview/add", {
        "secretary": secretary.id, "occurred_on": "2012-01-05", "description": "违规发放津补贴", "major": "y"})
    assert response.status_code == 302, text_of(response.text)[:400]
    db_session.rollback()
    row = db_session.scalar(select(SecretaryViolation).where(SecretaryViolation.description == "违规发放津补贴"))
    assert (row.secretary_id, row.major) == (secretary.id, True)
    page = user.get(f"/secretaryview/show/{secretary.id}").text
    assert "2012-01-05 违规发放津补贴（重大违纪违法）" in text_of(page)
    assert "<app.models" not in page and "object at 0x" not in page
    # the branch reads it, never enters one
    branch = login_as("gb01-b02")
    assert branch.get("/secretaryviolationview/add").status_code == 403


def test_general_branch_committee_members_contact_branches(api_as, db_session):
    b1, b2 = _branch(db_session, "gb01-b01"), _branch(db_session, "gb01-b02")
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    created = api_as("gb01").post("/api/v1/gbcommitteemember/", {
        "general_branch": gb01.id, "name": "周委员", "position": "组织委员", "branches": [b1.id, b2.id]})
    assert created.status_code == 201, created.text
    db_session.rollback()
    person = db_session.get(GeneralBranchCommitteeMember, created.json["id"])
    assert {b.id for b in person.branches} == {b1.id, b2.id}
    foreign = _branch(db_session, "gb02-b01")
    refused = api_as("gb01").post("/api/v1/gbcommitteemember/", {
        "general_branch": gb01.id, "name": "越权", "branches": [foreign.id]})
    assert refused.status_code == 400


def test_a_committee_level_cadre_is_a_general_branchs_contact_person(login_as, api_as, db_session):
    """The gb01 bug of issue 9: a 校领导 linked to gb01's branch is the contact of its item."""
    committee = api_as("committee")
    b01 = _branch(db_session, "gb01-b01")
    made = committee.post("/api/v1/contactcadre/", {"name": "钱校长", "position": "副校长", "level": "school_leader",
                                                     "branches": [b01.id]})
    assert made.status_code == 201, made.text
    db_session.rollback()
    cadre = db_session.get(ContactCadre, made.json["id"])
    assert cadre.general_branch_id is None and cadre.committee_id == b01.general_branch.committee_id
    round_id = db_session.scalar(select(AssessmentRound.id).where(AssessmentRound.status == "open"))
    response = login_as("gb01").post_form("/rectificationview/add", {
        "branch": b01.id, "round": round_id, "problems": "组织生活不规范", "measures": "每月召开支部党员大会",
        "due_on": "2030-06-30", "contact": cadre.id, "status": "in_progress"})
    assert response.status_code == 302, text_of(response.text)[:400]
    db_session.rollback()
    item = db_session.scalar(select(Rectification).where(Rectification.problems == "组织生活不规范",
                                                          Rectification.branch_id == b01.id))
    assert item.contact_id == cadre.id
    # gb01 reads the cadre, cannot change it
    assert api_as("gb01").get(f"/api/v1/contactcadre/{cadre.id}").status_code == 200
    assert api_as("gb01").put(f"/api/v1/contactcadre/{cadre.id}", {"position": "改"}).status_code == 403


def _training_sheet(rows):
    from app.imports import TRAINING_SPEC

    from tests.support.rosters import xlsx

    return xlsx(rows, headers=[c.header_zh for c in TRAINING_SPEC.columns], sheet="培训参加人员")


def test_forty_attendees_import_with_a_dry_run_then_all_or_nothing(login_as, db_session):
    from tests.support.rosters import confirm, record_id, summary_of, upload

    roster = _roster(db_session, "gb01-b01") + _roster(db_session, "gb01-b02") + _roster(db_session, "gb01-b03")
    people = roster[:40]
    assert len(people) == 40
    rows = [[m.number, m.name, "2012-03-20", "十七届六中全会精神专题辅导", 3.5, "否", "党总支"] for m in people]
    user = login_as("gb01")
    # a typo in one name: the dry run says which row, and nothing is credited
    bad = [list(r) for r in rows]
    bad[7][1] = "不是此人"
    response = upload(user, _training_sheet(bad), kind="trainings", filename="培训.xlsx")
    pk = record_id(response)
    page = user.get(f"/imports/result/{pk}").text
    assert "第 9 行" in text_of(page) and "不一致" in text_of(page)
    before = db_session.scalar(select(func.count(TrainingAttendance.id)))
    confirm(user, pk)
    db_session.rollback()
    assert db_session.scalar(select(func.count(TrainingAttendance.id))) == before
    # the clean file: 40 new credits on one new event held by gb01
    response = upload(user, _training_sheet(rows), kind="trainings", filename="培训.xlsx")
    pk = record_id(response)
    summary = summary_of(user.get(f"/imports/result/{pk}").text)
    assert summary.get("new") == 40, summary
    confirm(user, pk)
    db_session.rollback()
    event = db_session.scalar(select(TrainingEvent).where(TrainingEvent.topic == "十七届六中全会精神专题辅导"))
    assert (event.hours, event.online, event.branch_id) == (3.5, False, None)
    credited = set(db_session.scalars(select(TrainingAttendance.member_id).where(TrainingAttendance.event_id == event.id)))
    assert credited == {m.id for m in people}
    # the export imports back unchanged
    exported = user.get("/imports/export/trainings")
    assert exported.status_code == 200
    again = upload(user, exported.data, kind="trainings", filename="export.xlsx")
    result = user.get(f"/imports/result/{record_id(again)}").text
    summary = summary_of(result)
    assert summary.get("new") == 0 and summary.get("errors") == 0, text_of(result)[-1500:]


def test_training_attendees_import_from_the_cli_as_a_branch(app, tmp_path, db_session):
    own = _roster(db_session, "gb01-b01")[:3]
    foreign = _roster(db_session, "gb02-b01")[0]
    path = tmp_path / "培训.xlsx"
    path.write_bytes(_training_sheet([[m.number, None, "2012-03-01", "支部集中学习", 2, "是", None]
                                      for m in own + [foreign]]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["zhibu", "import", "trainings", str(path), "--as", "gb01-b01"])
    assert result.exit_code == 1 and "第 5 行" in result.output and foreign.number in result.output
    path.write_bytes(_training_sheet([[m.number, None, "2012-03-01", "支部集中学习", 2, "是", None] for m in own]))
    result = runner.invoke(args=["zhibu", "import", "trainings", str(path), "--as", "gb01-b01"])
    assert result.exit_code == 0, result.output
    db_session.rollback()
    event = db_session.scalar(select(TrainingEvent).where(TrainingEvent.topic == "支部集中学习",
                                                          TrainingEvent.held_on == date(2012, 3, 1)))
    assert event.branch_id == _branch(db_session, "gb01-b01").id and event.online is True
    assert db_session.scalar(select(func.count(TrainingAttendance.id)).where(
        TrainingAttendance.event_id == event.id)) == 3


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _upload(user, url, fields, data, filename):
    import io

    from tests.support.clients import csrf_token

    page = user.get(url)
    return user.client.post(url, data={**fields, "csrf_token": csrf_token(page.text),
                                       "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_a_branch_files_its_work_plan_and_only_its_superiors_get_the_file(app, login_as, db_session, tmp_path):
    from app.models import BranchDocument

    app.config["ZHIBU_UPLOAD_DIR"] = str(tmp_path / "uploads")
    user = login_as("gb01-b01")
    branch = _branch(db_session, "gb01-b01")
    fields = {"branch": branch.id, "year": date.today().year, "kind": "work_plan", "title": ""}
    wrong = _upload(user, "/branchdocumentview/add", fields, b"MZ\x90\x00binary", "计划.pdf")
    assert wrong.status_code == 400 and "文件内容与扩展名" in text_of(wrong.text)
    exe = _upload(user, "/branchdocumentview/add", fields, PDF, "计划.exe")
    assert exe.status_code == 400 and "不支持这种文件类型" in text_of(exe.text)
    app.config["ZHIBU_UPLOAD_MAX_BYTES"] = 20
    big = _upload(user, "/branchdocumentview/add", fields, PDF, "计划.pdf")
    assert big.status_code == 400 and "不能超过" in text_of(big.text)
    app.config["ZHIBU_UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024
    db_session.rollback()
    assert db_session.scalar(select(func.count(BranchDocument.id)).where(
        BranchDocument.branch_id == branch.id, BranchDocument.year == date.today().year)) == 0
    saved = _upload(user, "/branchdocumentview/add", fields, PDF, "2024年工作计划.pdf")
    assert saved.status_code == 302, text_of(saved.text)[:300]
    db_session.rollback()
    doc = db_session.scalar(select(BranchDocument).where(BranchDocument.branch_id == branch.id,
                                                          BranchDocument.year == date.today().year))
    stored = tmp_path / "uploads" / "documents" / doc.stored_name
    assert stored.read_bytes() == PDF and doc.title == f"{date.today().year}年度工作计划"
    for username in ("gb01-b01", "gb01", "committee"):
        got = login_as(username).get(f"/branchdocumentview/{doc.id}/file")
        assert got.status_code == 200 and got.data == PDF, username
    for username in ("gb01-b02", "gb02"):
        assert login_as(username).get(f"/branchdocumentview/{doc.id}/file").status_code == 404, username
    # the same plan twice a year is refused with a sentence, and leaves no stray file
    files = set((tmp_path / "uploads" / "documents").iterdir())
    again = _upload(user, "/branchdocumentview/add", fields, PDF, "again.pdf")
    assert again.status_code == 400 and "已经有了" in text_of(again.text)
    assert set((tmp_path / "uploads" / "documents").iterdir()) == files
    # deleting the record removes its file
    user.client.post(f"/branchdocumentview/delete/{doc.id}", data={"csrf_token": user.token()})
    assert not stored.exists()


def test_meeting_minutes_and_photos_are_attached_and_served_by_the_rules(app, login_as, db_session, tmp_path):
    from app.models import MeetingAttachment

    app.config["ZHIBU_UPLOAD_DIR"] = str(tmp_path / "uploads")
    branch = _branch(db_session, "gb01-b02")
    meeting = db_session.scalar(select(Meeting).where(Meeting.branch_id == branch.id).order_by(Meeting.id))
    user = login_as("gb01-b02")
    assert "现场照片" not in user.get(f"/meetingview/show/{meeting.id}").text
    saved = _upload(user, f"/meetingattachmentview/add?meeting={meeting.id}", {"meeting": meeting.id,
                                                                              "caption": "现场照片"}, PNG, "photo.png")
    assert saved.status_code == 302, text_of(saved.text)[:300]
    db_session.rollback()
    row = db_session.scalar(select(MeetingAttachment).where(MeetingAttachment.meeting_id == meeting.id))
    assert (row.caption, row.content_type, row.file_size) == ("现场照片", "image/png", len(PNG))
    assert login_as("gb01").get(f"/meetingattachmentview/{row.id}/file").data == PNG
    assert "现场照片" in user.get(f"/meetingview/show/{meeting.id}").text   # the related list
    assert login_as("gb01-b01").get(f"/meetingattachmentview/{row.id}/file").status_code == 404
    foreign = _upload(login_as("gb01-b01"), "/meetingattachmentview/add", {"meeting": meeting.id}, PNG, "x.png")
    assert foreign.status_code == 400 and "请选择组织生活记录" in text_of(foreign.text)
