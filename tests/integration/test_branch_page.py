"""A branch's show page: its members, secretaries, grades, meetings and rectification items, as
the rule table lets each role read them; and 编辑 on a show page exactly where the rules allow it."""
import re

import pytest
from sqlalchemy import select

from app.models import (
    Assessment, AssessmentRound, Branch, GeneralBranch, Meeting, Member, Rectification, ScoreSheet, Secretary,
)
from app.services.demo_assessment import REASSESSMENT

RELATED = {"MemberView": (Member, "memberview"), "SecretaryView": (Secretary, "secretaryview"),
           "AssessmentView": (Assessment, "assessmentview"), "MeetingView": (Meeting, "meetingview"),
           "RectificationView": (Rectification, "rectificationview")}


def _branch(session, code):
    return session.scalar(select(Branch).where(Branch.code == code))


def _panes(html):
    """The show page's related lists: {view name: the ids its rows link to}."""
    found = {}
    parts = re.split(r'<div id="(\w+View)" class="tab-pane zhibu-related">', html)
    for name, body in zip(parts[1::2], parts[2::2]):
        body = body.split('class="tab-pane', 1)[0]
        route = RELATED[name][1]
        found[name] = {int(i) for i in re.findall(rf'/{route}/show/(\d+)', body)}
    return found


def _all_pages(user, url, name):
    """Every row of one related list, following its pager (page_<View>=n)."""
    ids, page = set(), 0
    while True:
        html = user.get(f"{url}?page_{name}={page}").text
        got = _panes(html)[name]
        if not got - ids:
            return ids
        ids |= got
        page += 1


@pytest.fixture
def rectified(login_as, db_session):
    """Rectification items for the weak branches of the 复评 (so that list is not empty)."""
    round_ = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    for gb in ("gb01", "committee"):
        login_as(gb).post_form(f"/scoring/round/{round_.id}/rectify", {}, token_from=f"/scoring/round/{round_.id}")
    return round_


@pytest.mark.parametrize("username", ["gb01-b01", "gb01", "committee"])
def test_the_branch_page_lists_exactly_the_branchs_rows(login_as, db_session, rectified, username):
    weak = db_session.scalar(select(Rectification.branch_id).join(Branch).where(Branch.code.like("gb01-%")))
    branch = _branch(db_session, "gb01-b01") if username == "gb01-b01" else db_session.get(Branch, weak)
    user = login_as(username)
    url = f"/branchview/show/{branch.id}"
    page = user.get(url)
    assert page.status_code == 200
    panes = _panes(page.text)
    assert set(panes) == set(RELATED)
    for name, (model, _route) in RELATED.items():
        expected = set(db_session.scalars(select(model.id).where(model.branch_id == branch.id)))
        assert _all_pages(user, url, name) == expected, name
    members = set(db_session.scalars(select(Member.id).where(Member.branch_id == branch.id)))
    assert len(members) > 20 >= len(panes["MemberView"])  # paged: the first page holds 20
    if username != "gb01-b01":
        assert rectified and panes["RectificationView"]


def test_a_foreign_branch_page_is_not_found(login_as, db_session):
    foreign = _branch(db_session, "gb02-b01")
    assert login_as("gb01").get(f"/branchview/show/{foreign.id}").status_code == 404
    assert login_as("gb01-b01").get(f"/branchview/show/{_branch(db_session, 'gb01-b02').id}").status_code == 404


def test_the_general_branch_page_lists_its_branches(login_as, db_session):
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    html = login_as("gb01").get(f"/generalbranchview/show/{gb01.id}").text
    body = html.split('<div id="BranchView" class="tab-pane zhibu-related">', 1)[1].split('class="tab-pane', 1)[0]
    shown = {int(i) for i in re.findall(r"/branchview/show/(\d+)", body)}
    assert shown == {b.id for b in gb01.branches}


def _has_edit(user, url):
    page = user.get(url)
    assert page.status_code == 200, url
    return 'id="show-edit"' in page.text


def test_the_edit_button_follows_the_rule_table(login_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    meeting = db_session.scalar(select(Meeting.id).where(Meeting.branch_id == branch.id))
    secretary = db_session.scalar(select(Secretary.id).where(Secretary.branch_id == branch.id))
    assessment = db_session.scalar(select(Assessment.id).where(Assessment.branch_id == branch.id))
    round_ = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    own_sheet = db_session.scalar(select(ScoreSheet.id).join(Assessment).where(
        Assessment.branch_id == branch.id, Assessment.round_id == round_.id, ScoreSheet.source == "self"))
    superior_sheet = db_session.scalar(select(ScoreSheet.id).join(Assessment).where(
        Assessment.branch_id == branch.id, Assessment.round_id == round_.id, ScoreSheet.source == "superior"))
    b01, gb01, committee = login_as("gb01-b01"), login_as("gb01"), login_as("committee")
    # the branch: its meetings and its 自评 sheet; its own row and secretaries it only reads
    assert not _has_edit(b01, f"/branchview/show/{branch.id}")           # role: read only
    assert _has_edit(b01, f"/meetingview/show/{meeting}")
    assert not _has_edit(b01, f"/secretaryview/show/{secretary}")        # role: read only
    assert not _has_edit(b01, f"/assessmentview/show/{assessment}")      # grades have no edit page
    assert _has_edit(b01, f"/scoresheetview/show/{own_sheet}")           # its 自评 sheet
    assert b01.get(f"/scoresheetview/show/{superior_sheet}").status_code == 404  # not its source
    assert not _has_edit(b01, f"/roundview/show/{round_.id}")
    # the general branch: its branches and secretaries, the superior's sheet, not the round
    assert _has_edit(gb01, f"/branchview/show/{branch.id}")
    assert _has_edit(gb01, f"/secretaryview/show/{secretary}")
    assert _has_edit(gb01, f"/scoresheetview/show/{superior_sheet}")
    assert not _has_edit(gb01, f"/scoresheetview/show/{own_sheet}")
    assert not _has_edit(gb01, f"/roundview/show/{round_.id}")
    assert _has_edit(committee, f"/roundview/show/{round_.id}")
    # a closed round makes its sheets final: the button goes, for every role
    db_session.get(AssessmentRound, round_.id).status = "closed"
    db_session.commit()
    assert not _has_edit(b01, f"/scoresheetview/show/{own_sheet}")
    assert not _has_edit(gb01, f"/scoresheetview/show/{superior_sheet}")
    assert not _has_edit(gb01, f"/roundview/show/{round_.id}")
    assert _has_edit(committee, f"/roundview/show/{round_.id}")  # the committee may reopen it


@pytest.mark.parametrize("lang, label", [("zh", "所属党总支"), ("en", "General branch")])
def test_the_change_history_names_fields_as_the_forms_do(login_as, db_session, lang, label):
    """FAB's prettified column names ("General Branch Id") never leak into the shared labels."""
    user = login_as("gb01")
    user.get(f"/lang/{lang}")
    user.get("/branchview/list/")
    user.get("/api/v1/branch/_info")
    html = user.get(f"/branchview/show/{_branch(db_session, 'gb01-b01').id}").text
    panel = html.split('id="audit-trail"', 1)[-1] if 'id="audit-trail"' in html else html
    assert f"<b>{label}</b>" in panel and "General Branch Id" not in html
