"""A branch's member counts are stored columns kept by database triggers (migration 608045794396):
whoever writes the roster — the ORM, a bulk statement, SQL text, the forms, REST, the xlsx
import, the roster move, `zhibu synth` (COPY on PostgreSQL) — every branch's stored counts equal
COUNT(*) of zb_member; no one writes them; a session sees them change; the pages show them."""
import re

import pytest
from sqlalchemy import delete, insert, select, text, update

from app.models import Branch, Member
from tests.support.counts import count_mismatches
from tests.support.rosters import confirm, member, org_names, record_id, summary_of, upload, xlsx

TRIGGERS = {"zb_member_counts_insert", "zb_member_counts_delete", "zb_member_counts_update"}

def assert_exact(session):
    """Every branch's stored counts are its roster's (and the roster is not empty)."""
    assert count_mismatches(session) == []
    assert session.scalar(text("SELECT SUM(formal_count) + SUM(probationary_count) FROM zb_branch")) == \
        session.scalar(text("SELECT COUNT(*) FROM zb_member")) > 0


def _counted(session, branch_id):
    rows = dict(session.execute(text("SELECT member_type, COUNT(*) FROM zb_member WHERE branch_id = :b "
                                     "GROUP BY member_type"), {"b": branch_id}).all())
    return rows.get("formal", 0), rows.get("probationary", 0)


def _branch(session, code):
    return session.scalar(select(Branch).where(Branch.code == code))


def _fresh(session, code):
    session.rollback()
    session.expire_all()
    return _branch(session, code)


def test_the_triggers_exist_at_the_head(app):
    """A later migration that rebuilds zb_member (SQLite batch mode) drops them with the table."""
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            names = db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                            "AND tbl_name = 'zb_member'")).all()
        else:
            names = db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                            "AND tgrelid = 'zb_member'::regclass")).all()
        assert TRIGGERS <= set(names)
        assert_exact(db.session)    # the demo data, loaded after the migration
        db.session.remove()


def test_orm_writes_bulk_statements_and_sql_text_keep_the_counts(app):
    """In one session: a Branch loaded before each write shows the new counts after it."""
    from app.extensions import db
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        session = db.session
        one, two = _branch(session, "gb01-b01"), _branch(session, "gb01-b02")
        formal, probationary = one.formal_count, one.probationary_count
        assert (formal, probationary) == _counted(session, one.id) and formal > 0

        added = Member(number="CNT-0001", name="计数甲", member_type="formal", branch=one)
        session.add(added)
        session.flush()
        assert (one.formal_count, one.probationary_count) == (formal + 1, probationary)
        assert_exact(session)

        added.member_type = "probationary"                                 # type change
        session.flush()
        assert (one.formal_count, one.probationary_count) == (formal, probationary + 1)
        assert_exact(session)

        before_two = (two.formal_count, two.probationary_count)
        added.branch = two                                                 # move
        session.flush()
        assert (one.formal_count, one.probationary_count) == (formal, probationary)
        assert (two.formal_count, two.probationary_count) == (before_two[0], before_two[1] + 1)
        assert_exact(session)

        added.name = "计数乙"                                               # neither type nor branch
        session.flush()
        assert_exact(session)

        session.delete(added)                                              # delete
        session.flush()
        assert (two.formal_count, two.probationary_count) == before_two
        assert_exact(session)

        # bulk statements: an INSERT of three, an UPDATE of type and branch, a DELETE
        committee = session.scalar(select(Member.committee_id).where(Member.branch_id == one.id).limit(1))
        session.execute(insert(Member), [
            {"number": f"CNT-1{i}", "name": f"批量{i}", "name_key": "", "member_type": "formal",
             "branch_id": one.id, "committee_id": committee} for i in range(3)])
        assert one.formal_count == formal + 3
        assert_exact(session)
        session.execute(update(Member).where(Member.number.in_(["CNT-10", "CNT-11"]))
                        .values(member_type="probationary", branch_id=two.id))
        assert (one.formal_count, two.probationary_count) == (formal + 1, before_two[1] + 2)
        assert_exact(session)
        session.execute(update(Member).where(Member.branch_id == one.id).values(member_type="probationary"))
        assert one.formal_count == 0 and one.probationary_count == formal + 1 + probationary
        assert_exact(session)
        session.execute(delete(Member).where(Member.number.like("CNT-1%")))
        assert_exact(session)

        # SQL text (the system actor only)
        session.execute(text("INSERT INTO zb_member (number, name, name_key, member_type, is_teacher_backbone, "
                             "branch_id, committee_id, version) VALUES ('CNT-2', '原始', '', 'formal', false, "
                             ":b, :c, 1)"), {"b": two.id, "c": committee})
        assert two.formal_count == before_two[0] + 1
        session.execute(text("UPDATE zb_member SET branch_id = :b WHERE number = 'CNT-2'"), {"b": one.id})
        assert two.formal_count == before_two[0]
        assert_exact(session)
        session.execute(text("DELETE FROM zb_member WHERE number = 'CNT-2'"))
        assert_exact(session)
        session.commit()
        assert_exact(session)
        db.session.remove()


def test_a_rolled_back_write_leaves_the_counts(app):
    from app.extensions import db
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        branch = _branch(db.session, "gb01-b01")
        before = branch.formal_count
        db.session.add(Member(number="CNT-RB", name="回滚", member_type="formal", branch=branch))
        db.session.flush()
        db.session.rollback()
        assert _branch(db.session, "gb01-b01").formal_count == before
        assert_exact(db.session)
        db.session.remove()


def test_the_forms_the_roster_move_and_rest_keep_the_counts(login_as, api_as, db_session):
    one, two = _branch(db_session, "gb01-b01"), _branch(db_session, "gb01-b02")
    user = login_as("gb01")
    assert user.post_form("/memberview/add", {
        "number": "CNT-W1", "name": "网页甲", "gender": "F", "member_type": "formal", "branch": one.id,
    }).status_code == 302
    added = db_session.scalar(select(Member).where(Member.number == "CNT-W1"))
    assert_exact(db_session)
    assert user.post_form(f"/memberview/edit/{added.id}", {
        "number": added.number, "name": added.name, "gender": "F", "member_type": "probationary",
        "branch": two.id}).status_code == 302
    assert_exact(db_session)
    assert _fresh(db_session, "gb01-b02").probationary_count == _counted(db_session, two.id)[1]

    # the roster move (bulk edit: 移至党支部) and a bulk type change
    ids = db_session.scalars(select(Member.id).where(Member.branch_id == one.id).order_by(Member.id).limit(3)).all()
    moved = user.client.post("/memberview/bulk_edit", data={
        "csrf_token": user.token(), "rowid": [str(i) for i in ids], "branch": str(two.id), "step": "apply"})
    assert moved.status_code == 302
    db_session.rollback()
    assert set(db_session.scalars(select(Member.branch_id).where(Member.id.in_(ids)))) == {two.id}
    assert_exact(db_session)
    typed = user.client.post("/memberview/bulk_edit", data={
        "csrf_token": user.token(), "rowid": [str(i) for i in ids], "member_type": "probationary", "step": "apply"})
    assert typed.status_code == 302
    db_session.rollback()
    assert_exact(db_session)

    # REST: create, move, delete
    api = api_as("gb01")
    created = api.post("/api/v1/member/", json={"number": "CNT-R1", "name": "接口甲", "member_type": "formal",
                                                "branch": one.id})
    assert created.status_code == 201, created.json
    db_session.rollback()
    assert_exact(db_session)
    assert api.put(f"/api/v1/member/{created.json['id']}", json={"branch": two.id}).status_code == 200
    db_session.rollback()
    assert_exact(db_session)
    assert api.delete(f"/api/v1/member/{created.json['id']}").status_code == 200
    db_session.rollback()
    assert_exact(db_session)
    db_session.expire_all()
    assert (_branch(db_session, "gb01-b01").formal_count, _branch(db_session, "gb01-b01").probationary_count) == \
        _counted(db_session, one.id)


def test_the_xlsx_import_keeps_the_counts(login_as, db_session):
    """New members, and an existing member moved to another branch with a new type, in one file."""
    user = login_as("gb01")
    own = org_names(db_session, "gb01-b02")
    other = org_names(db_session, "gb01-b03")
    existing = db_session.scalar(select(Member).join(Branch).where(Branch.code == "gb01-b02",
                                                                   Member.member_type == "formal")
                                 .order_by(Member.id))
    rows = [member("CNT-X1", "导入甲", *own), member("CNT-X2", "导入乙", *own, member_type="预备党员"),
            member(existing.number, existing.name, *other, member_type="预备党员",
                   joined=existing.joined_on.isoformat() if existing.joined_on else "2012-04-18",
                   gender={"M": "男", "F": "女"}.get(existing.gender, "男"), unit=existing.unit or "测试班")]
    before = {code: _counted(db_session, _branch(db_session, code).id) for code in ("gb01-b02", "gb01-b03")}
    response = upload(user, xlsx(rows))
    pk = record_id(response)
    summary = summary_of(user.get(f"/imports/result/{pk}").text)
    assert summary["new"] == 2 and summary["updated"] == 1 and summary["errors"] == 0, summary
    assert confirm(user, pk).status_code == 302
    db_session.rollback()
    assert_exact(db_session)
    b02, b03 = _fresh(db_session, "gb01-b02"), _branch(db_session, "gb01-b03")
    assert (b02.formal_count, b02.probationary_count) == (before["gb01-b02"][0], before["gb01-b02"][1] + 1)
    assert (b03.formal_count, b03.probationary_count) == (before["gb01-b03"][0], before["gb01-b03"][1] + 1)


def test_synth_bulk_inserts_keep_the_counts(app, db_session):
    """`zhibu synth` streams members in with executemany (SQLite) or COPY (PostgreSQL)."""
    result = app.test_cli_runner().invoke(args=[
        "zhibu", "synth", "--committees", "1", "--general-branches", "2", "--branches", "6", "--members", "90",
        "--meetings", "2", "--training", "2", "--password", "synth-pass-1"])
    assert result.exit_code == 0, result.output
    assert_exact(db_session)
    assert db_session.scalar(text("SELECT COUNT(*) FROM zb_member")) > 90


def _list_rows(page) -> dict:
    """code -> (formal, probationary) as the branch list shows them (columns: code, name, general
    branch, category, joint, formal, probationary, ...)."""
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        codes = [i for i, c in enumerate(cells) if re.fullmatch(r"gb\d\d-b\d\d", c)]
        if codes:
            i = codes[0]
            found[cells[i]] = (int(cells[i + 5]), int(cells[i + 6]))
    return found


def test_the_branch_list_shows_the_counts_after_a_change(login_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    user = login_as("gb01")
    for i in range(3):
        assert user.post_form("/memberview/add", {
            "number": f"CNT-L{i}", "name": f"列表{i}", "member_type": "probationary", "branch": branch.id,
        }).status_code == 302
    shown = _list_rows(user.get("/branchview/list/").text)
    assert "gb01-b01" in shown and len(shown) > 1
    for code, counts in shown.items():
        assert counts == _counted(db_session, _branch(db_session, code).id), code
    # sorted by a count: from the stored column, largest first
    ordered = _list_rows(user.get("/branchview/list/?_oc_BranchView=probationary_count&_od_BranchView=desc").text)
    values = [p for _f, p in ordered.values()]
    assert len(values) > 1 and values == sorted(values, reverse=True)
    assert all(counts == shown[code] for code, counts in ordered.items() if code in shown)
    page = user.get(f"/branchview/show/{branch.id}").text
    formal, probationary = _counted(db_session, branch.id)
    assert re.search(rf">\s*{formal}\s*<", page) and re.search(rf">\s*{probationary}\s*<", page)


def test_rest_shows_the_counts(api_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    got = api_as("gb01").get(f"/api/v1/branch/{branch.id}")
    assert got.status_code == 200
    formal, probationary = _counted(db_session, branch.id)
    assert (got.json["result"]["formal_count"], got.json["result"]["probationary_count"]) == (formal, probationary)


# -- no one writes them --------------------------------------------------------------------

@pytest.mark.parametrize("how", ["orm", "new row", "bulk update", "bulk insert"])
def test_no_path_writes_a_count_not_even_the_system(app, how):
    from app.extensions import db
    from app.security.guard import RuleViolation
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        branch = _branch(db.session, "gb01-b01")
        with pytest.raises(RuleViolation, match="自动统计"):
            if how == "orm":
                branch.formal_count = 999
                db.session.flush()
            elif how == "new row":
                db.session.add(Branch(code="cnt-x", name="计数支部", general_branch_id=branch.general_branch_id,
                                      category="teacher", formal_count=5))
                db.session.flush()
            elif how == "bulk update":
                db.session.execute(update(Branch).where(Branch.id == branch.id).values(probationary_count=7))
            else:
                db.session.execute(insert(Branch), [{"code": "cnt-y", "name": "计数支部乙", "name_key": "",
                                                     "general_branch_id": branch.general_branch_id,
                                                     "category": "teacher", "formal_count": 3}])
        db.session.rollback()
        assert_exact(db.session)
        db.session.remove()


def test_rest_and_forms_cannot_write_a_count(login_as, api_as, db_session):
    branch = _branch(db_session, "gb01-b01")
    formal = branch.formal_count
    api = api_as("committee")
    response = api.put(f"/api/v1/branch/{branch.id}", json={"formal_count": 999})
    assert response.status_code == 422 and "formal_count" in response.json["message"], response.json
    response = api.put(f"/api/v1/branch/{branch.id}", json={"note": "改备注", "probationary_count": 999})
    assert response.status_code == 422 and "probationary_count" in response.json["message"], response.json
    created = api.post("/api/v1/branch/", json={"code": "cnt-z", "name": "计数支部丙", "category": "teacher",
                                                "general_branch": branch.general_branch_id, "formal_count": 9})
    assert created.status_code == 422 and "formal_count" in created.json["message"], created.json
    db_session.rollback()
    assert db_session.scalar(select(Branch.id).where(Branch.code == "cnt-z")) is None
    assert _fresh(db_session, "gb01-b01").note != "改备注"
    # the edit form has no such field: a posted one is ignored
    user = login_as("committee")
    assert user.post_form(f"/branchview/edit/{branch.id}", {
        "code": branch.code, "name": branch.name, "general_branch": branch.general_branch_id,
        "category": branch.category, "term_years": str(branch.term_years), "note": "表单备注",
        "formal_count": "999"}).status_code == 302
    fresh = _fresh(db_session, "gb01-b01")
    assert fresh.note == "表单备注" and fresh.formal_count == formal
    assert_exact(db_session)
    # and the audit trail of the edit names the note, not a count
    from app.models import AuditLog

    change = db_session.scalars(select(AuditLog.changes).where(AuditLog.table_name == "zb_branch",
                                                               AuditLog.record_id == branch.id)
                                .order_by(AuditLog.id.desc())).first()
    assert "note" in change and "formal_count" not in change


# -- the migration -------------------------------------------------------------------------

def test_downgrade_removes_the_triggers_and_upgrade_backfills(db_factory):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db
    from app.security.scope import system_actor
    from tests.conftest import make_app

    url = db_factory.fresh_url()
    app = make_app(url)
    try:
        with app.app_context():
            sqlite = db.engine.dialect.name == "sqlite"
            triggers = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if sqlite else
                        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            db.session.remove()
            downgrade(revision="7a684628fa41")
            assert not TRIGGERS & set(db.session.scalars(text(triggers)).all())
            columns = db.session.execute(text("SELECT * FROM zb_branch")).keys()
            assert "formal_count" not in columns and "probationary_count" not in columns
            if not sqlite:
                assert db.session.scalar(text("SELECT COUNT(*) FROM pg_proc WHERE proname = 'zb_member_counts'")) == 0
            # the roster changes while the counts are gone
            with system_actor("test migration"):
                db.session.execute(text("UPDATE zb_member SET member_type = 'probationary' WHERE id IN "
                                        "(SELECT MIN(id) FROM zb_member GROUP BY branch_id)"))
                db.session.commit()
            db.session.remove()
            upgrade()
            assert TRIGGERS <= set(db.session.scalars(text(triggers)).all())
            assert_exact(db.session)
            db.session.remove()
            db.engine.dispose()
    finally:
        db_factory.dispose(url)


def test_no_form_rest_api_or_bulk_edit_offers_a_maintained_field(app):
    """The table of maintained fields names the columns the models mark, and no view offers one."""
    from sqlalchemy import Column

    from app.extensions import db
    from app.security.rules import MAINTAINED
    from app.views.base import ScopedModelRestApi, ScopedModelView

    marked = {}
    for mapper in db.Model.registry.mappers:
        keys = {a.key for a in mapper.column_attrs
                if isinstance(a.columns[0], Column) and a.columns[0].info.get("maintained")}
        if keys:
            marked[mapper.class_] = frozenset(keys)
    assert marked == MAINTAINED
    offered = []
    for view in app.appbuilder.baseviews:
        if not isinstance(view, (ScopedModelView, ScopedModelRestApi)):
            continue
        fields = MAINTAINED.get(view.datamodel.obj, frozenset())
        written = set(view.add_columns or ()) | set(view.edit_columns or ()) | \
            {f.name for f in getattr(view, "bulk_fields", ()) or ()}
        if fields & written:
            offered.append((type(view).__name__, sorted(fields & written)))
    assert offered == []
    assert MAINTAINED[Branch] == {"formal_count", "probationary_count"}
