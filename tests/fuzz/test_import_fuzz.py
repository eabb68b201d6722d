"""The roster import through the app, fed generated rosters: all rows or none, never a crash.

Each generated file (valid rows of the importer's own branch with cells replaced by
anything a user could type, or a damaged file) goes through `flask zhibu import members` as
the branch's secretary. A file with any error exits 1 and leaves the roster exactly as it
was; a file that cannot be read also leaves no import record. The CLI shares the service
(app/services/imports.py) with the web upload.
"""
import io
from datetime import date

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import create_engine, text

from app.imports import MEMBER_SPEC

HEADER = MEMBER_SPEC.headers()
garbage = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["=1/0", "男", "女", "预备党员", "正式党员", "是", "否", "2099-01-01", "1899-12-31", "x" * 100]),
    st.dates(date(1800, 1, 1), date(2200, 1, 1)),
)


def _roster(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "党员名册"
    ws.append(HEADER)
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _snapshot(engine):
    with engine.connect() as conn:
        members = sorted(repr(tuple(r)) for r in conn.execute(text("SELECT * FROM zb_member")))
        imports = conn.execute(text("SELECT count(*) FROM zb_import")).scalar()
    return members, imports


def test_a_generated_roster_is_imported_whole_or_not_at_all(app, tmp_path):
    from app.extensions import db
    from app.models import Branch, UserOrg

    with app.app_context():
        user = app.appbuilder.sm.find_user(username="gb01-b01")
        branch = db.session.get(Branch, db.session.query(UserOrg).filter_by(user_id=user.id).one().branch_id)
        own = (branch.general_branch.name, branch.name)
        db.session.remove()
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    runner = app.test_cli_runner()
    serial = iter(range(10**6))
    seen = {"applied": 0, "refused": 0}

    def valid_row():
        n = next(serial)
        return [f"F{n:08d}", f"测试党员{n}", "男", "正式党员", date(2015, 7, 1), "中文系", "否", *own]

    @settings(max_examples=8, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(st.lists(st.tuples(st.integers(0, len(HEADER) - 1), garbage), max_size=3), min_size=1, max_size=4),
           st.one_of(st.none(), st.integers(50, 4000)))
    def run(damage, cut):
        rows = [valid_row() for _ in damage]
        for row, changes in zip(rows, damage):
            for column, value in changes:
                row[column] = value
        data = _roster(rows)
        if cut is not None:
            data = data[:cut]
        path = tmp_path / "roster.xlsx"
        path.write_bytes(data)
        before = _snapshot(engine)
        result = runner.invoke(args=["zhibu", "import", "members", str(path), "--as", "gb01-b01", "--lang", "en"])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        after = _snapshot(engine)
        if result.exit_code == 0:
            seen["applied"] += 1
            assert "Imported." in result.output
            assert len(after[0]) == len(before[0]) + len(rows)
            return
        seen["refused"] += 1
        assert after[0] == before[0], "a refused import changed the roster"
        if result.output.startswith("Error:"):  # the file could not be read: nothing recorded
            assert after[1] == before[1]

    run()
    engine.dispose()
    assert seen["refused"] > 0  # the generator reaches the refusals, not only good files
