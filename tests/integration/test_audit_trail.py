"""The audit trail: every create, update and delete of a domain record, on every path, leaves
who, when, from where, which record and each field's old and new value; nothing edits the trail."""
import json

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditLog, Branch, GeneralBranch, Member
from app.security.guard import RuleViolation
from app.security.scope import acting_as, system_actor
from tests.support.rosters import member as member_row, org_names, xlsx

ADDRESS = "198.51.100.23"


def _trail(session, model, pk):
    session.rollback()
    return session.scalars(select(AuditLog).where(
        AuditLog.table_name == model.__tablename__, AuditLog.record_id == pk).order_by(AuditLog.id)).all()


def _member_of(session, code):
    return session.scalar(select(Member).join(Branch).where(Branch.code == code).order_by(Member.id))


def _form(member, **changes):
    return {"number": member.number, "name": member.name, "gender": member.gender or "",
            "member_type": member.member_type, "branch": member.branch_id, "unit": member.unit or "",
            "joined_on": member.joined_on.isoformat() if member.joined_on else "", **changes}


def test_a_web_form_edit_is_audited_with_who_where_and_each_field(login_as, db_session):
    member = _member_of(db_session, "gb01-b01")
    branch = db_session.get(Branch, member.branch_id)
    user = login_as("gb01-b01")
    old_unit = member.unit
    response = user.post_form(f"/memberview/edit/{member.id}", _form(member, unit="化学学院"),
                              environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 302
    row = _trail(db_session, Member, member.id)[-1]
    assert (row.action, row.actor, row.address) == ("update", "gb01-b01", ADDRESS)
    assert json.loads(row.changes) == {"unit": [old_unit, "化学学院"]}
    assert row.label == f"{member.name}（{member.number}）" and row.user_id is not None
    assert (row.committee_id, row.general_branch_id, row.branch_id) == (
        member.committee_id, branch.general_branch_id, branch.id)


def test_the_forwarded_address_counts_behind_the_proxy(db_factory):
    """Behind the configured proxy (ZHIBU_PROXY_HOPS), the trail keeps the client's address."""
    from app import create_app
    from tests.conftest import TEST_OVERRIDES
    from tests.support.clients import WebUser

    url = db_factory.fresh_url()
    app = create_app({**TEST_OVERRIDES, "SQLALCHEMY_DATABASE_URI": url, "ZHIBU_PROXY_HOPS": 1})
    try:
        with app.app_context():
            member = db.session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b01")
                                       .order_by(Member.id))
            pk, data = member.id, _form(member, unit="物理学院")
            db.session.remove()
        user = WebUser(app, "gb01-b01")
        response = user.post_form(f"/memberview/edit/{pk}", data, headers={"X-Forwarded-For": ADDRESS},
                                  environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert response.status_code == 302
        with app.app_context():
            row = db.session.scalars(select(AuditLog).where(AuditLog.table_name == "zb_member",
                                                            AuditLog.record_id == pk)).all()[-1]
            assert row.address == ADDRESS
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
        db_factory.dispose(url)


def test_rest_create_update_delete_are_audited(api_as, db_session):
    api = api_as("gb01")
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b02"))
    created = api.post("/api/v1/member/", json={"number": "AU-001", "name": "审计甲", "member_type": "formal",
                                                "branch": branch.id})
    assert created.status_code == 201, created.json
    pk = created.json["id"]
    assert api.put(f"/api/v1/member/{pk}", json={"unit": "历史学院"}).status_code == 200
    assert api.delete(f"/api/v1/member/{pk}").status_code == 200
    rows = _trail(db_session, Member, pk)
    assert [r.action for r in rows] == ["create", "update", "delete"]
    create, change, delete = (json.loads(r.changes) for r in rows)
    assert create["name"] == [None, "审计甲"] and create["branch_id"] == [None, branch.id]
    assert change == {"unit": [None, "历史学院"]}
    assert delete["name"] == ["审计甲", None] and delete["unit"] == ["历史学院", None]
    assert {r.branch_id for r in rows} == {branch.id} and {r.actor for r in rows} == {"gb01"}


def test_bulk_edit_writes_one_row_per_changed_record(login_as, db_session):
    ids = db_session.scalars(select(Member.id).join(Branch).where(Branch.code == "gb01-b01")
                             .order_by(Member.id).limit(3)).all()
    before = {i: db_session.get(Member, i).member_type for i in ids}
    user = login_as("gb01")
    response = user.client.post("/memberview/bulk_edit", data={
        "csrf_token": user.token(), "rowid": [str(i) for i in ids], "member_type": "probationary", "step": "apply"})
    assert response.status_code == 302
    for i in ids:
        rows = _trail(db_session, Member, i)
        if before[i] == "probationary":
            assert not rows or json.loads(rows[-1].changes).get("member_type") is None
        else:
            assert json.loads(rows[-1].changes) == {"member_type": [before[i], "probationary"]}


def test_a_cli_import_is_audited_per_changed_row_in_one_insert(app, tmp_path, db_session):
    gb, branch = org_names(db_session, "gb01-b02")
    rows = [member_row("AU-101", "导入甲", gb, branch), member_row("AU-102", "导入乙", gb, branch)]
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx(rows))
    statements = []
    from sqlalchemy import event

    def count(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ZB_AUDIT_LOG"):
            statements.append(executemany)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            result = app.test_cli_runner().invoke(args=["zhibu", "import", "members", str(path), "--as", "gb01"])
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert result.exit_code == 0, result.output
    assert statements == [True]   # both new members in one executemany
    db_session.rollback()
    new = db_session.scalars(select(Member).where(Member.number.in_(["AU-101", "AU-102"]))).all()
    for m in new:
        (row,) = _trail(db_session, Member, m.id)
        assert (row.action, row.actor, row.address) == ("create", "gb01", None)
        assert row.label == f"{m.name}（{m.number}）" and json.loads(row.changes)["number"] == [None, m.number]
        assert row.branch_id == m.branch_id


def test_a_bulk_update_statement_audits_the_rows_it_changed(app, db_session):
    ids = db_session.scalars(select(Member.id).join(Branch).where(Branch.code == "gb01-b03").order_by(Member.id)).all()
    with app.app_context(), system_actor("test bulk"):
        db.session.execute(update(Member).where(Member.id.in_(ids)).values(unit="统一单位"))
        db.session.execute(update(Member).where(Member.id.in_(ids)).values(unit="统一单位"))   # no change
        db.session.commit()
    for i in ids:
        rows = [r for r in _trail(db_session, Member, i) if r.actor == "test bulk"]
        assert len(rows) == 1 and json.loads(rows[0].changes)["unit"][1] == "统一单位"


def test_nobody_edits_or_deletes_the_trail(app, login_as, db_session):
    gb = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    user = login_as("gb01")
    user.post_form(f"/generalbranchview/edit/{gb.id}", {"code": gb.code, "name": gb.name,
                                                        "committee": gb.committee_id, "phone": "010-9999"})
    row = _trail(db_session, GeneralBranch, gb.id)[-1]
    count = db_session.scalar(select(func.count(AuditLog.id)))
    with app.app_context():
        for actor in ("admin", "system"):
            from app.security.scope import ALL, system

            who = ALL if actor == "admin" else system("demo")
            with acting_as(who):
                log = db.session.get(AuditLog, row.id)
                log.reason = "改写"
                with pytest.raises(RuleViolation):
                    db.session.flush()
                db.session.rollback()
                with pytest.raises(RuleViolation):
                    db.session.execute(update(AuditLog).where(AuditLog.id == row.id).values(reason="改写"))
                db.session.rollback()
                db.session.delete(db.session.get(AuditLog, row.id))
                with pytest.raises(RuleViolation):
                    db.session.flush()
                db.session.rollback()
    db_session.rollback()
    assert db_session.get(AuditLog, row.id).reason is None
    assert db_session.scalar(select(func.count(AuditLog.id))) == count


# -- the audit view and the 变更记录 panel -------------------------------------------------

def _edit_member(user, member, **changes):
    response = user.post_form(f"/memberview/edit/{member.id}", _form(member, **changes))
    assert response.status_code == 302
    return response


def test_the_show_page_lists_the_records_changes_in_words(login_as, db_session):
    member = _member_of(db_session, "gb01-b01")
    user = login_as("gb01-b01")
    _edit_member(user, member, member_type="probationary" if member.member_type == "formal" else "formal",
                 unit="审计学院")
    page = user.get(f"/memberview/show/{member.id}").text
    assert 'id="audit-trail"' in page and "变更记录" in page
    assert "所在单位/班级/课题组" in page and "审计学院" in page and "gb01-b01" in page
    assert "预备党员" in page or "正式党员" in page       # a choice shown by its label, not its code
    assert "probationary" not in page.split('id="audit-trail"')[1]
    user.get("/lang/en")
    english = user.get(f"/memberview/show/{member.id}").text.split('id="audit-trail"')[1]
    assert "Change history" in english and "Changes" in english and "变更" not in english


def test_grade_overrides_and_confirmations_are_highlighted(login_as, db_session):
    from app.models import Assessment, AssessmentRound

    target = db_session.scalar(select(Assessment).join(AssessmentRound).where(AssessmentRound.status == "open")
                               .order_by(Assessment.id))
    wanted = "A" if target.computed_grade != "A" else "B"
    committee = login_as("committee")
    url = f"/scoring/assessment/{target.id}"
    committee.post_form(f"{url}/override", {"grade": wanted, "reason": "整改成效显著"}, token_from=url)
    committee.post_form(f"{url}/confirm", {}, token_from=url)
    rows = [r for r in _trail(db_session, Assessment, target.id) if r.highlight]
    assert {r.highlight for r in rows} == {"override", "confirm"}
    listing = committee.get(f"/auditlogview/list/?_flt_3_table_name=zb_assessment&_flt_0_record_id={target.id}").text
    assert "调整考评等次" in listing and "确认考评等次" in listing and "整改成效显著" not in listing.split("<tbody")[0]
    shown = committee.get(f"/auditlogview/show/{rows[0].id}").text
    assert "整改成效显著" in shown and "调整后的考评等次" in shown
    # and on the assessment's own page, where grades are overridden and confirmed
    panel = committee.get(url).text.split('id="audit-trail"')[1]
    assert panel.count("audit-highlight") >= 2 and "调整考评等次" in panel and "整改成效显著" in panel


def test_the_audit_view_is_scoped_filterable_and_read_only(login_as, db_session):
    own, sibling = _member_of(db_session, "gb01-b01"), _member_of(db_session, "gb01-b02")
    _edit_member(login_as("gb01-b01"), own, unit="本支部单位")
    _edit_member(login_as("gb01"), sibling, unit="兄弟支部单位")
    own_row, sibling_row = _trail(db_session, Member, own.id)[-1], _trail(db_session, Member, sibling.id)[-1]
    branch, general = login_as("gb01-b01"), login_as("gb01")
    listing = branch.get("/auditlogview/list/?psize_AuditLogView=100").text
    assert f"/auditlogview/show/{own_row.id}\"" in listing and f"/auditlogview/show/{sibling_row.id}\"" not in listing
    assert branch.get(f"/auditlogview/show/{sibling_row.id}").status_code == 404
    assert general.get(f"/auditlogview/show/{sibling_row.id}").status_code == 200
    # by record, by user, by date
    by_record = general.get(f"/auditlogview/list/?_flt_3_table_name=zb_member&_flt_0_record_id={own.id}").text
    assert f"/auditlogview/show/{own_row.id}\"" in by_record and f"/auditlogview/show/{sibling_row.id}\"" not in by_record
    by_user = general.get("/auditlogview/list/?_flt_3_actor=gb01&psize_AuditLogView=100").text
    assert f"/auditlogview/show/{sibling_row.id}\"" in by_user and f"/auditlogview/show/{own_row.id}\"" not in by_user
    later = general.get("/auditlogview/list/?_flt_1_at=2999-01-01+00:00:00").text
    assert "/auditlogview/show/" not in later
    # nobody edits or deletes a row: no route answers, the operator's neither
    for user in (branch, general, login_as("committee"), login_as("admin")):
        assert user.get(f"/auditlogview/edit/{own_row.id}").status_code in (403, 404)
        assert user.client.post(f"/auditlogview/delete/{own_row.id}",
                                data={"csrf_token": user.token()}).status_code in (302, 403, 404)
    db_session.rollback()
    assert db_session.get(AuditLog, own_row.id) is not None


def test_the_trail_api_is_read_only_and_scoped(api_as, login_as, db_session):
    own = _member_of(db_session, "gb01-b01")
    _edit_member(login_as("gb01-b01"), own, unit="接口单位")
    row = _trail(db_session, Member, own.id)[-1]
    api = api_as("gb01-b01")
    got = api.get(f"/api/v1/auditlog/{row.id}")
    assert got.status_code == 200 and json.loads(got.json["result"]["changes"])["unit"][1] == "接口单位"
    assert api.put(f"/api/v1/auditlog/{row.id}", json={"reason": "改"}).status_code == 405
    assert api.delete(f"/api/v1/auditlog/{row.id}").status_code == 405
    assert api_as("gb02").get(f"/api/v1/auditlog/{row.id}").status_code == 404
