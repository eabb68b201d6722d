"""The data-scope matrix: every role x every path x own and foreign ids, as real users.

gb01 (a general branch), gb01-b01 (a branch of gb01) and committee log in through the
login form or the JWT endpoint; the foreign records belong to gb02.
"""
import re

import pytest
from sqlalchemy import select

from app.models import (
    Branch, ContactCadre, Funding, GeneralBranch, Meeting, Member, Secretary, TrainingEvent,
)

# resource -> (view route, REST resource or None, model)
RESOURCES = {
    "generalbranch": ("generalbranchview", "generalbranch", GeneralBranch),
    "branch": ("branchview", "branch", Branch),
    "member": ("memberview", "member", Member),
    "secretary": ("secretaryview", "secretary", Secretary),
    "contactcadre": ("contactcadreview", "contactcadre", ContactCadre),
    "meeting": ("meetingview", "meeting", Meeting),
    "training": ("trainingeventview", "trainingevent", TrainingEvent),
    "funding": ("fundingview", "funding", Funding),
}


def _gb(session, code):
    return session.scalar(select(GeneralBranch).where(GeneralBranch.code == code))


def record_in(session, model, gb_code, branch_code=None):
    """The id of one record of model that belongs to a general branch (or one branch)."""
    gb = _gb(session, gb_code)
    branch = session.scalar(select(Branch).where(Branch.code == branch_code)) if branch_code else None
    if model is GeneralBranch:
        return gb.id
    if model is ContactCadre:
        stmt = select(ContactCadre.id).where(ContactCadre.general_branch_id == gb.id)
        if branch is not None:
            stmt = select(ContactCadre.id).where(ContactCadre.branches.any(Branch.id == branch.id))
        return session.scalar(stmt.limit(1))
    if model is Branch:
        stmt = select(Branch.id)
    else:
        stmt = select(model.id).join(Branch, model.branch_id == Branch.id)
    stmt = stmt.where(Branch.id == branch.id) if branch is not None else stmt.where(Branch.general_branch_id == gb.id)
    found = session.scalar(stmt.limit(1))
    assert found is not None, f"demo data has no {model.__name__} in {gb_code}"
    return found


@pytest.fixture
def foreign(db_session):
    """resource -> id of a record in gb02 (outside gb01 and gb01-b01)."""
    return {name: record_in(db_session, model, "gb02") for name, (_, _, model) in RESOURCES.items()}


SCOPED_USERS = ["gb01", "gb01-b01"]
ITEM_PATHS = ["show/{id}", "edit/{id}"]


@pytest.mark.parametrize("username", SCOPED_USERS)
@pytest.mark.parametrize("resource", list(RESOURCES))
def test_foreign_id_is_404_on_every_item_page(login_as, foreign, username, resource):
    route = RESOURCES[resource][0]
    user = login_as(username)
    for path in ITEM_PATHS:
        response = user.get(f"/{route}/{path.format(id=foreign[resource])}")
        assert response.status_code in (403, 404), (path, response.status_code)
        if response.status_code == 403:  # no such verb for this role at all
            assert username == "gb01-b01"
    token = user.token()
    for url, data in [
        (f"/{route}/edit/{foreign[resource]}", {"csrf_token": token}),
        (f"/{route}/delete/{foreign[resource]}", {"csrf_token": token}),
        (f"/{route}/action_post", {"csrf_token": token, "action": "bulk_delete", "rowid": [foreign[resource]]}),
        (f"/{route}/action/bulk_delete/{foreign[resource]}", {"csrf_token": token}),
    ]:
        response = user.client.post(url, data=data)
        assert response.status_code in (403, 404), (url, response.status_code)


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_download_route_is_switched_off(login_as, resource):
    user = login_as("committee")
    assert user.get(f"/{RESOURCES[resource][0]}/download/secret_key").status_code == 404


def _names_on_list(user, route, query=""):
    """The text of the list table's body (not the echoed search values)."""
    view = {"branchview": "BranchView", "memberview": "MemberView"}[route]
    page = user.get(f"/{route}/list/?psize_{view}=100{query}")
    assert page.status_code == 200
    body = re.search(r'<table class="table table-bordered table-hover">(.*?)</table>', page.text, re.S)
    return body.group(1) if body else ""


def test_gb01_sees_only_its_branches_and_members_in_lists(login_as, db_session):
    user = login_as("gb01")
    gb01, gb02 = _gb(db_session, "gb01"), _gb(db_session, "gb02")
    branch_page = _names_on_list(user, "branchview")
    for branch in gb01.branches:
        assert branch.name in branch_page
    for branch in gb02.branches:
        assert branch.name not in branch_page
    foreign_member = db_session.scalar(select(Member).join(Branch).where(Branch.general_branch_id == gb02.id))
    assert foreign_member.number not in _names_on_list(user, "memberview")
    # Searching for the foreign member by name or number finds nothing.
    assert foreign_member.number not in _names_on_list(
        user, "memberview", f"&_flt_0_number={foreign_member.number}")
    # Filtering by a foreign branch id through the URL shows nothing of it either.
    assert foreign_member.number not in _names_on_list(
        user, "memberview", f"&_flt_0_branch={foreign_member.branch_id}")


def _select_options(html, field):
    match = re.search(rf'<select[^>]*(?:id|name)="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select for {field}"
    return set(re.findall(r'<option[^>]*value="(\d+)"', match.group(1)))


@pytest.mark.parametrize("username", SCOPED_USERS)
def test_form_choices_offer_nothing_foreign(login_as, db_session, username):
    user = login_as(username)
    own = {str(i) for i in db_session.scalars(select(Branch.id).where(
        Branch.general_branch_id == _gb(db_session, "gb01").id))}
    if username == "gb01-b01":
        own = {str(db_session.scalar(select(Branch.id).where(Branch.code == "gb01-b01")))}
    for url in ["/memberview/add", "/meetingview/add"]:
        options = _select_options(user.get(url).text, "branch")
        assert options and options <= own, url
    member = record_in(db_session, Member, "gb01", "gb01-b01")
    options = _select_options(user.get(f"/memberview/edit/{member}").text, "branch")
    assert options <= own
    # The search form's related-field filter offers the same choices only.
    search = user.get("/memberview/list/").text
    found = set(re.findall(r'<option value="(\d+)">', search))
    foreign_ids = {str(i) for i in db_session.scalars(select(Branch.id).where(
        Branch.general_branch_id == _gb(db_session, "gb02").id))}
    assert not (found & foreign_ids)


def test_posting_a_foreign_parent_in_a_form_is_refused(login_as, db_session, foreign):
    user = login_as("gb01")
    foreign_branch = foreign["branch"]
    before = db_session.scalar(select(Member.id).where(Member.number == "ZZ-NEW-1"))
    assert before is None
    response = user.post_form("/memberview/add", {
        "number": "ZZ-NEW-1", "name": "外来者", "member_type": "formal", "branch": foreign_branch,
    })
    assert response.status_code in (200, 302)
    db_session.expire_all()
    assert db_session.scalar(select(Member.id).where(Member.number == "ZZ-NEW-1")) is None


@pytest.mark.parametrize("username", SCOPED_USERS)
@pytest.mark.parametrize("resource", [r for r, v in RESOURCES.items() if v[1]])
def test_api_foreign_id_is_404(api_as, foreign, username, resource):
    api = api_as(username)
    name = RESOURCES[resource][1]
    pk = foreign[resource]
    assert api.get(f"/api/v1/{name}/{pk}").status_code in (403, 404)
    assert api.put(f"/api/v1/{name}/{pk}", json={"name": "x"}).status_code in (403, 404)
    assert api.delete(f"/api/v1/{name}/{pk}").status_code in (403, 404)
    listing = api.get(f"/api/v1/{name}/?q=(page_size:100)")
    if listing.status_code == 200:
        assert pk not in listing.json["ids"]


def test_api_lists_hold_exactly_the_scope(api_as, db_session):
    gb01 = _gb(db_session, "gb01")
    expected = db_session.scalar(select(Member.id).join(Branch).where(Branch.general_branch_id == gb01.id).limit(1))
    api = api_as("gb01")
    listing = api.get("/api/v1/branch/?q=(page_size:100)").json
    assert listing["count"] == len(gb01.branches)
    assert {row["general_branch"]["id"] for row in listing["result"]} == {gb01.id}
    members = api.get("/api/v1/member/?q=(page_size:100)").json
    assert expected in members["ids"]
    own_count = sum(b.formal_count + b.probationary_count for b in gb01.branches)
    assert members["count"] == own_count


def test_api_write_with_foreign_parent_is_400(api_as, db_session, foreign):
    api = api_as("gb01")
    response = api.post("/api/v1/member/", json={
        "number": "ZZ-API-1", "name": "外来者", "member_type": "formal", "branch": foreign["branch"],
    })
    assert response.status_code == 400, response.text
    own_member = record_in(db_session, Member, "gb01")
    response = api.put(f"/api/v1/member/{own_member}", json={"branch": foreign["branch"]})
    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(Member, own_member).branch.general_branch.code == "gb01"
    assert db_session.scalar(select(Member.id).where(Member.number == "ZZ-API-1")) is None


def test_api_info_offers_only_own_branches(api_as, db_session):
    api = api_as("gb01")
    info = api.get("/api/v1/member/_info?q=(keys:!(add_columns))").json
    branch_col = next(c for c in info["add_columns"] if c["name"] == "branch")
    offered = {v["id"] for v in branch_col["values"]}
    own = set(db_session.scalars(select(Branch.id).where(Branch.general_branch_id == _gb(db_session, "gb01").id)))
    assert offered and offered <= own


def test_branch_user_sees_only_its_branch(api_as, login_as, db_session):
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    api = api_as("gb01-b01")
    listing = api.get("/api/v1/branch/").json
    assert listing["ids"] == [own.id]
    members = api.get("/api/v1/member/?q=(page_size:100)").json
    assert members["count"] == own.formal_count + own.probationary_count
    sibling = record_in(db_session, Member, "gb01", "gb01-b02")
    assert api.get(f"/api/v1/member/{sibling}").status_code == 404
    user = login_as("gb01-b01")
    assert user.get(f"/memberview/show/{sibling}").status_code == 404


def test_committee_sees_every_general_branch(api_as, db_session):
    api = api_as("committee")
    listing = api.get("/api/v1/generalbranch/?q=(page_size:100)").json
    assert listing["count"] == db_session.query(GeneralBranch).count()


def test_user_without_organization_sees_nothing(app, db_session, login_as):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("orphan", "无", "组织", "orphan@zhibu.invalid", sm.find_role("general_branch"),
                    password="orphan-pass-1")
    user = login_as("orphan", "orphan-pass-1")
    page = user.get("/branchview/list/")
    assert page.status_code == 200
    assert "gb01" not in page.text
    assert "尚未关联任何组织" in user.get("/").text
