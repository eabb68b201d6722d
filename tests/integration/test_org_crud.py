"""CRUD through the FAB views as real users: counts derived, deletes refused, uniqueness."""
import re

from sqlalchemy import func, select

from app.models import Branch, GeneralBranch, Member


def _branch(session, code):
    return session.scalar(select(Branch).where(Branch.code == code))


def test_branch_list_shows_member_counts_and_secretary(login_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    formal = db_session.scalar(select(func.count()).select_from(Member).where(
        Member.branch_id == branch.id, Member.member_type == "formal"))
    page = login_as("gb01").get(f"/branchview/show/{branch.id}").text
    assert branch.name in page
    assert branch.secretary_name and branch.secretary_name in page
    assert re.search(rf">\s*{formal}\s*<", page)


def test_adding_a_member_changes_the_derived_count(login_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    before = branch.formal_count
    user = login_as("gb01-b01")
    response = user.post_form("/memberview/add", {
        "number": "T-NEW-0001", "name": "王新", "gender": "F", "member_type": "formal",
        "branch": branch.id, "joined_on": "2011-07-01",
    })
    assert response.status_code == 302
    db_session.expire_all()
    assert _branch(db_session, "gb01-b01").formal_count == before + 1


def test_member_number_is_unique_in_the_committee(login_as, db_session):
    other = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb02-b01"))
    own_branch = _branch(db_session, "gb01-b01")
    user = login_as("gb01")
    user.post_form("/memberview/add", {
        "number": other.number, "name": "重号", "member_type": "formal", "branch": own_branch.id,
    })
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Member).where(Member.number == other.number)) == 1


def test_branch_name_is_unique_in_its_general_branch(login_as, db_session):
    existing = _branch(db_session, "gb01-b02")
    user = login_as("gb01")
    response = user.post_form("/branchview/add", {
        "code": "gb01-x", "name": existing.name, "general_branch": existing.general_branch_id,
        "category": "teacher", "term_years": "3",
    }, follow_redirects=True)
    assert "已存在" in response.text or "already exists" in response.text
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Branch).where(
        Branch.name == existing.name, Branch.general_branch_id == existing.general_branch_id)) == 1


def test_deleting_a_branch_with_members_is_refused(login_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    user = login_as("gb01")
    response = user.client.post(f"/branchview/delete/{branch.id}", data={"csrf_token": user.token()},
                                follow_redirects=True)
    assert "无法删除" in response.text and "党员" in response.text
    db_session.expire_all()
    assert db_session.get(Branch, branch.id) is not None


def test_deleting_a_general_branch_with_branches_is_refused_in_the_api(api_as, db_session):
    gb = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb03"))
    response = api_as("committee").delete(f"/api/v1/generalbranch/{gb.id}")
    assert response.status_code == 400
    assert "无法删除" in response.json["message"]
    db_session.expire_all()
    assert db_session.get(GeneralBranch, gb.id) is not None


def test_bulk_delete_is_all_or_nothing(login_as, db_session):
    empty = Branch(code="gb01-tmp", name="临时党支部", general_branch_id=_branch(db_session, "gb01-b01").general_branch_id,
                   category="teacher")
    db_session.add(empty)
    db_session.commit()
    empty_id, full_id = empty.id, _branch(db_session, "gb01-b01").id
    user = login_as("gb01")
    user.client.post("/branchview/action_post", data={
        "csrf_token": user.token(), "action": "bulk_delete", "rowid": [empty_id, full_id]})
    db_session.expire_all()
    assert db_session.get(Branch, empty_id) is not None
    user.client.post("/branchview/action_post", data={
        "csrf_token": user.token(), "action": "bulk_delete", "rowid": [empty_id]})
    db_session.expire_all()
    assert db_session.get(Branch, empty_id) is None


def test_get_delete_without_token_does_nothing(login_as, db_session):
    empty = Branch(code="gb01-tmp2", name="临时党支部二", category="teacher",
                   general_branch_id=_branch(db_session, "gb01-b01").general_branch_id)
    db_session.add(empty)
    db_session.commit()
    empty_id = empty.id
    login_as("gb01").get(f"/branchview/delete/{empty_id}")
    db_session.expire_all()
    assert db_session.get(Branch, empty_id) is not None


def test_home_page_tells_each_role_its_scope(login_as, db_session):
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    page = login_as("gb01").get("/").text
    assert gb01.name in page
    assert re.search(rf"<th>党支部</th><td>{len(gb01.branches)}</td>", page)
    page = login_as("gb01-b01").get("/").text
    assert re.search(r"<th>党支部</th><td>1</td>", page)


def test_english_switch(login_as):
    user = login_as("gb01")
    assert "党员名册" in user.get("/memberview/list/").text
    user.get("/lang/en")
    page = user.get("/memberview/list/").text
    assert "Member roster" in page and "党员名册" not in page


def test_lists_speak_chinese_not_python(login_as):
    page = login_as("gb01").get("/branchview/list/").text
    table = page[page.index('table-bordered table-hover'):]
    assert "False" not in table and "True" not in table
    assert "否" in table
    assert "教师" in table and "teacher" not in table
