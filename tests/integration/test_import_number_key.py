"""The roster import looks members up by their stored number key (Member.number_key: the
number's match key, NFKC, no white space, case-blind), not by reading the whole scope: a
number typed in another width, case or spacing still finds the member; the key follows every
edit of the number (form, REST); and what the dry run reads does not grow with the scope."""
import json

import pytest
from sqlalchemy import event, select

from app.imports.values import match_key
from app.models import AuditLog, Branch, Member
from tests.support.rosters import confirm, member, org_names, record_id, summary_of, text_of, upload, xlsx


@pytest.fixture
def gb01(login_as):
    return login_as("gb01")


@pytest.fixture
def own(db_session):
    """(general branch, branch) names of gb01-b02, a branch gb01 manages."""
    return tuple(org_names(db_session, "gb01-b02"))


def _branch_id(session, code):
    return session.scalar(select(Branch.id).where(Branch.code == code))


def _add(user, session, number, name, code="gb01-b02"):
    """Add a member through the roster form; returns its id."""
    response = user.post_form("/memberview/add", {
        "number": number, "name": name, "gender": "M", "member_type": "formal", "unit": "测试班",
        "joined_on": "2012-04-18", "branch": _branch_id(session, code)})
    assert response.status_code == 302, text_of(response.text)[:2000]
    session.rollback()
    return session.scalar(select(Member.id).where(Member.number == number))


def _dry_run(user, data):
    response = upload(user, data)
    pk = record_id(response)
    html = user.get(f"/imports/result/{pk}").text
    return pk, html


def _stored(session, pk):
    session.rollback()
    session.expire_all()
    return session.execute(select(Member.number, Member.number_key, Member.name).where(Member.id == pk)).one()


def test_a_number_typed_in_another_width_case_and_spacing_matches_the_stored_member(gb01, db_session, own):
    pk = _add(gb01, db_session, "GB-Ab 01", "张三")      # the form keeps a space inside
    assert _stored(db_session, pk).number_key == "gb-ab01"
    members_before = len(db_session.scalars(select(Member.id)).all())
    # full-width letters, digits and hyphen, another case, no inner space, padded with an
    # ideographic space (the file refuses a space inside a number)
    typed = "\u3000ｇｂ－ａＢ０１ "
    rid, html = _dry_run(gb01, xlsx([member(typed, "张三", *own, gender="男", unit="测试班")]))
    assert summary_of(html) == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}
    rid, html = _dry_run(gb01, xlsx([member(typed, "张三丰", *own, gender="男", unit="测试班")]))
    assert summary_of(html) == {"new": 0, "updated": 1, "unchanged": 0, "errors": 0}
    assert confirm(gb01, rid).status_code == 302
    # the member was updated under its stored spelling; no second member was made
    assert tuple(_stored(db_session, pk)) == ("GB-Ab 01", "gb-ab01", "张三丰")
    assert len(db_session.scalars(select(Member.id)).all()) == members_before


def test_a_number_used_elsewhere_in_the_committee_in_another_spelling_is_taken(gb01, login_as, db_session, own):
    _add(login_as("gb02"), db_session, "GB02-X9", "别人", code="gb02-b01")
    rid, html = _dry_run(gb01, xlsx([member("gb02-x９", "张三", *own)]))
    assert summary_of(html)["errors"] == 1 and summary_of(html)["new"] == 0
    assert "已被本党委其他单位的党员使用" in text_of(html)
    # the general branch's own number in another spelling is not "taken": it is its member
    _add(gb01, db_session, "GB01-Y7", "李四")
    rid, html = _dry_run(gb01, xlsx([member("gb01-y７", "李四", *own, gender="男", unit="测试班")]))
    assert summary_of(html) == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


def test_the_key_follows_a_number_edited_through_the_form(gb01, db_session, own):
    pk = _add(gb01, db_session, "FORM-1", "王五")
    row = db_session.get(Member, pk)
    response = gb01.post_form(f"/memberview/edit/{pk}", {
        "number": "Form-２ b", "name": row.name, "gender": row.gender, "member_type": row.member_type,
        "unit": row.unit, "joined_on": row.joined_on.isoformat(), "branch": row.branch_id})
    assert response.status_code == 302, text_of(response.text)[:2000]
    number, key, _name = _stored(db_session, pk)
    assert key == match_key(number) == "form-2b"
    # the trail records the number's change, not the computed key
    trail = db_session.scalars(select(AuditLog).where(AuditLog.table_name == "zb_member", AuditLog.record_id == pk)
                               .order_by(AuditLog.id)).all()[-1]
    assert set(json.loads(trail.changes)) == {"number"}
    _rid, html = _dry_run(gb01, xlsx([member("FORM-2B", "王五", *own, gender="男", unit="测试班"),
                                      member("form-1", "赵六", *own)]))
    # the new spelling finds the member; the old number is free again (a new member)
    assert summary_of(html) == {"new": 1, "updated": 0, "unchanged": 1, "errors": 0}


def test_the_key_follows_a_number_edited_through_rest(gb01, api_as, db_session, own):
    pk = _add(gb01, db_session, "REST-1", "钱七")
    api = api_as("gb01")
    response = api.put(f"/api/v1/member/{pk}", {"number": "ＲＥＳＴ－９"})
    assert response.status_code == 200, response.text
    number, key, _name = _stored(db_session, pk)
    assert number == "ＲＥＳＴ－９" and key == "rest-9"
    # a key sent by the client is not taken: it follows the number
    response = api.put(f"/api/v1/member/{pk}", {"number": "REST-10", "number_key": "rest-9"})
    assert response.status_code in (200, 400, 422)
    number, key, _name = _stored(db_session, pk)
    assert key == match_key(number)
    _rid, html = _dry_run(gb01, xlsx([member(number.lower(), "钱七", *own, gender="男", unit="测试班")]))
    assert summary_of(html) == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


def _reads_of_members(app, user, data):
    """(statements, rows of zb_member those statements return) of one dry run of data."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def listener(_conn, _cursor, statement, parameters, _context, executemany):
        seen.append((statement, parameters, executemany))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        record_id(upload(user, data))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    rows = 0
    with engine.connect() as conn:   # the dry run's reads of the roster, run again and counted
        for statement, parameters, executemany in seen:
            if not executemany and statement.lstrip().upper().startswith("SELECT") and "zb_member" in statement:
                rows += len(conn.exec_driver_sql(statement, parameters).all())
    return len(seen), rows


def test_the_dry_run_reads_the_files_members_not_the_scope(app, gb01, db_session, own):
    """The same 3-row file, checked with 10 and with 200 more members in scope: the same
    statements, and the same rows read from the roster."""
    from app.extensions import db
    from app.security.scope import system_actor

    numbers = [_add(gb01, db_session, f"SCOPE-{i}", f"党员{i}") for i in range(2)]
    assert all(numbers)
    data = xlsx([member("scope-0", "党员0", *own), member("ＳＣＯＰＥ-1", "党员1", *own),
                 member("SCOPE-NEW", "新人", *own)])
    branch_id = _branch_id(db_session, "gb01-b02")
    committee_id = db_session.get(Member, numbers[0]).committee_id

    def add_members(n, start):
        with app.app_context(), system_actor("test"):
            db.session.add_all(Member(number=f"BULK{start + i:05d}", name=f"批量{i}", member_type="formal",
                                      branch_id=branch_id, committee_id=committee_id) for i in range(n))
            db.session.commit()
            db.session.remove()

    add_members(10, 0)
    _reads_of_members(app, gb01, data)           # warm-up (caches, first-request work)
    small = _reads_of_members(app, gb01, data)
    add_members(190, 10)
    large = _reads_of_members(app, gb01, data)
    assert small == large, (small, large)
    # the roster rows read are the file's two members (and the number check), not the scope's
    assert large[1] <= 3, large


def test_trainings_and_appraisals_find_a_member_by_a_number_in_another_spelling(gb01, db_session):
    from datetime import date

    from app.imports import APPRAISAL_SPEC, TRAINING_SPEC
    from app.models import MemberAppraisal, TrainingAttendance

    pk = _add(gb01, db_session, "TR-Ab 01", "孙八")
    typed = "\u3000ｔｒ－ａＢ０１ "
    year = date.today().year - 1
    sheets = {
        "trainings": xlsx([[typed, "孙八", "2012-03-20", "党的基本理论学习", 4, "否", "党总支"]],
                          headers=[c.header_zh for c in TRAINING_SPEC.columns], sheet="培训参加人员"),
        "appraisals": xlsx([[typed, "孙八", year, "优秀", None]],
                           headers=[c.header_zh for c in APPRAISAL_SPEC.columns], sheet="民主评议结果"),
    }
    for kind, data in sheets.items():
        rid = record_id(upload(gb01, data, kind=kind))
        html = gb01.get(f"/imports/result/{rid}").text
        assert summary_of(html) == {"new": 1, "updated": 0, "unchanged": 0, "errors": 0}, (kind, text_of(html)[-800:])
        assert confirm(gb01, rid).status_code == 302
    db_session.rollback()
    assert db_session.scalars(select(TrainingAttendance.member_id)
                              .where(TrainingAttendance.member_id == pk)).all() == [pk]
    assert db_session.scalars(select(MemberAppraisal.result).where(MemberAppraisal.member_id == pk)).all() == [
        "excellent"]
