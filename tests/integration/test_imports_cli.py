"""`flask zhibu import members|branches FILE [--dry-run] --as USERNAME`, as an operator runs it."""
from sqlalchemy import select

from app.models import ImportRecord, Member
from tests.support.rosters import BRANCH_HEADERS, branch_row, member, org_names, snapshot, xlsx


def _run(app, tmp_path, data, *args, name="名册.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    kind, *rest = args
    return app.test_cli_runner().invoke(args=["zhibu", "import", kind, str(path), *rest])


def test_dry_run_prints_the_summary_and_changes_nothing(app, tmp_path, db_session):
    own = org_names(db_session, "gb01-b02")
    before = snapshot(db_session)
    result = _run(app, tmp_path, xlsx([member("Z0001", "张三", *own)]), "members", "--dry-run", "--as", "gb01")
    assert result.exit_code == 0, result.output
    assert "新增 1  更新 0  未变 0  错误 0" in result.output and "预检完成" in result.output
    assert snapshot(db_session) == before
    assert db_session.scalar(select(ImportRecord.status).order_by(ImportRecord.id.desc())) == "dry_run"


def test_import_applies_with_the_users_scope(app, tmp_path, db_session):
    own = org_names(db_session, "gb01-b02")
    foreign = org_names(db_session, "gb02-b01")
    before = snapshot(db_session)
    result = _run(app, tmp_path, xlsx([member("Z0001", "张三", *own), member("Z0002", "李四", *foreign)]),
                  "members", "--as", "gb01")
    assert result.exit_code == 1
    assert "错误 1" in result.output and "第 3 行：在您可管理的党支部中找不到" in result.output
    assert "未导入任何数据" in result.output
    assert snapshot(db_session) == before
    result = _run(app, tmp_path, xlsx([member("Z0001", "张三", *own)]), "members", "--as", "gb01")
    assert result.exit_code == 0, result.output
    assert "已导入" in result.output
    db_session.rollback()
    assert db_session.scalar(select(Member.name).where(Member.number == "Z0001")) == "张三"


def test_english_messages_and_branch_roster(app, tmp_path, db_session):
    gb, _b = org_names(db_session, "gb01-b02")
    data = xlsx([branch_row("不存在的党总支", "某支部")], headers=BRANCH_HEADERS, sheet="支部名册")
    result = _run(app, tmp_path, data, "branches", "--as", "committee", "--lang", "en")
    assert result.exit_code == 1
    assert 'Row 2: "不存在的党总支" is not among the general branches you manage' in result.output
    assert "Nothing was imported." in result.output


def test_refusals(app, tmp_path, db_session):
    own = org_names(db_session, "gb01-b01")
    data = xlsx([branch_row(*own)], headers=BRANCH_HEADERS, sheet="支部名册")
    result = _run(app, tmp_path, data, "branches", "--as", "gb01-b01")
    assert result.exit_code != 0 and "没有导入此名册的权限" in result.output
    result = _run(app, tmp_path, data, "members", "--as", "nobody")
    assert result.exit_code != 0 and "no active user nobody" in result.output
    result = _run(app, tmp_path, b"not a workbook", "members", "--as", "gb01")
    assert result.exit_code != 0 and "不是 Excel 工作簿" in result.output


def test_appraisal_results_import_from_the_cli(app, tmp_path, db_session):
    from datetime import date

    from app.imports import APPRAISAL_SPEC
    from app.models import Branch, MemberAppraisal

    number, = db_session.execute(select(Member.number).join(Branch).where(Branch.code == "gb01-b01")
                                 .order_by(Member.number).limit(1)).one()
    headers = [c.header_zh for c in APPRAISAL_SPEC.columns]
    data = xlsx([[number, None, date.today().year - 1, "合格", None]], headers=headers, sheet="民主评议结果")
    result = _run(app, tmp_path, data, "appraisals", "--as", "gb01-b01")
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.output
    db_session.rollback()
    assert db_session.scalar(select(MemberAppraisal.result)) == "qualified"
