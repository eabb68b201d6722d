"""`zhibu synth`: the city-scale generator, run small as an operator would."""
import hashlib

from sqlalchemy import func, select

from app.extensions import db

from app.models import (
    Assessment, AssessmentRound, Branch, Committee, GeneralBranch, Meeting, Member, ScoreSheet, Secretary,
    TrainingAttendance, TrainingEvent,
)
from tests.conftest import fresh_app

SMALL = ["--committees", "3", "--general-branches", "6", "--branches", "40", "--members", "900",
         "--meetings", "2", "--training", "2", "--seed", "5", "--password", "synth-pass-1"]
TABLES = (Committee, GeneralBranch, Branch, Member, Secretary, AssessmentRound, Assessment, ScoreSheet,
          Meeting, TrainingEvent, TrainingAttendance)


def _synth(app, *extra):
    result = app.test_cli_runner().invoke(args=["zhibu", "synth", *SMALL, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _digest(app) -> str:
    """A hash of every row of the generated tables, in id order."""
    from app.extensions import db

    digest = hashlib.sha256()
    with app.app_context():
        for model in TABLES:
            table = model.__table__
            for row in db.session.execute(select(table).order_by(table.c.id)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _count(model, *where):
    from app.extensions import db

    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_synth_writes_the_asked_counts_and_the_same_rows_for_the_same_seed(db_factory):
    first, second = fresh_app(db_factory), fresh_app(db_factory)
    app_a, app_b = next(first), next(second)
    try:
        with app_a.app_context():
            before = {m: _count(m) for m in TABLES}
        output = _synth(app_a)
        assert "members=900" in output and "synth-pass-1" in output
        _synth(app_b)
        assert _digest(app_a) == _digest(app_b)
        with app_a.app_context():
            added = {m: _count(m) - before[m] for m in TABLES}
            assert added[Committee] == 3 and added[GeneralBranch] == 6 and added[Branch] == 40
            assert added[Member] == 900 and added[Secretary] == 40 and added[AssessmentRound] == 3
            assert added[Assessment] == 40 and added[ScoreSheet] == 160
            assert added[Meeting] == 80 and added[TrainingEvent] == 80
            assert 80 <= added[TrainingAttendance] <= 240  # the secretary and up to two members each
            # the pinyin sort key is filled as the ORM would fill it
            from app.data.collation import sort_key
            member = db.session.scalars(select(Member).order_by(Member.id.desc()).limit(1)).one()
            assert member.name_key == sort_key(member.name) != ""
            # and so is the number's match key (the import's lookup), on every generated member
            from app.imports.values import match_key
            numbers = db.session.execute(select(Member.number, Member.number_key)).all()
            assert [k for n, k in numbers] == [match_key(n) for n, k in numbers] and numbers
            # every generated assessment is graded by the service's recompute
            newest = select(func.max(AssessmentRound.id)).scalar_subquery()
            assert _count(Assessment, Assessment.round_id == newest, Assessment.computed_grade.is_(None)) == 0
            # a member's committee is its branch's (the denormalised column the scope uses)
            wrong = (select(func.count()).select_from(Member).join(Branch).join(GeneralBranch)
                     .where(Member.committee_id != GeneralBranch.committee_id))
            assert db.session.scalar(wrong) == 0
    finally:
        for gen in (first, second):
            next(gen, None)


def test_one_committee_puts_everything_under_the_first_and_its_account_sees_it(app, login_as):
    from app.extensions import db

    with app.app_context():
        last_gb = db.session.scalar(select(func.max(GeneralBranch.id)))
    _synth(app, "--one-committee")
    with app.app_context():
        owners = db.session.scalars(select(GeneralBranch.committee_id).distinct()
                                    .where(GeneralBranch.id > last_gb)).all()
        assert len(owners) == 1 and _count(Member, Member.committee_id == owners[0]) == 900
    page = login_as("synth-committee", "synth-pass-1").get("/memberview/list/")
    assert page.status_code == 200
    assert "900" in page.get_data(as_text=True)  # the record count of the list
