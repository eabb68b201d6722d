"""Each hole found one step aside from the tested paths (issue "Record rules by construction"),
replayed as the hostile user who found it: every one failed before the rule table and guard.
"""
from sqlalchemy import func, select

from app.models import Assessment, AssessmentRound, Branch, ContactCadre, GeneralBranch, ScoreSheet
from app.services.demo_assessment import INITIAL, REASSESSMENT


def _assessment(session, round_name, branch_code):
    return session.scalar(
        select(Assessment).join(AssessmentRound).join(Branch, Branch.id == Assessment.branch_id)
        .where(AssessmentRound.name == round_name, Branch.code == branch_code))


def _sheet_of(session, assessment, source):
    return session.scalar(select(ScoreSheet).where(
        ScoreSheet.assessment_id == assessment.id, ScoreSheet.source == source).limit(1))


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_general_branch_cannot_create_general_branches_by_rest_or_form(api_as, login_as, db_session):
    before = _count(db_session, GeneralBranch)
    committee_id = db_session.scalar(select(GeneralBranch.committee_id).where(GeneralBranch.code == "gb01"))
    response = api_as("gb01").post("/api/v1/generalbranch/", json={"code": "gbX", "name": "影子党总支",
                                                                  "committee": committee_id})
    assert response.status_code == 403
    assert "不能新建「党总支」" in response.json["message"]
    page = login_as("gb01").post_form("/generalbranchview/add", {"code": "gbY", "name": "影子党总支二",
                                                               "committee": str(committee_id)},
                                      token_from="/generalbranchview/list/", follow_redirects=True)
    assert "不能新建「党总支」" in page.text
    db_session.expire_all()
    assert _count(db_session, GeneralBranch) == before


def test_general_branch_edits_only_its_own_contact_fields(api_as, db_session):
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    api = api_as("gb01")
    assert api.put(f"/api/v1/generalbranch/{gb01.id}", json={"phone": "010-62331234"}).status_code == 200
    response = api.put(f"/api/v1/generalbranch/{gb01.id}", json={"name": "改名的党总支"})
    assert response.status_code == 403 and "名称" in response.json["message"]
    db_session.expire_all()
    gb01 = db_session.get(GeneralBranch, gb01.id)
    assert gb01.phone == "010-62331234" and gb01.name != "改名的党总支"


def test_a_sheet_source_cannot_be_changed_in_the_same_put(api_as, db_session):
    own = _assessment(db_session, REASSESSMENT, "gb01-b01")
    self_sheet = _sheet_of(db_session, own, "self")
    api = api_as("gb01")
    response = api.put(f"/api/v1/scoresheet/{self_sheet.id}", json={"source": "superior", "rater": "党总支"})
    assert response.status_code in (400, 403)
    assert api.delete(f"/api/v1/scoresheet/{self_sheet.id}").status_code == 403
    db_session.expire_all()
    kept = db_session.get(ScoreSheet, self_sheet.id)
    assert kept is not None and kept.source == "self"


def test_a_closed_rounds_sheet_cannot_be_moved_into_an_open_round(api_as, db_session):
    closed = _assessment(db_session, INITIAL, "gb01-b01")
    open_ = _assessment(db_session, REASSESSMENT, "gb01-b01")
    sheet = _sheet_of(db_session, closed, "self")
    before = (closed.self_score, closed.composite)
    response = api_as("gb01-b01").put(f"/api/v1/scoresheet/{sheet.id}", json={"assessment": open_.id})
    assert response.status_code in (400, 403)
    db_session.expire_all()
    assert db_session.get(ScoreSheet, sheet.id).assessment_id == closed.id
    after = db_session.get(Assessment, closed.id)
    assert (after.self_score, after.composite) == before


def test_the_cli_refuses_to_recompute_a_closed_round(app, db_session):
    closed = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == INITIAL))
    composites = dict(db_session.execute(select(Assessment.id, Assessment.composite)
                                         .where(Assessment.round_id == closed.id)).all())
    result = app.test_cli_runner().invoke(args=["zhibu", "score", "--round", str(closed.id)])
    assert result.exit_code == 1, result.output
    assert "已结束" in result.output
    db_session.expire_all()
    assert dict(db_session.execute(select(Assessment.id, Assessment.composite)
                                   .where(Assessment.round_id == closed.id)).all()) == composites


def test_the_cli_recomputes_an_open_round_as_a_named_user(app):
    runner = app.test_cli_runner()
    with app.app_context():
        from app.extensions import db

        open_id = db.session.scalar(select(AssessmentRound.id).where(AssessmentRound.name == REASSESSMENT))
    assert runner.invoke(args=["zhibu", "score", "--round", str(open_id), "--as", "committee"]).exit_code == 0
    refused = runner.invoke(args=["zhibu", "score", "--round", str(open_id), "--as", "gb01"])
    assert refused.exit_code == 1


def test_nested_branches_of_contact_cadres_name_no_foreign_branch(api_as, db_session):
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    rows = api_as("gb01-b01").get("/api/v1/contactcadre/?q=(page_size:100)").json["result"]
    assert rows, "the demo links contact cadres to gb01-b01"
    for row in rows:
        assert {b["id"] for b in row["branches"]} == {own.id}
    foreign_names = set(db_session.scalars(select(Branch.name).join(ContactCadre.branches)
                                           .where(Branch.id != own.id)))
    shown = {b["name"] for row in rows for b in row["branches"]}
    assert not shown & foreign_names


def test_raw_sql_writes_are_refused_to_everyone_but_the_system_actor(app, db_session):
    from sqlalchemy import text

    from app.extensions import db
    from app.security.guard import RuleViolation
    from app.security.scope import OrgRef, acting_as

    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    with app.app_context(), acting_as(OrgRef("committee", committee_id=gb01.committee_id)):
        try:
            db.session.execute(text("UPDATE zb_general_branch SET phone = 'x'"))
        except RuleViolation:
            db.session.rollback()
        else:
            raise AssertionError("raw SQL write was not refused")
    db_session.expire_all()
    assert db_session.get(GeneralBranch, gb01.id).phone != "x"
