"""The rectification ledger: scoped, contact from the branch's cadres, progress, overdue."""
from datetime import date, timedelta

from sqlalchemy import select

from app.models import AssessmentRound, Branch, ContactCadre, Rectification, RectificationNote
from app.services.demo_assessment import REASSESSMENT


def _item(session, branch_code, **extra):
    branch = session.scalar(select(Branch).where(Branch.code == branch_code))
    round_ = session.scalar(select(AssessmentRound).where(AssessmentRound.name == REASSESSMENT))
    item = Rectification(branch=branch, round=round_, problems="组织生活不规范", measures="每月开展主题党日",
                         status="not_started", **extra)
    session.add(item)
    session.commit()
    return item.id


def test_branch_records_progress_on_its_own_item_only(login_as, db_session):
    own, foreign = _item(db_session, "gb01-b01"), _item(db_session, "gb01-b02")
    user = login_as("gb01-b01")
    assert user.get(f"/rectificationview/show/{foreign}").status_code == 404
    response = user.post_form("/rectificationnoteview/add", {
        "rectification": own, "noted_on": "2012-05-20", "text": "已召开专题组织生活会"})
    assert response.status_code == 302
    user.post_form("/rectificationnoteview/add", {
        "rectification": foreign, "noted_on": "2012-05-20", "text": "越权"})
    db_session.expire_all()
    notes = db_session.scalars(select(RectificationNote)).all()
    assert [(n.rectification_id, n.text) for n in notes] == [(own, "已召开专题组织生活会")]
    assert db_session.get(Rectification, own).status == "in_progress"


def test_contact_person_must_contact_that_branch(login_as, db_session):
    own = _item(db_session, "gb01-b01")
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    stranger = db_session.scalar(select(ContactCadre).where(
        ContactCadre.general_branch_id == branch.general_branch_id, ~ContactCadre.branches.any(Branch.id == branch.id)))
    user = login_as("gb01")
    form = {"branch": branch.id, "round": db_session.get(Rectification, own).round_id, "problems": "问题",
            "measures": "措施", "status": "in_progress", "contact": stranger.id}
    page = user.post_form(f"/rectificationview/edit/{own}", form, follow_redirects=True)
    assert "定点联系人须从联系该党支部的联系干部中选择" in page.text
    db_session.expire_all()
    assert db_session.get(Rectification, own).contact_id is None


def test_overdue_items_are_flagged_and_done_items_dated(login_as, db_session):
    late = _item(db_session, "gb01-b01", due_on=date.today() - timedelta(days=3))
    page = login_as("gb01").get("/rectificationview/list/").text
    assert "已逾期" in page
    item = db_session.get(Rectification, late)
    user = login_as("gb01")
    user.post_form(f"/rectificationview/edit/{late}", {
        "branch": item.branch_id, "round": item.round_id, "problems": item.problems, "measures": item.measures,
        "due_on": item.due_on.isoformat(), "status": "done"})
    db_session.expire_all()
    assert db_session.get(Rectification, late).completed_on == date.today()
    assert "已逾期" not in login_as("gb01").get("/rectificationview/list/").text


def test_api_rectification_scope(api_as, db_session):
    own, foreign = _item(db_session, "gb01-b01"), _item(db_session, "gb02-b01")
    api = api_as("gb01")
    assert api.get(f"/api/v1/rectification/{own}").status_code == 200
    assert api.get(f"/api/v1/rectification/{foreign}").status_code == 404
    foreign_branch = db_session.scalar(select(Branch.id).where(Branch.code == "gb02-b01"))
    response = api.put(f"/api/v1/rectification/{own}", json={"branch": foreign_branch})
    assert response.status_code == 400


def _round_named(session, name):
    return session.scalar(select(AssessmentRound).where(AssessmentRound.name == name))


def test_items_take_their_due_date_from_the_round_not_from_today(login_as, db_session):
    from app.services.demo_assessment import INITIAL

    initial, again = _round_named(db_session, INITIAL), _round_named(db_session, REASSESSMENT)
    assert initial.rectify_by == date(2012, 9, 30)
    # the reassessment has no 整改完成期限: the end of its year
    user = login_as("gb01")
    page = f"/scoring/round/{again.id}"
    user.post_form(f"{page}/rectify", {}, token_from=page)
    db_session.expire_all()
    made = db_session.scalars(select(Rectification).where(Rectification.round_id == again.id)).all()
    assert made and {i.due_on for i in made} == {date(2012, 12, 31)}
    # set on the round by the committee: items created after it take it
    committee = login_as("committee")
    form = {"name": again.name, "year": again.year, "kind": again.kind, "base_round": initial.id,
            "opens_on": again.opens_on.isoformat(), "deadline": again.deadline.isoformat(),
            "rectify_by": "2012-12-20", "status": again.status, "note": again.note or ""}
    assert committee.post_form(f"/roundview/edit/{again.id}", form).status_code == 302
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    response = user.post_form("/rectificationview/add", {
        "branch": branch.id, "round": again.id, "problems": "问题", "measures": "措施", "status": "not_started"})
    assert response.status_code == 302
    db_session.expire_all()
    newest = db_session.scalar(select(Rectification).order_by(Rectification.id.desc()))
    assert newest.due_on == date(2012, 12, 20)


def test_without_a_deadline_the_day_before_the_follow_up_round(app):
    from app.services.rectification import default_due_on

    with app.app_context():
        from app.extensions import db
        from app.services.demo_assessment import INITIAL

        stored = db.session.scalar(select(AssessmentRound).where(AssessmentRound.name == INITIAL))
        asked = AssessmentRound(id=stored.id, year=stored.year, rectify_by=None)  # not in the session
        assert default_due_on(asked) == date(2012, 10, 9)
