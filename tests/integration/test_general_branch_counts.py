"""A general branch's branches, members and secretary records are stored columns kept by database
triggers (migration 8a3d5c7e9b10): whoever adds, moves or deletes a branch, a member or a
secretary record — the ORM, a bulk statement, SQL text, the forms — every general branch's
counts equal the grouped count of its rows; no one writes them; the committee's and the general
branch's homes show them."""
import re
from datetime import date

import pytest
from sqlalchemy import delete, insert, select, text, update

from app.models import Branch, GeneralBranch, Member, Secretary
from tests.support.counts import trigger_names

TRIGGERS = {"zb_gb_counts_branch_insert", "zb_gb_counts_branch_delete", "zb_gb_counts_branch_update",
            "zb_gb_counts_secretary_insert", "zb_gb_counts_secretary_delete", "zb_gb_counts_secretary_update"}
RECOUNT = text("""
    SELECT g.id,
           (SELECT COUNT(*) FROM zb_branch b WHERE b.general_branch_id = g.id),
           (SELECT COUNT(*) FROM zb_member m JOIN zb_branch b ON b.id = m.branch_id
             WHERE b.general_branch_id = g.id AND m.member_type = 'formal'),
           (SELECT COUNT(*) FROM zb_member m JOIN zb_branch b ON b.id = m.branch_id
             WHERE b.general_branch_id = g.id AND m.member_type = 'probationary'),
           (SELECT COUNT(*) FROM zb_secretary s JOIN zb_branch b ON b.id = s.branch_id
             WHERE b.general_branch_id = g.id)
      FROM zb_general_branch g""")
KEPT = text("SELECT id, branch_count, formal_count, probationary_count, secretary_count FROM zb_general_branch")


def assert_exact(session):
    counted = {r[0]: tuple(int(v) for v in r[1:]) for r in session.execute(RECOUNT)}
    assert {r[0]: tuple(r[1:]) for r in session.execute(KEPT)} == counted
    assert sum(c[0] for c in counted.values()) > 0 and sum(c[3] for c in counted.values()) > 0


def _gb(session, code):
    return session.scalar(select(GeneralBranch).where(GeneralBranch.code == code))


def _branch(session, code):
    return session.scalar(select(Branch).where(Branch.code == code))


def _kept(session, code):
    return session.execute(select(GeneralBranch.branch_count, GeneralBranch.formal_count,
                                  GeneralBranch.probationary_count, GeneralBranch.secretary_count)
                           .where(GeneralBranch.code == code)).one()


def test_the_triggers_exist_and_the_demo_is_counted(app):
    from app.extensions import db

    with app.app_context():
        assert TRIGGERS <= trigger_names(db.session)
        assert_exact(db.session)
        db.session.remove()


def test_orm_writes_bulk_statements_and_sql_text_keep_the_counts(app):
    from app.extensions import db
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        session = db.session
        one, two = _gb(session, "gb01"), _gb(session, "gb02")
        before_one, before_two = _kept(session, "gb01"), _kept(session, "gb02")
        source = _branch(session, "gb01-b01")

        # a member added (the branch's count moves, and with it its general branch's), retyped, moved away
        added = Member(number="GBC-0001", name="总支计数", member_type="formal", branch=source)
        session.add(added)
        session.flush()
        assert _kept(session, "gb01")[1] == before_one[1] + 1
        added.member_type = "probationary"
        session.flush()
        assert _kept(session, "gb01")[1:3] == (before_one[1], before_one[2] + 1)
        added.branch = _branch(session, "gb02-b01")
        session.flush()
        assert _kept(session, "gb01") == before_one and _kept(session, "gb02")[2] == before_two[2] + 1
        assert_exact(session)

        # a new branch, a secretary record in it, the branch moved to the other general branch
        branch = Branch(code="gbc-new", name="计数新支部", general_branch=one, category="teacher")
        session.add(branch)
        session.flush()
        assert _kept(session, "gb01")[0] == before_one[0] + 1
        secretary = Secretary(member=added, branch=branch, appointed_on=date(2020, 1, 1))
        session.add(secretary)
        session.flush()
        assert _kept(session, "gb01")[3] == before_one[3] + 1
        branch.general_branch = two
        session.flush()
        assert _kept(session, "gb01") == before_one
        assert _kept(session, "gb02")[0] == before_two[0] + 1 and _kept(session, "gb02")[3] == before_two[3] + 1
        assert_exact(session)
        secretary.branch = source                                           # the record moves
        session.flush()
        assert _kept(session, "gb01")[3] == before_one[3] + 1
        session.delete(secretary)
        session.flush()
        session.delete(branch)                                              # an empty branch deleted
        session.flush()
        assert _kept(session, "gb01") == before_one
        assert_exact(session)

        # bulk statements and SQL text
        committee = session.scalar(select(Member.committee_id).where(Member.branch_id == source.id).limit(1))
        session.execute(insert(Member), [
            {"number": f"GBC-1{i}", "name": f"批量{i}", "name_key": "", "member_type": "formal",
             "branch_id": source.id, "committee_id": committee} for i in range(3)])
        assert _kept(session, "gb01")[1] == before_one[1] + 3
        session.execute(update(Member).where(Member.number.like("GBC-1%")).values(branch_id=_branch(session, "gb02-b02").id))
        assert_exact(session)
        session.execute(update(Branch).where(Branch.code == "gb01-b02").values(general_branch_id=two.id))
        assert _kept(session, "gb01")[0] == before_one[0] - 1
        assert_exact(session)
        session.execute(text("UPDATE zb_secretary SET branch_id = :b WHERE id = (SELECT MIN(id) FROM zb_secretary)"),
                        {"b": source.id})
        session.execute(delete(Member).where(Member.number.like("GBC-%")))
        assert_exact(session)
        session.rollback()
        assert _kept(session, "gb01") == before_one and _kept(session, "gb02") == before_two
        assert_exact(session)
        db.session.remove()


@pytest.mark.parametrize("how", ["orm", "bulk update"])
def test_no_path_writes_a_count_not_even_the_system(app, how):
    from app.extensions import db
    from app.security.guard import RuleViolation
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        gb = _gb(db.session, "gb01")
        with pytest.raises(RuleViolation, match="自动统计"):
            if how == "orm":
                gb.branch_count = 999
                db.session.flush()
            else:
                db.session.execute(update(GeneralBranch).where(GeneralBranch.id == gb.id).values(secretary_count=7))
        db.session.rollback()
        assert_exact(db.session)
        db.session.remove()


def _scope_table(page) -> dict:
    """The home's "your scope" table: label -> the first number in its cell."""
    return {label: int(re.search(r"\d+", cell).group(0)) for label, cell in
            re.findall(r"<tr><th>([^<]+)</th><td>([^<]+)</td></tr>", page)}


@pytest.mark.parametrize("username", ["committee", "gb01", "gb01-b01"])
def test_the_homes_show_the_counts_of_what_each_may_read(login_as, db_session, username):
    """A committee and a general branch sum their general branches' kept counts; a branch counts
    its own branch: each equals a count of the rows the actor reads."""
    user = login_as(username)
    page = user.get("/").text
    shown = _scope_table(page)
    branches = select(Branch.id)
    if username == "gb01":
        branches = branches.join(GeneralBranch).where(GeneralBranch.code == "gb01")
    elif username == "gb01-b01":
        branches = branches.where(Branch.code == "gb01-b01")
    ids = db_session.scalars(branches).all()
    members = db_session.scalar(select(text("COUNT(*)")).select_from(Member).where(Member.branch_id.in_(ids)))
    secretaries = db_session.scalar(select(text("COUNT(*)")).select_from(Secretary).where(Secretary.branch_id.in_(ids)))
    assert (shown["党支部"], shown["党员"], shown["支部书记任职记录"]) == (len(ids), members, secretaries)


def test_synth_bulk_inserts_keep_the_counts_and_the_tallies(app, db_session):
    """`zhibu synth` streams branches, members, secretaries and a round's assessments in with
    executemany (SQLite) or COPY (PostgreSQL): the statement triggers count them all."""
    from tests.integration.test_round_tally import assert_exact as assert_tallies_exact

    result = app.test_cli_runner().invoke(args=[
        "zhibu", "synth", "--committees", "1", "--general-branches", "3", "--branches", "9", "--members", "120",
        "--meetings", "1", "--training", "1", "--password", "synth-pass-1"])
    assert result.exit_code == 0, result.output
    assert_exact(db_session)
    assert_tallies_exact(db_session)
    assert db_session.scalar(text("SELECT COUNT(*) FROM zb_round_tally")) > 0
