"""Scope on the roster import, export and bulk-edit paths, as real users.

gb01 (a general branch), gb01-b01 (one of its branches) and committee log in through the
login form; the foreign records belong to gb02.
"""
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.models import Branch, GeneralBranch, ImportRecord, Member
from tests.support.clients import csrf_token
from tests.support.rosters import (
    BRANCH_HEADERS, branch_row, confirm, import_count, member, org_names, record_id, snapshot, summary_of,
    text_of, upload, xlsx,
)


def _gb_rows(session, code):
    """Every member and branch row under a general branch (to show it is untouched)."""
    members, branches = snapshot(session)
    gb = session.scalar(select(GeneralBranch).where(GeneralBranch.code == code))
    ids = {b.id for b in branches if b.general_branch_id == gb.id}
    return [m for m in members if m.branch_id in ids], [b for b in branches if b.id in ids]


def _result_text(user, response):
    pk = record_id(response)
    return pk, user.get(f"/imports/result/{pk}").text


# ---------------------------------------------------------------- import scope


def test_gb01_importing_into_a_gb02_branch_gets_a_row_error(login_as, db_session):
    user = login_as("gb01")
    foreign = org_names(db_session, "gb02-b01")
    gb02_before = _gb_rows(db_session, "gb02")
    pk, html = _result_text(user, upload(user, xlsx([member("Z0001", "外来者", *foreign)])))
    text = text_of(html)
    assert f"第 2 行：在您可管理的党支部中找不到“{foreign[0]} / {foreign[1]}”" in text
    assert summary_of(html)["errors"] == 1 and "confirm-button" not in html
    # The message is the same one a branch that exists nowhere gets: nothing is told of gb02.
    _pk, other = _result_text(user, upload(user, xlsx([member("Z0001", "外来者", foreign[0], "并不存在的支部")])))
    assert "在您可管理的党支部中找不到" in text_of(other)
    confirm(user, pk)
    assert _gb_rows(db_session, "gb02") == gb02_before
    assert db_session.scalar(select(Member.id).where(Member.number == "Z0001")) is None


def test_a_number_used_in_gb02_is_a_row_error_not_a_crash(login_as, db_session):
    user = login_as("gb01")
    foreign_member = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb02-b01"))
    own = org_names(db_session, "gb01-b01")
    gb02_before = _gb_rows(db_session, "gb02")
    pk, html = _result_text(user, upload(user, xlsx([member(foreign_member.number, "冒名者", *own)])))
    text = text_of(html)
    assert f"学号/工号“{foreign_member.number}”已被本党委其他单位的党员使用" in text
    assert foreign_member.name not in text and foreign_member.branch.name not in text
    confirm(user, pk)
    assert _gb_rows(db_session, "gb02") == gb02_before


def test_gb01_branch_roster_cannot_reach_gb02(login_as, db_session):
    user = login_as("gb01")
    gb02_name, gb02_branch = org_names(db_session, "gb02-b01")
    gb02_before = _gb_rows(db_session, "gb02")
    data = xlsx([branch_row(gb02_name, gb02_branch, category="管理")], headers=BRANCH_HEADERS, sheet="支部名册")
    pk, html = _result_text(user, upload(user, data, kind="branches"))
    assert f"在您可管理的党总支中找不到“{gb02_name}”" in text_of(html)
    confirm(user, pk)
    assert _gb_rows(db_session, "gb02") == gb02_before


def test_a_branch_imports_only_into_itself(login_as, db_session):
    user = login_as("gb01-b01")
    own = org_names(db_session, "gb01-b01")
    sibling = org_names(db_session, "gb01-b02")
    sibling_member = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b02"))
    before = snapshot(db_session)
    pk, html = _result_text(user, upload(user, xlsx([
        member("Z0001", "本支部新人", *own),
        member("Z0002", "别的支部", *sibling),
        member(sibling_member.number, "挪过来", *own),
    ])))
    text = text_of(html)
    assert "第 3 行：在您可管理的党支部中找不到" in text
    assert f"第 4 行：学号/工号“{sibling_member.number}”已被本党委其他单位的党员使用" in text
    confirm(user, pk)
    assert snapshot(db_session) == before
    # Its own rows alone go through.
    pk, html = _result_text(user, upload(user, xlsx([member("Z0001", "本支部新人", *own)])))
    assert summary_of(html)["new"] == 1
    confirm(user, pk)
    db_session.rollback()
    assert db_session.scalar(select(Member).where(Member.number == "Z0001")).branch.name == own[1]


def test_a_branch_may_not_import_the_branch_roster(login_as, db_session):
    user = login_as("gb01-b01")
    page = user.get("/imports/").text
    assert 'value="members"' in page and 'value="branches"' not in page
    own = org_names(db_session, "gb01-b01")
    before, records = snapshot(db_session), import_count(db_session)
    data = xlsx([branch_row(*own, category="管理")], headers=BRANCH_HEADERS, sheet="支部名册")
    response = upload(user, data, kind="branches")
    assert response.status_code == 403
    assert "没有导入此名册的权限" in text_of(response.text)
    assert snapshot(db_session) == before and import_count(db_session) == records


def test_import_records_are_scoped(login_as, db_session):
    gb01, gb02, branch, committee = (login_as(u) for u in ("gb01", "gb02", "gb01-b01", "committee"))
    own = org_names(db_session, "gb01-b02")
    pk = record_id(upload(gb01, xlsx([member("Z0001", "张三", *own)]), filename="gb01的名册.xlsx"))
    b_own = org_names(db_session, "gb01-b01")
    branch_pk = record_id(upload(branch, xlsx([member("Z0002", "李四", *b_own)]), filename="支部的名册.xlsx"))
    for outsider in (gb02, branch):
        assert outsider.get(f"/imports/result/{pk}").status_code == 404
        assert outsider.get(f"/imports/file/{pk}").status_code == 404
        assert outsider.client.post(f"/imports/confirm/{pk}", data={"csrf_token": outsider.token()}).status_code == 404
        assert "gb01的名册.xlsx" not in outsider.get("/imports/records").text
        assert "gb01的名册.xlsx" not in outsider.get("/imports/").text
    assert gb02.get(f"/imports/result/{branch_pk}").status_code == 404
    for superior in (gb01, committee):       # superiors see their units' imports
        assert superior.get(f"/imports/result/{branch_pk}").status_code == 200
        assert "支部的名册.xlsx" in superior.get("/imports/records").text
    # Only the uploader confirms: the committee sees gb01's dry run but cannot apply it.
    before = snapshot(db_session)
    confirm(committee, pk)
    assert snapshot(db_session) == before
    db_session.rollback()
    assert db_session.get(ImportRecord, pk).status == "dry_run"


def test_exports_hold_exactly_the_scope(login_as, db_session):
    for username, code in (("gb01", "gb01"), ("gb01-b01", None)):
        data = login_as(username).get("/imports/export/members").data
        ws = load_workbook(io.BytesIO(data), read_only=True)["党员名册"]
        numbers = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
        stmt = select(Member.number).join(Branch)
        if code:
            stmt = stmt.join(GeneralBranch).where(GeneralBranch.code == code)
        else:
            stmt = stmt.where(Branch.code == "gb01-b01")
        db_session.rollback()
        assert numbers == set(db_session.scalars(stmt))


def test_anonymous_gets_nothing(client):
    for url in ("/imports/", "/imports/template/members", "/imports/export/members", "/imports/records"):
        response = client.get(url)
        assert response.status_code in (302, 401, 403)
        assert b"PK" not in response.data[:2]


# ---------------------------------------------------------------- bulk edit scope


def _members(session, branch_code, n=2):
    return session.scalars(select(Member.id).join(Branch).where(Branch.code == branch_code).limit(n)).all()


def _bulk(user, route, ids, **fields):
    data = {"csrf_token": user.token(), "rowid": [str(i) for i in ids], **fields}
    return user.client.post(f"/{route}/bulk_edit", data=data)


def test_bulk_edit_with_a_foreign_id_is_404(login_as, db_session):
    user = login_as("gb01")
    own, foreign = _members(db_session, "gb01-b01"), _members(db_session, "gb02-b01", 1)
    target = db_session.scalar(select(Branch.id).where(Branch.code == "gb01-b02"))
    before = snapshot(db_session)
    token = user.token()
    response = user.client.post("/memberview/action_post", data={
        "csrf_token": token, "action": "bulk_edit", "rowid": [str(i) for i in own + foreign]})
    assert response.status_code == 404
    for step in ("review", "apply"):
        assert _bulk(user, "memberview", own + foreign, branch=str(target), step=step).status_code == 404
    foreign_branch = db_session.scalar(select(Branch.id).where(Branch.code == "gb02-b01"))
    assert _bulk(user, "branchview", [foreign_branch], category="admin", step="apply").status_code == 404
    assert snapshot(db_session) == before


def test_bulk_move_to_a_foreign_branch_is_refused(login_as, db_session):
    user = login_as("gb01")
    own = _members(db_session, "gb01-b01")
    foreign_branch = db_session.scalar(select(Branch.id).where(Branch.code == "gb02-b01"))
    before = snapshot(db_session)
    for step in ("review", "apply"):
        response = _bulk(user, "memberview", own, branch=str(foreign_branch), step=step)
        assert response.status_code == 400
        assert "不在您的管理范围内" in text_of(response.text)
    assert snapshot(db_session) == before


@pytest.mark.parametrize("username", ["gb01", "gb01-b01"])
def test_bulk_form_offers_no_foreign_branch(login_as, db_session, username):
    user = login_as(username)
    own = _members(db_session, "gb01-b01")
    response = user.client.post("/memberview/action_post", data={
        "csrf_token": user.token(), "action": "bulk_edit", "rowid": [str(i) for i in own]})
    assert response.status_code == 200
    select_html = re.search(r'<select[^>]*name="branch"[^>]*>(.*?)</select>', response.text, re.S).group(1)
    offered = {int(v) for v in re.findall(r'value="(\d+)"', select_html)}
    stmt = select(Branch.id).join(GeneralBranch).where(GeneralBranch.code == "gb01")
    if username == "gb01-b01":
        stmt = select(Branch.id).where(Branch.code == "gb01-b01")
    assert offered == set(db_session.scalars(stmt))


def test_only_the_committee_sets_the_general_branch(login_as, db_session):
    branch_ids = db_session.scalars(select(Branch.id).where(Branch.code.in_(["gb01-b13", "gb01-b14"]))).all()
    gb02 = db_session.scalar(select(GeneralBranch.id).where(GeneralBranch.code == "gb02"))
    gb01_user = login_as("gb01")
    form = gb01_user.client.post("/branchview/action_post", data={
        "csrf_token": gb01_user.token(), "action": "bulk_edit", "rowid": [str(i) for i in branch_ids]})
    assert form.status_code == 200 and 'name="general_branch"' not in form.text
    before = snapshot(db_session)
    own_gb = db_session.scalar(select(GeneralBranch.id).where(GeneralBranch.code == "gb01"))
    for target in (gb02, own_gb):
        assert _bulk(gb01_user, "branchview", branch_ids, general_branch=str(target), step="apply").status_code == 403
    assert snapshot(db_session) == before
    committee = login_as("committee")
    form = committee.client.post("/branchview/action_post", data={
        "csrf_token": committee.token(), "action": "bulk_edit", "rowid": [str(i) for i in branch_ids]})
    assert 'name="general_branch"' in form.text
    response = _bulk(committee, "branchview", branch_ids, general_branch=str(gb02), step="apply")
    assert response.status_code == 302
    db_session.rollback()
    db_session.expire_all()
    assert {db_session.get(Branch, i).general_branch_id for i in branch_ids} == {gb02}


def test_a_branch_cannot_bulk_edit_branches(login_as, db_session):
    user = login_as("gb01-b01")
    own = db_session.scalar(select(Branch.id).where(Branch.code == "gb01-b01"))
    before = snapshot(db_session)
    assert _bulk(user, "branchview", [own], category="admin", step="apply").status_code == 403
    response = user.client.post("/branchview/action_post", data={
        "csrf_token": user.token(), "action": "bulk_edit", "rowid": [str(own)]})
    assert response.status_code == 403
    assert snapshot(db_session) == before


def test_upload_token_is_per_session(login_as, db_session):
    """A CSRF token of another session does not pass (CSRF on every form)."""
    gb01, gb02 = login_as("gb01"), login_as("gb02")
    own = org_names(db_session, "gb01-b01")
    token = csrf_token(gb02.get("/imports/").text)
    records = import_count(db_session)
    response = gb01.client.post("/imports/upload", data={
        "csrf_token": token, "kind": "members", "file": (io.BytesIO(xlsx([member("Z1", "张三", *own)])), "a.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert import_count(db_session) == records
