"""The hand-in: 附件2 / 附件3 read back with openpyxl, by every route, in every scope."""
import io
import re
import zipfile
from collections import Counter
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.models import Assessment, AssessmentRound, Branch, GeneralBranch, Rectification
from app.services.demo_assessment import INITIAL, REASSESSMENT
from tests.support.jobs import committee_download

GRADE = {"A": "好", "B": "较好", "C": "一般", "D": "较差"}


def _round(session, name):
    return session.scalar(select(AssessmentRound).where(AssessmentRound.name == name))


def _gb(session, code):
    return session.scalar(select(GeneralBranch).where(GeneralBranch.code == code))


def _book(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def _texts(sheet):
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def _table(sheet, heading):
    """Rows under the column heading row until the 合计 row: (序号, *cells)."""
    rows, started = [], False
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == "序号":
            assert list(filter(None, row))[: len(heading)] == heading
            started = True
            continue
        if started:
            if row[0] in ("合计", None) or str(row[0]).startswith("填表说明"):
                break
            rows.append(row)
    return rows


def _filename(response):
    disposition = response.headers["Content-Disposition"]
    return unquote(re.search(r"filename\*=UTF-8''(.+)", disposition).group(1))


def test_gb01_annex2_is_the_form_for_its_branches(login_as, db_session):
    round_ = _round(db_session, INITIAL)
    gb01 = _gb(db_session, "gb01")
    response = login_as("gb01").get(f"/forms/annex2.xlsx?round={round_.id}")
    book = _book(response)
    assert _filename(response) == f"附件2-分类定级汇总表-{gb01.name}-{round_.name}.xlsx"
    sheet = book.active
    texts = _texts(sheet)
    assert "北京高校基层党支部分类定级汇总表" in texts
    info = next(t for t in texts if t.startswith("填报单位"))
    assert gb01.name in info and "填报人" in info and gb01.phone in info
    rows = _table(sheet, ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])
    assert [r[2] for r in rows] == [b.name for b in gb01.branches]  # by code, then pinyin
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1))
    grades = Counter(
        GRADE[o or c] for o, c in db_session.execute(
            select(Assessment.override_grade, Assessment.computed_grade).join(Branch)
            .where(Assessment.round_id == round_.id, Branch.general_branch_id == gb01.id)))
    values = list(sheet.iter_rows(values_only=True))
    total_at = next(i for i, r in enumerate(values) if r[0] == "合计")
    assert list(values[total_at][1:5]) == ["好", "较好", "一般", "较差"]
    assert [int(v) for v in values[total_at + 1][1:5]] == [grades[g] for g in ("好", "较好", "一般", "较差")]
    note = next(t for t in texts if t.startswith("填表说明"))
    assert "4月18日前由各党总支汇总后报送至党委组织部" in note and "zzb@example.edu.cn" in note
    for other in _gb(db_session, "gb02").branches:
        assert other.name not in texts
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.print_title_rows
    assert sheet.cell(row=5, column=1).border.left.style is not None


def test_foreign_or_unknown_general_branch_and_round_are_404(login_as, db_session):
    round_ = _round(db_session, INITIAL)
    user = login_as("gb01")
    gb02 = _gb(db_session, "gb02")
    for url in [f"/forms/annex2.xlsx?round={round_.id}&general_branch={gb02.id}",
                f"/forms/annex3.xlsx?round={round_.id}&general_branch={gb02.id}",
                f"/forms/annex2.xlsx?round={round_.id}&general_branch=999999",
                "/forms/annex2.xlsx?round=999999", "/forms/annex2.xlsx", "/forms/annex2.xlsx?round=x"]:
        assert user.get(url).status_code == 404, url


def test_branch_role_cannot_export(login_as, db_session):
    round_ = _round(db_session, INITIAL)
    assert login_as("gb01-b01").get(f"/forms/annex2.xlsx?round={round_.id}").status_code == 403


def test_committee_exports_all_grouped_or_one_general_branch(login_as, db_session):
    round_ = _round(db_session, INITIAL)
    user = login_as("committee")
    # the whole committee's form is a background job; one general branch's comes at once
    rows = _table(_book(committee_download(user, f"/forms/annex2.xlsx?round={round_.id}")).active,
                  ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])
    assert len(rows) == db_session.query(Branch).count()
    gb_codes = {gb.name: gb.code for gb in db_session.scalars(select(GeneralBranch))}
    order = [gb_codes[r[1]] for r in rows if r[1]]
    assert order == sorted(order)
    gb03 = _gb(db_session, "gb03")
    response = user.get(f"/forms/annex2.xlsx?round={round_.id}&general_branch={gb03.id}")
    rows = _table(_book(response).active, ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])
    assert {r[2] for r in rows} == {b.name for b in gb03.branches}
    assert gb03.name in _filename(response)


def test_formula_looking_names_stay_text(login_as, db_session):
    branch = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    branch.name = "=HYPERLINK(\"http://x\")"
    db_session.commit()
    round_ = _round(db_session, INITIAL)
    book = _book(login_as("gb01").get(f"/forms/annex2.xlsx?round={round_.id}"))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == branch.name]
    assert cells and all(c.data_type == "s" for c in cells)


def test_weak_branches_get_rectification_items_and_annex3(login_as, db_session):
    round_ = _round(db_session, REASSESSMENT)
    gb01 = _gb(db_session, "gb01")
    user = login_as("gb01")
    page = f"/scoring/round/{round_.id}"
    user.post_form(f"/scoring/round/{round_.id}/rectify", {}, token_from=page)
    weak = db_session.scalars(select(Assessment).join(Branch).where(
        Assessment.round_id == round_.id, Branch.general_branch_id == gb01.id,
        Assessment.computed_grade.in_(("C", "D")))).all()
    items = db_session.scalars(select(Rectification).where(Rectification.round_id == round_.id)).all()
    assert {i.branch_id for i in items} == {a.branch_id for a in weak}
    vetoed = [a for a in weak if a.vetoes]
    for a in vetoed:
        item = next(i for i in items if i.branch_id == a.branch_id)
        assert a.vetoes.split(",")[0] in item.problems
    user.post_form(f"/scoring/round/{round_.id}/rectify", {}, token_from=page)  # twice: no duplicates
    assert db_session.query(Rectification).count() == len(items)
    response = user.get(f"/forms/annex3.xlsx?round={round_.id}")
    sheet = _book(response).active
    assert sheet.page_setup.orientation == "landscape"
    rows = _table(sheet, ["序号", "党支部名称", "存在的主要问题", "主要整改措施"])
    assert sorted(r[1] for r in rows) == sorted(i.branch.name for i in items)
    assert "北京高校基层党支部整改汇总表" in _texts(sheet)


def test_multi_select_exports_only_the_selected_rows(login_as, db_session):
    own = db_session.scalars(select(Branch).where(Branch.code.in_(("gb01-b01", "gb01-b02")))).all()
    user = login_as("gb01")
    response = user.client.post("/branchview/action_post", data={
        "csrf_token": user.token(), "action": "export_annex2", "rowid": [b.id for b in own]})
    rows = _table(_book(response).active, ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])
    assert sorted(r[2] for r in rows) == sorted(b.name for b in own)
    foreign = db_session.scalar(select(Branch).where(Branch.code == "gb02-b01"))
    response = user.client.post("/branchview/action_post", data={
        "csrf_token": user.token(), "action": "export_annex2", "rowid": [own[0].id, foreign.id]})
    assert response.status_code == 404


def test_list_pages_carry_the_one_click_buttons(login_as, db_session):
    round_ = _round(db_session, REASSESSMENT)
    for url in ["/branchview/list/", "/rectificationview/list/", f"/scoring/round/{round_.id}"]:
        page = login_as("gb01").get(url).text
        assert "一键导出附件2" in page and f"/forms/annex2?round={round_.id}" in page, url


def test_statistics_export_has_a_native_chart_and_movement(login_as, db_session):
    round_ = _round(db_session, REASSESSMENT)
    response = committee_download(login_as("committee"), f"/forms/statistics.xlsx?round={round_.id}")
    book = _book(response)
    assert {"统计", "晋位升级"} <= set(book.sheetnames)
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)
    counts = [row for row in book["统计"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert sum(r[5] for r in counts) == db_session.query(Branch).count()


def test_cli_export_writes_the_form(app, db_session, tmp_path):
    round_ = _round(db_session, INITIAL)
    target = tmp_path / "annex2.xlsx"
    result = app.test_cli_runner().invoke(args=["zhibu", "export", "annex2", "--round", str(round_.id),
                                                "--output", str(target)])
    assert result.exit_code == 0, result.output
    rows = _table(load_workbook(target).active, ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])
    assert len(rows) == db_session.query(Branch).count()
    bad = app.test_cli_runner().invoke(args=["zhibu", "export", "annex3", "--round", str(round_.id),
                                             "--general-branch", "999999", "--output", str(target)])
    assert bad.exit_code != 0


@pytest.mark.parametrize("username", ["gb01"])
def test_export_routes_never_leak_another_general_branch(login_as, db_session, username):
    round_ = _round(db_session, REASSESSMENT)
    user = login_as(username)
    user.post_form(f"/scoring/round/{round_.id}/rectify", {}, token_from=f"/scoring/round/{round_.id}")
    foreign = {b.name for b in _gb(db_session, "gb02").branches} | {_gb(db_session, "gb02").name}
    for url in [f"/forms/annex2.xlsx?round={round_.id}", f"/forms/annex3.xlsx?round={round_.id}",
                f"/forms/statistics.xlsx?round={round_.id}"]:
        texts = set()
        for sheet in _book(user.get(url)).worksheets:
            texts |= set(_texts(sheet))
        assert not (texts & foreign), url


def test_the_forms_and_the_texts_stored_for_them_are_chinese_under_the_english_ui(login_as, db_session):
    """附件2/附件3 and the statistics are official Chinese forms, whatever language the user reads."""
    round_ = _round(db_session, REASSESSMENT)
    user = login_as("gb01")
    user.get("/lang/en")
    assert "Log out" in user.get("/").text or "Logout" in user.get("/").text
    page = f"/scoring/round/{round_.id}"
    user.post_form(f"/scoring/round/{round_.id}/rectify", {}, token_from=page)
    items = db_session.scalars(select(Rectification).where(Rectification.round_id == round_.id)).all()
    assert items
    for item in items:
        assert item.problems.startswith("考评等次：") and item.remark in ("推动一般", "整顿后进")
    grades = [r[-1] for r in _table(_book(user.get(f"/forms/annex2.xlsx?round={round_.id}")).active,
                                    ["序号", "所属党委（党总支）", "党支部名称", "分类定级结果"])]
    assert grades and set(grades) <= {"好", "较好", "一般", "较差", None, ""}
    annex3 = _texts(_book(user.get(f"/forms/annex3.xlsx?round={round_.id}")).active)
    assert "北京高校基层党支部整改汇总表" in annex3 and not any("Grade" in t for t in annex3)
    stats = _texts(_book(user.get(f"/forms/statistics.xlsx?round={round_.id}")).active)
    assert any("分类定级统计" in t for t in stats)


# ------------------------------------------------ 填报人 / 联系电话, printed pages

def _info(sheet):
    return next(t for t in _texts(sheet) if t.startswith("填报单位"))


def _name_user(session, username, last, first):
    from flask_appbuilder.security.sqla.models import User
    user = session.scalar(select(User).where(User.username == username))
    user.last_name, user.first_name = last, first
    session.commit()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_export_page_prefills_person_and_phone_and_prints_what_was_typed(login_as, db_session, lang):
    """填报人 is the user's full name and 联系电话 the general branch's, both editable before export."""
    _name_user(db_session, "gb01", "王", "小明")
    round_ = _round(db_session, INITIAL)
    gb01 = _gb(db_session, "gb01")
    user = login_as("gb01")
    user.get(f"/lang/{lang}")
    assert "/forms/annex2?round=" in user.get("/branchview/list/").text
    page = user.get(f"/forms/annex2?round={round_.id}")
    assert page.status_code == 200
    assert 'name="person"' in page.text and 'value="王小明"' in page.text
    assert f'value="{gb01.phone}"' in page.text and gb01.name in page.text
    action = re.search(r'<form method="GET" action="([^"]+)" id="export-form"', page.text).group(1)
    assert action == "/forms/annex2.xlsx"
    info = _info(_book(user.get(f"{action}?round={round_.id}&person=++李四+&phone=010-6275+1234")).active)
    assert "填报人：李四" in info and "联系电话：010-6275 1234" in info and gb01.name in info
    info = _info(_book(user.get(f"/forms/annex3.xlsx?round={round_.id}&person=赵六&phone=")).active)
    assert "填报人：赵六" in info and gb01.phone not in info  # an emptied phone is left for a pen
    # the default, without the page: the full name and the general branch's phone
    info = _info(_book(user.get(f"/forms/annex2.xlsx?round={round_.id}")).active)
    assert "填报人：王小明" in info and gb01.phone in info


def test_the_export_page_without_a_round_offers_the_newest(login_as, db_session):
    """A typed /forms/annex2 is the export page of the newest round, not a 404."""
    newest = _round(db_session, REASSESSMENT)
    page = login_as("gb01").get("/forms/annex2")
    assert page.status_code == 200
    assert newest.name in page.text and f'name="round" value="{newest.id}"' in page.text
    assert login_as("gb01").get("/forms/annex3").status_code == 200


@pytest.mark.parametrize("lang, message", [("zh", "联系电话只能包含"), ("en", "phone number may only")])
def test_a_bad_person_or_phone_is_refused_with_the_page_again(login_as, db_session, lang, message):
    round_ = _round(db_session, INITIAL)
    user = login_as("gb01")
    user.get(f"/lang/{lang}")
    bad = user.get(f"/forms/annex2.xlsx?round={round_.id}&person=李四&phone=call+me")
    assert bad.status_code == 400 and message in bad.text and 'id="export-form"' in bad.text
    assert 'value="call me"' in bad.text and 'value="李四"' in bad.text
    too_long = user.get(f"/forms/annex3.xlsx?round={round_.id}&person={'长' * 21}&phone=1")
    assert too_long.status_code == 400 and 'id="export-error"' in too_long.text


def test_the_committee_job_carries_person_and_phone(login_as, db_session):
    from tests.support.clients import csrf_token
    from tests.support.jobs import run_job

    round_ = _round(db_session, INITIAL)
    user = login_as("committee")
    page = user.get(f"/forms/annex2?round={round_.id}")
    assert 'id="job-start-form"' in page.text and 'name="person"' in page.text and 'name="phone"' in page.text
    start = user.client.post(f"/forms/job/annex2", data={
        "round": round_.id, "person": " 组织部 陈 ", "phone": "010-1234", "csrf_token": csrf_token(page.text)})
    status = run_job(user, start)
    assert status["state"] == "done", status
    info = _info(_book(user.get(status["download"])).active)
    assert "填报人：组织部 陈" in info and "联系电话：010-1234" in info
    refused = user.client.post(f"/forms/job/annex2", data={
        "round": round_.id, "person": "x", "phone": "abc", "csrf_token": csrf_token(page.text)})
    assert refused.status_code == 400 and 'id="job-start-form"' in refused.text


def test_cli_export_takes_person_and_phone(app, db_session, tmp_path):
    round_ = _round(db_session, INITIAL)
    target = tmp_path / "annex3.xlsx"
    run = app.test_cli_runner().invoke
    result = run(args=["zhibu", "export", "annex3", "--round", str(round_.id), "--output", str(target),
                       "--person", "周七", "--phone", "62751234"])
    assert result.exit_code == 0, result.output
    assert "填报人：周七" in _info(load_workbook(target).active) and "62751234" in _info(load_workbook(target).active)
    bad = run(args=["zhibu", "export", "annex3", "--round", str(round_.id), "--output", str(target), "--phone", "x"])
    assert bad.exit_code == 2 and "联系电话" in bad.output


def test_annex2_pages_name_their_general_branch_and_rows_are_even(app):
    """Every printed page of the committee's 附件2 starts with its 党总支 named; only wrapped rows are taller."""
    from app.forms import Annex2Row, FormHeader, annex2_workbook
    long_name = "离退休第一党总支机关第三党支部（与图书馆、档案馆联合组建）"
    rows = [Annex2Row(f"第{g}党总支", long_name if i == 5 else f"第{g}党总支第{i}党支部", "好")
            for g in range(1, 4) for i in range(1, 51)]
    sheet = load_workbook(io.BytesIO(annex2_workbook(FormHeader("某大学党委", "张三", "1"), rows, grouped=True))).active
    assert sheet.print_title_rows == "$2:$4"  # the title, the 填报单位 line and the heading on every page
    breaks = [b.id for b in sheet.row_breaks.brk]
    assert len(breaks) >= 4  # 150 rows: more than four A4 pages
    for first_row in breaks:  # openpyxl: the break is after row id (1-based), the page starts at id + 1
        group = sheet.cell(row=first_row + 1, column=2).value
        assert group and group.startswith("第"), first_row
    pages_of = [4] + breaks
    assert all(b - a <= 32 for a, b in zip(pages_of, pages_of[1:]))  # an A4 page holds about 28 rows
    data = range(5, 5 + len(rows))
    heights = {r: sheet.row_dimensions[r].ht or sheet.sheet_format.defaultRowHeight for r in data}
    tall = {r for r in data if heights[r] > sheet.sheet_format.defaultRowHeight}
    assert {sheet.cell(row=r, column=3).value for r in tall} == {long_name}
    assert len({heights[r] for r in data if r not in tall}) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_statistics_workbook_prints_on_one_a4_page(login_as, db_session, lang):
    round_ = _round(db_session, REASSESSMENT)
    user = login_as("gb01")
    user.get(f"/lang/{lang}")
    for sheet in _book(user.get(f"/forms/statistics.xlsx?round={round_.id}")).worksheets:
        setup = sheet.page_setup
        assert setup.paperSize == 9 and sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth or 1) == 1 and (setup.fitToHeight or 1) == 1, sheet.title
        assert sheet.page_margins.left <= 0.75 and sheet.page_margins.top <= 0.75
    assert _book(user.get(f"/forms/statistics.xlsx?round={round_.id}"))["统计"].page_setup.orientation == "landscape"
