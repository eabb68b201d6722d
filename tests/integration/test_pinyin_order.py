"""Lists, REST, the scoring matrix and 附件2 order names by code, then pinyin: branches without
a code come out 第一、第二、第三、第四、第五, not in code-point order."""
import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from app.models import AssessmentRound, Branch, GeneralBranch
from app.services.demo_assessment import INITIAL
from tests.integration.test_forms_export import _table

RETIRED = ["离退休第一党支部", "离退休第二党支部", "离退休第三党支部", "离退休第四党支部", "离退休第五党支部"]
SHUFFLED = [RETIRED[i] for i in (2, 0, 4, 1, 3)]


def _rename_gb01_branches(session):
    gb01 = session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    branches = session.scalars(select(Branch).where(Branch.general_branch_id == gb01.id).order_by(Branch.id)).all()
    for branch, name in zip(branches, SHUFFLED):
        branch.name, branch.code = name, ""  # an ORM update: the sort key follows the name
    session.commit()
    return gb01


def _positions(text):
    return [text.index(name) for name in RETIRED]


def test_branch_list_and_scoring_matrix_sort_by_pinyin(login_as, db_session):
    _rename_gb01_branches(db_session)
    gb = login_as("gb01")
    page = gb.get("/branchview/list/?_oc_BranchView=name&_od_BranchView=asc&_psize_BranchView=100").text
    assert _positions(page) == sorted(_positions(page))
    page = gb.get("/branchview/list/?_psize_BranchView=100").text  # default order: code (all empty), then pinyin
    assert _positions(page) == sorted(_positions(page))
    matrix = gb.get("/scoring/", follow_redirects=True).text
    assert _positions(matrix) == sorted(_positions(matrix))


def test_rest_list_sorted_by_name_uses_pinyin(api_as, db_session):
    _rename_gb01_branches(db_session)
    q = json.dumps({"order_column": "name", "order_direction": "desc", "columns": ["name"], "page_size": 100})
    names = [row["name"] for row in api_as("gb01").get(f"/api/v1/branch/?q={q}").json["result"]]
    assert [n for n in names if n in RETIRED] == list(reversed(RETIRED))


def test_annex2_lists_branches_by_pinyin(login_as, db_session):
    _rename_gb01_branches(db_session)
    round_ = db_session.scalar(select(AssessmentRound).where(AssessmentRound.name == INITIAL))
    response = login_as("gb01").get(f"/forms/annex2.xlsx?round={round_.id}")
    rows = _table(load_workbook(io.BytesIO(response.data)).active, ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])
    assert [r[2] for r in rows if r[2] in RETIRED] == RETIRED
