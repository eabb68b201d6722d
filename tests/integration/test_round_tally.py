"""A round's assessments counted per general branch (zb_round_tally) are kept by database
triggers (migration 2f6c8e41d7a3): whoever writes an assessment or moves a branch — a sheet
through the form, the committee's override and confirmation, the ORM, a bulk statement, SQL text,
two transactions at once — every tally row equals the grouped count of the assessments, and
the committee's home shows it."""
import re
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.orm import Session

from app.models import Assessment, AssessmentRound, Branch, GeneralBranch, RoundTally, ScoreSheet
from app.services.demo_assessment import REASSESSMENT
from tests.support.counts import trigger_names

TRIGGERS = {"zb_round_tally_insert", "zb_round_tally_delete", "zb_round_tally_update", "zb_round_tally_branch"}
_FINAL = "COALESCE(a.override_grade, a.computed_grade)"
_FLAGS = ["a.self_score IS NOT NULL", "a.superior_score IS NOT NULL", "a.confirmed_at IS NOT NULL",
          f"{_FINAL} = 'A'", f"{_FINAL} = 'B'", f"{_FINAL} = 'C'", f"{_FINAL} = 'D'", f"{_FINAL} IS NULL",
          "b.category = 'undergraduate'", f"b.category = 'undergraduate' AND {_FINAL} IN ('A', 'B')"]
RECOUNT = text("SELECT a.round_id, b.general_branch_id, COUNT(*), "
               + ", ".join(f"SUM(CASE WHEN {flag} THEN 1 ELSE 0 END)" for flag in _FLAGS)
               + " FROM zb_assessment a JOIN zb_branch b ON b.id = a.branch_id GROUP BY a.round_id, b.general_branch_id")
COLUMNS = ("branches", "with_self", "with_superior", "confirmed", "grade_a", "grade_b", "grade_c", "grade_d",
           "grade_none", "undergraduate", "undergraduate_good")
KEPT = text(f"SELECT round_id, general_branch_id, {', '.join(COLUMNS)} FROM zb_round_tally")


def assert_exact(session):
    """Every (round, general branch) with assessments has its tally row, equal to the recount; a
    row without assessments (all moved or deleted) is all zeros."""
    counted = {(r[0], r[1]): tuple(int(v) for v in r[2:]) for r in session.execute(RECOUNT)}
    kept = {(r[0], r[1]): tuple(r[2:]) for r in session.execute(KEPT)}
    assert counted, "no assessments to count"
    assert {k: v for k, v in kept.items() if v[0] != 0} == counted
    assert all(v == (0,) * len(COLUMNS) for k, v in kept.items() if k not in counted)


def _kept(session, round_id, gb_id):
    return session.execute(select(RoundTally).where(RoundTally.round_id == round_id,
                                                    RoundTally.general_branch_id == gb_id)).scalar_one()


def _round(session, name=REASSESSMENT):
    return session.scalar(select(AssessmentRound).where(AssessmentRound.name == name))


def _assessment(session, code, round_name=REASSESSMENT):
    return session.scalar(select(Assessment).join(Branch).where(Branch.code == code,
                                                                Assessment.round_id == _round(session, round_name).id))


def test_the_triggers_exist_and_the_demo_is_counted(app):
    from app.extensions import db

    with app.app_context():
        assert TRIGGERS <= trigger_names(db.session)
        assert_exact(db.session)   # the demo data, written after the migration through the ORM
        db.session.remove()


def test_the_tally_is_read_by_the_roles_that_read_whole_general_branches():
    """A row sums all branches of its general branch: only a role that reads every one of them
    reads it (the committee, the general branch), and no role writes it."""
    from app.security import rules

    assert set(rules.RULES[RoundTally]) == rules.WHOLE_GENERAL_BRANCHES
    assert all(rule.read is not None and rule.create is None and rule.write is None and rule.delete is None
               for rule in rules.RULES[RoundTally].values())


def test_orm_writes_bulk_statements_and_sql_text_keep_the_tally(app):
    from app.extensions import db
    from app.security.scope import system_actor

    with app.app_context(), system_actor("test"):
        session = db.session
        target = _assessment(session, "gb01-b01")
        round_id, gb_id = target.round_id, target.branch.general_branch_id
        before = _kept(session, round_id, gb_id)
        counts = {c: getattr(before, c) for c in COLUMNS}
        session.expunge(before)

        # the self sheets deleted: the flush takes the self score away, the row counts one fewer
        for sheet in session.scalars(select(ScoreSheet).where(ScoreSheet.assessment_id == target.id,
                                                               ScoreSheet.source == "self")):
            session.delete(sheet)
        session.flush()
        assert target.self_score is None
        assert _kept(session, round_id, gb_id).with_self == counts["with_self"] - 1
        assert_exact(session)

        target.confirmed_at = target.confirmed_at or datetime(2026, 12, 2)
        target.override_grade = "D" if target.computed_grade != "D" else "C"
        session.flush()
        assert_exact(session)

        target.override_reason = "只改理由"                                 # nothing it counts by
        session.flush()
        assert_exact(session)

        # the branch moves to another general branch and changes category: its assessments move
        branch, other = target.branch, session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb02"))
        branch.general_branch = other
        branch.category = "undergraduate" if branch.category != "undergraduate" else "teacher"
        session.flush()
        assert _kept(session, round_id, gb_id).branches == counts["branches"] - 1
        assert_exact(session)

        # bulk statements: an UPDATE of many rows, SQL text, a DELETE and an INSERT of one
        session.execute(update(Assessment).where(Assessment.round_id == round_id)
                        .values(override_grade="B", confirmed_at=None))
        assert_exact(session)
        session.execute(text("UPDATE zb_assessment SET override_grade = NULL, computed_grade = 'A' "
                             "WHERE id = :i"), {"i": target.id})
        assert_exact(session)
        session.execute(delete(ScoreSheet).where(ScoreSheet.assessment_id == target.id))
        session.execute(delete(Assessment).where(Assessment.id == target.id))
        assert_exact(session)
        session.execute(text("INSERT INTO zb_assessment (round_id, branch_id, vetoes, capped, missing_sources, "
                             "version, self_score, computed_grade) VALUES (:r, :b, '', false, '', 1, 80, 'B')"),
                        {"r": round_id, "b": branch.id})
        assert_exact(session)
        session.rollback()
        assert_exact(session)      # the rollback takes the tally's changes back with the rest
        db.session.remove()


def test_the_forms_keep_the_tally_and_the_home_shows_it(login_as, db_session):
    """The general branch enters a superior sheet, the committee overrides and confirms: the
    committee's home shows the tally's counts for that general branch."""
    target = _assessment(db_session, "gb01-b02")
    gb_id = target.branch.general_branch_id
    db_session.execute(delete(ScoreSheet).where(ScoreSheet.assessment_id == target.id, ScoreSheet.source == "superior"))
    db_session.execute(update(Assessment).where(Assessment.id == target.id).values(superior_score=None))
    db_session.commit()
    without = _kept(db_session, target.round_id, gb_id).with_superior
    sheet = {"assessment": target.id, "source": "superior", "rater": "党总支", **{f"s{i}": 17 for i in range(1, 6)}}
    assert login_as("gb01").post_form("/scoresheetview/add", sheet).status_code == 302
    committee = login_as("committee")
    url = f"/scoring/assessment/{target.id}"
    committee.post_form(f"{url}/override", {"grade": "D", "reason": "抽查发现问题"}, token_from=url)
    committee.post_form(f"{url}/confirm", {}, token_from=url)
    db_session.expire_all()
    kept = _kept(db_session, target.round_id, gb_id)
    assert kept.with_superior == without + 1 and kept.grade_d >= 1 and kept.confirmed >= 1
    assert_exact(db_session)
    page = committee.get("/").text
    table = re.search(rf'<table[^>]*id="progress-{target.round_id}".*?</table>', page, re.S).group(0)
    name = db_session.get(GeneralBranch, gb_id).name
    row = re.search(rf"<tr[^>]*>\s*<td[^>]*>(?:<a[^>]*>)?{re.escape(name)}.*?</tr>", table, re.S).group(0)
    assert [int(n) for n in re.findall(r">(\d+)<", row)][:4] == \
        [kept.branches, kept.with_self, kept.with_superior, kept.confirmed]


def test_two_transactions_at_once_both_count(app):
    """Two connections change assessments of one general branch, the second while the first holds
    its change: the second waits for the first's tally row and adds to it (a recount in each
    would let the later one overwrite the earlier one's change)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    engine = create_engine(url)
    with Session(engine) as look:
        ids = look.scalars(select(Assessment.id).join(Branch).where(Branch.code.in_(("gb01-b03", "gb01-b04")),
                                                                    Assessment.round_id == _round(look).id)).all()
    assert len(ids) == 2
    held, errors = threading.Event(), []

    def change(assessment_id, grade, first):
        try:
            with engine.connect() as conn:
                if not first:
                    held.wait(timeout=10)
                conn.execute(text("UPDATE zb_assessment SET override_grade = :g, confirmed_at = NULL "
                                  "WHERE id = :i"), {"g": grade, "i": assessment_id})
                if first:
                    held.set()
                    time.sleep(0.5)           # the second one starts and waits on the tally row
                conn.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(i, g, n == 0)) for n, (i, g) in enumerate(zip(ids, "CD"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    with Session(engine) as look:
        assert dict(look.execute(select(Assessment.id, Assessment.override_grade)
                                 .where(Assessment.id.in_(ids))).all()) == dict(zip(ids, "CD"))
        assert_exact(look)
    engine.dispose()
