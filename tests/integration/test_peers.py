"""分类互评 assignments as their users drive them: a general branch generates its own pairs, the
committee assigns peers across general branches for a single branch of a group, a branch reads
whom it must review, and peer sheets follow the groups (学生 = 本科生 + 研究生) and the assignments."""
from datetime import date

import pytest
from sqlalchemy import select

from app.models import Assessment, AssessmentRound, Branch, GeneralBranch, PeerAssignment, ScoreSheet
from app.scoring.peers import PeerBranch, PeerGroupError, pair_within
from app.services.demo_assessment import INITIAL, REASSESSMENT
from app.services.peers import group_of


def _round(session, name):
    return session.scalar(select(AssessmentRound).where(AssessmentRound.name == name))


def _branch(session, code):
    return session.scalar(select(Branch).where(Branch.code == code))


def _gb(session, code):
    return session.scalar(select(GeneralBranch).where(GeneralBranch.code == code))


def _pairs(session, round_id, **where):
    stmt = select(PeerAssignment).where(PeerAssignment.round_id == round_id)
    for column, value in where.items():
        stmt = stmt.where(getattr(PeerAssignment, column) == value)
    session.expire_all()
    return session.scalars(stmt).all()


@pytest.fixture
def new_round(api_as, db_session):
    """An open round the committee opens for the test (no assignments in it yet)."""
    response = api_as("committee").post("/api/v1/assessmentround/", json={
        "name": "2013年党支部分类定级（互评测试）", "year": 2013, "kind": "initial",
        "opens_on": "2013-03-01", "deadline": "2013-04-18", "status": "open"})
    assert response.status_code == 201, response.text
    return response.json["id"]


@pytest.fixture
def lone_retired(app, db_session):
    """A 离退休 branch in gb01, its only one of the group (gb10 holds the others)."""
    from app.extensions import db
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        gb = db.session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
        branch = Branch(code="gb01-r01", name="文学院离退休教工党支部", general_branch_id=gb.id, category="retired",
                        elected_on=date(2011, 6, 1))
        db.session.add(branch)
        db.session.commit()
        return branch.id


def _generate(user, round_id, reviewers="2"):
    return user.post_form("/peers/generate", {"round": str(round_id), "reviewers": reviewers}, token_from="/peers/")


def test_general_branch_generates_its_own_pairs_once_and_sees_them(login_as, db_session, new_round):
    gb01 = _gb(db_session, "gb01")
    user = login_as("gb01")
    response = _generate(user, new_round)
    assert response.status_code == 302
    rows = _pairs(db_session, new_round)
    branches = db_session.scalars(select(Branch).where(Branch.general_branch_id == gb01.id)).all()
    expected = pair_within([PeerBranch(b.id, gb01.id, b.category) for b in branches], 2)
    assert {(r.rater_branch_id, r.branch_id) for r in rows} == {(p.reviewer_id, p.target_id) for p in expected.pairs}
    by_id = {b.id: b for b in branches}
    assert all(r.assigned_by == "general_branch" and r.branch_id != r.rater_branch_id for r in rows)
    assert all(group_of(by_id[r.branch_id].category) == group_of(by_id[r.rater_branch_id].category) for r in rows)
    # 本科生 and 研究生 are one 学生 group: the ring crosses them
    assert any({by_id[r.branch_id].category, by_id[r.rater_branch_id].category} == {"undergraduate", "graduate"}
               for r in rows)
    # the row keeps the names it shows
    first = rows[0]
    assert (first.branch_name, first.general_branch_name) == (by_id[first.branch_id].name, gb01.name)
    # idempotent: a second run keeps every pair and adds none
    page = user.client.get(_generate(user, new_round).headers["Location"])
    assert "新增 0 对" in page.text and f"保留已有 {len(rows)} 对" in page.text
    assert len(_pairs(db_session, new_round)) == len(rows)
    listing = user.get(f"/peerassignmentview/list/?psize_PeerAssignmentView=100&_flt_0_round={new_round}")
    assert listing.status_code == 200 and by_id[rows[0].rater_branch_id].name in listing.text
    assert 'id="peer-plan-link"' in listing.text   # the way to the planning page


def test_a_branch_reads_whom_it_reviews_not_who_reviews_it(login_as, api_as, db_session, new_round):
    assert _generate(login_as("gb01"), new_round).status_code == 302
    own = _branch(db_session, "gb01-b01")
    api = api_as("gb01-b01")
    response = api.get(f"/api/v1/peerassignment/?q=(filters:!((col:round,opr:rel_o_m,value:{new_round})))")
    assert response.status_code == 200
    mine = {r.id for r in _pairs(db_session, new_round, rater_branch_id=own.id)}
    assert mine and set(response.json["ids"]) == mine
    assert {row["rater_branch_name"] for row in response.json["result"]} == {own.name}
    reviewing_me = _pairs(db_session, new_round, branch_id=own.id)
    assert reviewing_me
    for row in reviewing_me:
        assert api.get(f"/api/v1/peerassignment/{row.id}").status_code == 404
    # the planning page offers a branch nothing to generate, and the route refuses it
    web = login_as("gb01-b01")
    page = web.get("/peers/")
    assert page.status_code == 200 and 'id="peer-generate"' not in page.text and 'id="peer-needs"' not in page.text
    assert web.client.post("/peers/generate", data={"round": str(new_round), "csrf_token": web.token()}).status_code == 403
    # read only: no add, no delete
    target = _pairs(db_session, new_round, rater_branch_id=own.id)[0]
    assert api.delete(f"/api/v1/peerassignment/{target.id}").status_code == 403
    assert api.post("/api/v1/peerassignment/", json={"round": new_round, "branch": target.branch_id,
                                                     "rater_branch": own.id}).status_code == 403


def test_a_foreign_general_branch_gets_404_and_cannot_add_pairs_of_others(login_as, api_as, db_session, new_round):
    assert _generate(login_as("gb01"), new_round).status_code == 302
    row = _pairs(db_session, new_round)[0]
    api = api_as("gb02")
    assert api.get(f"/api/v1/peerassignment/{row.id}").status_code == 404
    assert api.put(f"/api/v1/peerassignment/{row.id}", json={"note": "改"}).status_code == 404
    assert api.delete(f"/api/v1/peerassignment/{row.id}").status_code == 404
    assert login_as("gb02").get(f"/peerassignmentview/show/{row.id}").status_code == 404
    gb01_branches = [_branch(db_session, "gb01-b02").id, _branch(db_session, "gb01-b03").id]
    response = api.post("/api/v1/peerassignment/", json={"round": new_round, "branch": gb01_branches[0],
                                                         "rater_branch": gb01_branches[1]})
    assert response.status_code == 400
    # its own general branch edits the note of its row
    assert api_as("gb01").put(f"/api/v1/peerassignment/{row.id}", json={"note": "按时完成"}).status_code == 200


def test_nothing_of_a_closed_round_changes(app, login_as, api_as, db_session, new_round):
    from app.extensions import db
    from app.security.scope import system_actor
    from app.services.assessment import close_round

    closed = _round(db_session, INITIAL)
    before = {r.id for r in _pairs(db_session, closed.id)}
    user = login_as("gb01")
    page = user.client.get(_generate(user, closed.id).headers["Location"])
    assert "已结束" in page.text
    b1, b2 = _branch(db_session, "gb01-b01"), _branch(db_session, "gb01-b04")   # a pair the demo has not made
    assert _pairs(db_session, closed.id, branch_id=b1.id, rater_branch_id=b2.id) == []
    response = api_as("committee").post("/api/v1/peerassignment/", json={"round": closed.id, "branch": b1.id,
                                                                          "rater_branch": b2.id})
    assert response.status_code == 400 and "已结束" in response.json["message"]
    assert {r.id for r in _pairs(db_session, closed.id)} == before
    # pairs made while open are final once the round closes
    assert _generate(user, new_round).status_code == 302
    row = _pairs(db_session, new_round)[0]
    with app.app_context(), system_actor("test"):
        close_round(db.session.get(AssessmentRound, new_round))
    api = api_as("gb01")
    assert api.delete(f"/api/v1/peerassignment/{row.id}").status_code == 400
    assert api.put(f"/api/v1/peerassignment/{row.id}", json={"note": "改"}).status_code == 400
    assert len(_pairs(db_session, new_round, id=row.id)) == 1


def test_committee_assigns_across_general_branches_only_for_a_single_branch_of_a_group(
        login_as, api_as, db_session, new_round, lone_retired):
    committee = api_as("committee")
    rater = _branch(db_session, "gb10-b01")
    # the planning page names the general branch that needs it
    page = login_as("committee").get(f"/peers/?round={new_round}")
    assert page.status_code == 200 and "文学院离退休教工党支部" in page.text
    # gb01 generates its own: its lone 离退休 branch is left to the committee
    flashed = login_as("gb01").client.get(_generate(login_as("gb01"), new_round).headers["Location"])
    assert "文学院离退休教工党支部" in flashed.text and "由党委从其他党总支安排" in flashed.text
    assert _pairs(db_session, new_round, branch_id=lone_retired) == []
    response = committee.post("/api/v1/peerassignment/", json={"round": new_round, "branch": lone_retired,
                                                               "rater_branch": rater.id})
    assert response.status_code == 201, response.text
    row = _pairs(db_session, new_round, branch_id=lone_retired)[0]
    assert (row.assigned_by, row.rater_branch_name, row.rater_general_branch_name) == (
        "committee", rater.name, _gb(db_session, "gb10").name)
    # gb01 has four 教师 branches: they review each other, the committee assigns no outsider
    teacher, outsider = _branch(db_session, "gb01-b01"), _branch(db_session, "gb02-b01")
    response = committee.post("/api/v1/peerassignment/", json={"round": new_round, "branch": teacher.id,
                                                               "rater_branch": outsider.id})
    assert response.status_code == 400 and "只有一个同类党支部" in response.json["message"]
    # another group is refused, and so is the same pair twice
    response = committee.post("/api/v1/peerassignment/", json={"round": new_round, "branch": lone_retired,
                                                               "rater_branch": outsider.id})
    assert response.status_code == 400 and "同类" in response.json["message"]
    response = committee.post("/api/v1/peerassignment/", json={"round": new_round, "branch": lone_retired,
                                                               "rater_branch": rater.id})
    assert response.status_code == 400
    # a general branch never assigns across: the other side is not even in its scope
    response = api_as("gb01").post("/api/v1/peerassignment/", json={
        "round": new_round, "branch": lone_retired, "rater_branch": _branch(db_session, "gb10-b02").id})
    assert response.status_code == 400
    assert len(_pairs(db_session, new_round, branch_id=lone_retired)) == 1


def test_a_cross_pair_shows_the_peer_name_on_its_row_and_nowhere_else(login_as, api_as, db_session, new_round,
                                                                       lone_retired):
    rater = _branch(db_session, "gb10-b01")
    assert api_as("committee").post("/api/v1/peerassignment/", json={
        "round": new_round, "branch": lone_retired, "rater_branch": rater.id}).status_code == 201
    row = _pairs(db_session, new_round, branch_id=lone_retired)[0]
    gb01 = api_as("gb01")
    # gb01 reads the row (its branch is reviewed) with the peer's names, not the peer branch
    shown = gb01.get(f"/api/v1/peerassignment/{row.id}")
    assert shown.status_code == 200 and shown.json["result"]["rater_branch_name"] == rater.name
    assert gb01.get(f"/api/v1/branch/{rater.id}").status_code == 404
    listed = gb01.get("/api/v1/branch/?q=(page_size:100)")
    assert rater.id not in listed.json["ids"]
    web = login_as("gb01")
    assert rater.name in web.get(f"/peerassignmentview/show/{row.id}").text
    assert rater.name not in web.get("/branchview/list/?psize_BranchView=100").text
    assert web.get(f"/branchview/show/{rater.id}").status_code == 404
    # the rater (gb10's branch) reads whom it reviews, not the reviewed branch itself
    gb10_b01 = api_as("gb10-b01")
    mine = gb10_b01.get(f"/api/v1/peerassignment/{row.id}")
    assert mine.status_code == 200 and mine.json["result"]["branch_name"] == "文学院离退休教工党支部"
    assert gb10_b01.get(f"/api/v1/branch/{lone_retired}").status_code == 404
    # gb10 reads the row where its branch is the rater, and cannot delete the committee's pair
    gb10 = api_as("gb10")
    assert gb10.get(f"/api/v1/peerassignment/{row.id}").status_code == 200
    assert gb10.delete(f"/api/v1/peerassignment/{row.id}").status_code == 403


def _sheet(assessment_id, rater_branch):
    return {"assessment": assessment_id, "source": "peer", "rater": "互评评议人", "rater_branch": rater_branch,
            "s1": 17, "s2": 17, "s3": 17, "s4": 17, "s5": 17}


def test_peer_sheets_follow_the_groups_and_the_assignments(login_as, api_as, db_session):
    again = _round(db_session, REASSESSMENT)
    assert _generate(login_as("gb01"), again.id).status_code == 302
    gb01 = _gb(db_session, "gb01")
    branches = {b.id: b for b in db_session.scalars(select(Branch).where(Branch.general_branch_id == gb01.id))}
    mixed = next(r for r in _pairs(db_session, again.id)
                 if branches[r.branch_id].category == "graduate" and branches[r.rater_branch_id].category == "undergraduate")
    assessment = db_session.scalar(select(Assessment.id).where(Assessment.round_id == again.id,
                                                               Assessment.branch_id == mixed.branch_id))
    api = api_as("gb01")
    # 本科生 rates 研究生: one 学生 group
    response = api.post("/api/v1/scoresheet/", json=_sheet(assessment, mixed.rater_branch_id))
    assert response.status_code == 201, response.text
    # 教师 rates 学生: refused
    teacher = next(b for b in branches.values() if b.category == "teacher")
    response = api.post("/api/v1/scoresheet/", json=_sheet(assessment, teacher.id))
    assert response.status_code == 400 and "同类" in response.json["message"]
    # a student branch of gb01 that is not assigned to review it: refused, naming the assignments
    assigned = {r.rater_branch_id for r in _pairs(db_session, again.id, branch_id=mixed.branch_id)}
    stranger = next(b for b in branches.values()
                    if group_of(b.category) == "student" and b.id not in assigned and b.id != mixed.branch_id)
    response = api.post("/api/v1/scoresheet/", json=_sheet(assessment, stranger.id))
    assert response.status_code == 400 and "互评安排" in response.json["message"]
    peers = db_session.scalars(select(ScoreSheet.rater_branch_id).where(
        ScoreSheet.assessment_id == assessment, ScoreSheet.source == "peer", ScoreSheet.rater == "互评评议人")).all()
    assert peers == [mixed.rater_branch_id]


def test_the_cli_generates_as_a_general_branch_and_refuses_a_branch(app, db_session, new_round):
    gb01 = _gb(db_session, "gb01")
    runner = app.test_cli_runner()
    args = ["zhibu", "peers", "generate", "--round", str(new_round), "--general-branch", str(gb01.id)]
    result = runner.invoke(args=args + ["--as", "gb01"])
    assert result.exit_code == 0, result.output
    made = len(_pairs(db_session, new_round))
    assert made and f"新增 / created {made}" in result.output
    result = runner.invoke(args=args + ["--as", "gb01-b01"])
    assert result.exit_code == 1
    b = _branch(db_session, "gb01-b01")
    result = runner.invoke(args=["zhibu", "peers", "add", "--round", str(new_round), "--branch", str(b.id),
                                 "--rater", str(_branch(db_session, "gb02-b01").id), "--as", "gb01"])
    assert result.exit_code == 1 and len(_pairs(db_session, new_round)) == made


def test_a_bad_peer_group_configuration_stops_the_app():
    from app import create_app

    with pytest.raises(PeerGroupError, match=r"ZHIBU_PEER_GROUPS\['student'\]"):
        create_app({"ZHIBU_PEER_GROUPS": {"student": "学生"}, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
