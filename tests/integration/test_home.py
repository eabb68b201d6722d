"""Each role's home says what to do next, every item opens the page where it is done, and the
home costs the same number of statements whatever the size of the scope."""
import re

import pytest
from sqlalchemy import func, select

from app.models import Assessment, AssessmentRound, Branch, GeneralBranch, Member, Rectification, ScoreSheet
from app.services.demo_assessment import INITIAL, REASSESSMENT
from tests.support.statements import statements_of

TODO = re.compile(r'<li class="list-group-item list-group-item-(\w+) zhibu-todo" data-kind="(\w+)">\s*'
                  r'<a href="([^"]+)">([^<]+)</a>')


def todos(page):
    return [dict(zip(("level", "kind", "href", "text"), m)) for m in TODO.findall(page)]


def test_branch_home_lists_what_the_branch_owes(login_as, db_session):
    user = login_as("gb01-b01")
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    # Take back the branch's own 自评 of the open round: the home must ask for it.
    open_round = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    assessment = db_session.scalar(select(Assessment).where(Assessment.round_id == open_round.id,
                                                            Assessment.branch_id == own.id))
    for sheet in db_session.scalars(select(ScoreSheet).where(ScoreSheet.assessment_id == assessment.id,
                                                             ScoreSheet.source == "self")):
        db_session.delete(sheet)
    db_session.commit()
    items = todos(user.get("/").text)
    kinds = {i["kind"] for i in items}
    assert "sheet" in kinds and "meeting" in kinds and "term" in kinds
    sheet = next(i for i in items if i["kind"] == "sheet")
    assert REASSESSMENT in sheet["text"] and "党支部委员会自评" in sheet["text"] and "已过" in sheet["text"]
    for item in items:
        assert user.get(item["href"]).status_code == 200, item
    page = user.get("/").text
    assert 'id="last-grade"' in page and REASSESSMENT in page


def test_branch_home_has_no_sheet_item_once_it_is_entered(login_as):
    assert "sheet" not in {i["kind"] for i in todos(login_as("gb01-b01").get("/").text)}


def test_general_branch_home_shows_completion_and_weak_branches(login_as, db_session):
    user = login_as("gb01")
    page = user.get("/").text
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    open_round = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    table = re.search(rf'<table[^>]*id="completion-{open_round.id}".*?</table>', page, re.S).group(0)
    names = db_session.scalars(select(Branch.name).where(Branch.general_branch_id == gb01.id)).all()
    assert all(name in table for name in names)
    assert not any(b.name in table for b in db_session.scalars(
        select(Branch).join(GeneralBranch).where(GeneralBranch.code == "gb02")))
    weak = db_session.scalar(select(func.count()).select_from(Assessment).join(Branch).where(
        Branch.general_branch_id == gb01.id, Assessment.final_grade.in_(("C", "D"))))
    items = todos(page)
    assert sum(i["kind"] == "weak" for i in items) == weak
    # Creating the items for the weak branches of the open round takes those entries away.
    user.post_form(f"/scoring/round/{open_round.id}/rectify", {}, token_from=f"/scoring/round/{open_round.id}")
    after = todos(user.get("/").text)
    assert not any(i["kind"] == "weak" and REASSESSMENT in i["text"] for i in after)
    for item in after[:5]:
        assert user.get(item["href"]).status_code == 200
    assert "/forms/annex2?round=" in page


def test_committee_home_shows_progress_grades_and_large_branches(login_as, db_session):
    page = login_as("committee").get("/").text
    assert 'id="grade-distribution"' in page and 'id="goal-line"' in page
    large = db_session.execute(select(Branch.name, func.count(Member.id)).join(Member, Member.branch_id == Branch.id)
                               .group_by(Branch.id, Branch.name).having(func.count(Member.id) > 50)).all()
    items = todos(page)
    assert {i["text"].split("」")[0].lstrip("「") for i in items if i["kind"] == "size"} == {n for n, _ in large}
    gb_count = db_session.scalar(select(func.count()).select_from(GeneralBranch))
    open_round = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    table = re.search(rf'<table[^>]*id="progress-{open_round.id}".*?</table>', page, re.S).group(0)
    # header, the committee's total, one row per general branch (the demo has fewer than the top 20)
    assert table.count("<tr") == gb_count + 2 and f"全部 {gb_count} 个党总支" in table
    assert 'id="grades-more"' not in page


def test_committee_home_shows_the_top_general_branches_and_links_to_all(app, login_as, db_session):
    committee = login_as("committee")
    committee.get("/")
    everything = _statements(app, committee)
    app.config["ZHIBU_HOME_TOP"] = 2
    page = committee.get("/").text
    gb_count = db_session.scalar(select(func.count()).select_from(GeneralBranch))
    open_round = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    table = re.search(rf'<table[^>]*id="progress-{open_round.id}".*?</table>', page, re.S).group(0)
    assert table.count("<tr") == 2 + 2   # header, total, the two furthest behind
    # the total still counts every general branch's branches
    branches = db_session.scalar(select(func.count()).select_from(Assessment)
                                 .where(Assessment.round_id == open_round.id))
    total = re.search(r'class="info zhibu-total"><th>[^<]*</th><th>(\d+)</th>', table).group(1)
    assert int(total) == branches
    more = re.search(rf'id="progress-more-{open_round.id}">(.*?)</p>', page, re.S).group(1)
    assert f"共 {gb_count} 个党总支" in more and f'href="/scoring/round/{open_round.id}"' in more
    grades = re.search(r'<table[^>]*id="grade-distribution".*?</table>', page, re.S).group(0)
    assert grades.count("<tr") == 1 + 2 and 'id="grades-more"' in page
    assert committee.get(f"/scoring/round/{open_round.id}").status_code == 200
    assert _statements(app, committee) == everything   # fewer rows shown, the same statements
    committee.get("/lang/en")
    english = committee.get("/").text
    assert "See all" in english and f"of {gb_count} general branches" in english


def _statements(app, user, url="/"):
    return statements_of(app, user, url)


@pytest.mark.parametrize("big, small", [("gb01", "gb08"), ("gb01-b01", "gb02-b01")])
def test_home_statement_count_does_not_grow_with_the_scope(app, login_as, db_session, big, small):
    big_user, small_user = login_as(big), login_as(small)
    for user in (big_user, small_user):
        user.get("/")
    assert _statements(app, big_user) == _statements(app, small_user)


# -- the homes ask for what the committee's health policy checks ------------------------------------

def _switch_profile(login_as, db_session, profile):
    """The committee's own edit form sets its health profile (as its secretary would)."""
    from flask_appbuilder.security.sqla.models import User

    from app.models import Committee, UserOrg

    user_id = db_session.scalar(select(User.id).where(User.username == "committee"))
    committee_id = db_session.scalar(select(UserOrg.committee_id).where(UserOrg.user_id == user_id))
    user = login_as("committee")
    form = user.get(f"/committeeview/edit/{committee_id}").text
    name = re.search(r'name="name"[^>]*value="([^"]*)"', form).group(1)
    resp = user.post_form(f"/committeeview/edit/{committee_id}", {"name": name, "short_name": "",
                                                                 "health_profile": profile})
    assert resp.status_code in (200, 302)
    db_session.expire_all()
    assert db_session.scalar(select(Committee.health_profile).where(Committee.id == committee_id)) == profile


def test_switching_the_committee_profile_changes_the_branch_home(login_as, db_session):
    """2012 plan: 40 h for the secretary, a meeting of any kind each month. Later rules: 56 h, and
    each month a 支委会 (from 7 formal members) and a 主题党日. A secretary with 48 h and a month
    with only a 支部党员大会 pass the first and are to-dos under the second."""
    from datetime import date

    from app.models import Meeting, Secretary, TrainingAttendance, TrainingEvent

    today = date.today()
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    secretary = db_session.scalar(select(Secretary).where(Secretary.branch_id == own.id, Secretary.left_on.is_(None))
                                  .order_by(Secretary.appointed_on.desc()))
    year_hours = db_session.scalar(
        select(func.coalesce(func.sum(TrainingEvent.hours), 0.0))
        .join(TrainingAttendance, TrainingAttendance.event_id == TrainingEvent.id)
        .where(TrainingAttendance.member_id == secretary.member_id,
               TrainingEvent.held_on >= date(today.year, 1, 1), TrainingEvent.held_on <= today))
    assert year_hours < 48
    event = TrainingEvent(committee_id=own.general_branch.committee_id, general_branch_id=own.general_branch_id,
                          branch_id=own.id, held_on=today, hours=48 - float(year_hours), online=False,
                          topic="书记专题培训（测试）")
    event.attendances.append(TrainingAttendance(member_id=secretary.member_id))
    db_session.add(event)
    # this month: one 支部党员大会 and nothing else
    for meeting in db_session.scalars(select(Meeting).where(Meeting.branch_id == own.id,
                                                            Meeting.held_on >= today.replace(day=1))):
        db_session.delete(meeting)
    db_session.add(Meeting(branch_id=own.id, kind="general_meeting", title="支部党员大会（测试）", planned_on=today,
                           held_on=today))
    db_session.commit()
    formal = db_session.scalar(select(func.count(Member.id)).where(Member.branch_id == own.id,
                                                                   Member.member_type == "formal"))
    name = db_session.get(Member, secretary.member_id).name

    def items():
        return todos(login_as("gb01-b01").get("/").text)

    before = items()
    assert not any(i["kind"] == "training" and name in i["text"] for i in before)
    assert not any(i["kind"] == "meeting" for i in before)
    _switch_profile(login_as, db_session, "later")
    after = items()
    training = [i for i in after if i["kind"] == "training" and name in i["text"]]
    assert len(training) == 1 and "48 学时" in training[0]["text"] and "56 学时" in training[0]["text"]
    meetings = {i["text"] for i in after if i["kind"] == "meeting"}
    assert any("主题党日" in t for t in meetings)
    assert any("支委会" in t for t in meetings) == (formal >= 7)
    for item in after:
        if item["kind"] in ("training", "meeting"):
            assert login_as("gb01-b01").get(item["href"]).status_code == 200
    _switch_profile(login_as, db_session, "2012")
    back = items()
    assert not any(i["kind"] == "meeting" for i in back)
    assert not any(i["kind"] == "training" and name in i["text"] for i in back)


def test_switching_the_committee_profile_changes_the_size_to_dos(login_as, db_session):
    """The committee's home lists the branches above the policy's split size for their category:
    50 under the 2012 plan; 30 for teacher branches under the later rules."""
    size = func.count(Member.id)

    def expected(teacher_limit):
        rows = db_session.execute(select(Branch.name, Branch.category, size).join(Member, Member.branch_id == Branch.id)
                                  .group_by(Branch.id, Branch.name, Branch.category)).all()
        return {n for n, category, count in rows if count > (teacher_limit if category == "teacher" else 50)}

    def shown():
        return {i["text"].split("」")[0].lstrip("「") for i in todos(login_as("committee").get("/").text)
                if i["kind"] == "size"}

    # a teacher branch of 31 to 50 members is large under the later rules only
    teacher, have = db_session.execute(
        select(Branch, size).outerjoin(Member, Member.branch_id == Branch.id).where(Branch.category == "teacher")
        .group_by(Branch.id).having(size <= 50).order_by(Branch.code)).first()
    for k in range(max(0, 35 - have)):
        db_session.add(Member(number=f"T-SIZE-{k:03d}", name=f"测试党员{k}", member_type="formal",
                              branch_id=teacher.id, committee_id=teacher.general_branch.committee_id))
    db_session.commit()
    assert shown() == expected(50)
    _switch_profile(login_as, db_session, "later")
    later = expected(30)
    assert teacher.name in later and later != expected(50)
    assert shown() == later
    page = login_as("committee").get("/").text
    assert "超过 30 人" in page


def test_committee_home_counts_each_general_branchs_overdue_items_most_first(login_as, db_session):
    """The committee's to-dos name every general branch with unfinished items past their day, with
    how many (counted in SQL per general branch), the one with most first; a finished or a not yet
    due item is not counted."""
    from datetime import date, timedelta

    committee = login_as("committee")
    open_round = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    committee.post_form(f"/scoring/round/{open_round.id}/rectify", {}, token_from=f"/scoring/round/{open_round.id}")
    items = db_session.scalars(select(Rectification).order_by(Rectification.id)).all()
    assert len(items) >= 4
    today = date.today()
    for n, item in enumerate(items):   # overdue, finished though overdue, not yet due, no day: in turn
        item.due_on, item.status = [(today - timedelta(days=3), "in_progress"), (today - timedelta(days=3), "done"),
                                    (today + timedelta(days=3), "not_started"), (None, "not_started")][n % 4]
    db_session.commit()
    late = db_session.execute(
        select(GeneralBranch.name, func.count(Rectification.id)).join(Branch, Branch.general_branch_id == GeneralBranch.id)
        .join(Rectification, Rectification.branch_id == Branch.id)
        .where(Rectification.status != "done", Rectification.due_on < today).group_by(GeneralBranch.name)).all()
    assert late
    shown = [re.match(r"「(.+)」有 (\d+) 条整改事项已逾期。", i["text"]).groups()
             for i in todos(committee.get("/").text) if i["kind"] == "rectification"]
    assert {name: int(n) for name, n in shown} == dict(late)
    assert [int(n) for _, n in shown] == sorted((int(n) for _, n in shown), reverse=True)


def test_committee_to_dos_show_the_worst_and_one_line_for_the_rest(app, login_as, db_session):
    """At city scale every general branch can be overdue and hundreds of branches oversized: the
    home names the ZHIBU_HOME_TOP worst of each and sums up the rest in one line that opens the list."""
    from datetime import date, timedelta

    committee = login_as("committee")
    open_round = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    committee.post_form(f"/scoring/round/{open_round.id}/rectify", {}, token_from=f"/scoring/round/{open_round.id}")
    for item in db_session.scalars(select(Rectification)):
        item.due_on, item.status = date.today() - timedelta(days=1), "not_started"
    db_session.commit()
    per_gb = db_session.execute(
        select(Branch.general_branch_id, func.count(Rectification.id)).join(Rectification, Rectification.branch_id == Branch.id)
        .group_by(Branch.general_branch_id)).all()
    assert len(per_gb) > 2
    app.config["ZHIBU_HOME_TOP"] = 1
    try:
        items = todos(committee.get("/").text)
    finally:
        app.config["ZHIBU_HOME_TOP"] = 20
    named = [i for i in items if i["kind"] == "rectification"]
    more = [i for i in items if i["kind"] == "rectification_more"]
    assert len(named) == 1 and len(more) == 1
    top = max(n for _g, n in per_gb)
    assert f"有 {top} 条整改事项已逾期" in named[0]["text"]
    rest = sum(n for _g, n in per_gb) - top
    assert more[0]["text"] == f"另有 {len(per_gb) - 1} 个党总支的 {rest} 条整改事项已逾期。"
    assert committee.get(more[0]["href"]).status_code == 200
    large = db_session.execute(select(Branch.name, func.count(Member.id)).join(Member, Member.branch_id == Branch.id)
                               .group_by(Branch.id, Branch.name).having(func.count(Member.id) > 50)
                               .order_by(func.count(Member.id).desc())).all()
    sizes = [i for i in items if i["kind"] == "size"]
    assert len(sizes) == min(1, len(large)) and (not large or large[0][0] in sizes[0]["text"])
    size_more = [i for i in items if i["kind"] == "size_more"]
    if len(large) > 1:
        assert size_more[0]["text"] == f"另有 {len(large) - 1} 个党支部人数超过上限，应考虑拆分。"
        listed = committee.get(size_more[0]["href"].replace("&amp;", "&")).text
        assert large[0][0] in listed
    else:
        assert not size_more


@pytest.mark.parametrize("username", ["committee", "gb01", "gb02", "gb01-b01"])
def test_the_models_read_through_their_branch_give_the_rows_the_rule_lets_read(app, db_session, username):
    """The committee's aggregates read READ_THROUGH_BRANCH models by their table, joined to the
    scoped Branch (app/security/rules.py): for every role those must be exactly the rows the rule
    table lets it read, and fewer than all of them below the committee."""
    from app.security.rules import READ_THROUGH_BRANCH, through_branch
    from app.security.scope import acting_as, org_of_user

    round_id = db_session.scalar(select(AssessmentRound.id).order_by(AssessmentRound.id))
    for code in ("gb01-b01", "gb01-b02", "gb02-b01"):   # items in two general branches
        branch_id = db_session.scalar(select(Branch.id).where(Branch.code == code))
        db_session.add(Rectification(branch_id=branch_id, round_id=round_id, problems=f"{code} 的问题"))
    db_session.commit()
    everything = {model: set(db_session.scalars(select(model.__table__.c.id))) for model in READ_THROUGH_BRANCH}
    assert all(everything.values())
    with app.app_context():
        from app.extensions import db

        with acting_as(org_of_user(app.appbuilder.sm.find_user(username=username))):
            for model in READ_THROUGH_BRANCH:
                table = through_branch(model)
                by_rule = set(db.session.scalars(select(model.id)))
                read_through = set(db.session.scalars(
                    select(table.c.id).select_from(table).join(Branch, Branch.id == table.c.branch_id)))
                assert read_through == by_rule, (username, model.__name__)
                if username == "committee":
                    assert by_rule == everything[model]
                else:
                    assert by_rule and by_rule < everything[model], (username, model.__name__)
    with pytest.raises(ValueError):
        through_branch(Member)
