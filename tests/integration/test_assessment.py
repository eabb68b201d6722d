"""Assessment as its users drive it: sheets by source and role, rates, override, the matrix."""
import json
import re

import pytest
from sqlalchemy import select

from app.models import (
    Assessment, AssessmentRound, AuditLog, Branch, GeneralBranch, PeerAssignment, ScoreSheet, StandardItem,
)
from app.scoring.peers import peer_group as group_of
from app.services.demo_assessment import INITIAL, REASSESSMENT


def _round(session, name):
    return session.scalar(select(AssessmentRound).where(AssessmentRound.name == name))


def _assessment(session, round_name, branch_code):
    return session.scalar(select(Assessment).join(Branch).where(
        Branch.code == branch_code, Assessment.round_id == _round(session, round_name).id))


def _sheet(assessment_id, source, **extra):
    return {"assessment": assessment_id, "source": source, "rater": "测试评议人",
            "s1": 18, "s2": 18, "s3": 18, "s4": 18, "s5": 18, **extra}


def test_branch_fills_its_self_sheet_and_the_assessment_is_recomputed(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b01")
    before = target.self_score
    user = login_as("gb01-b01")
    response = user.post_form("/scoresheetview/add", _sheet(target.id, "self"))
    assert response.status_code == 302
    db_session.expire_all()
    after = db_session.get(Assessment, target.id)
    sheets = db_session.scalars(select(ScoreSheet).where(
        ScoreSheet.assessment_id == target.id, ScoreSheet.source == "self")).all()
    assert len(sheets) == 2
    expected = round(sum(s.total for s in sheets) / 2, 2)
    assert after.self_score == pytest.approx(expected) and after.self_score != before
    assert after.composite is not None


def test_branch_cannot_see_another_branchs_sheets(login_as, api_as, db_session):
    other = _assessment(db_session, REASSESSMENT, "gb01-b02")
    sheet = db_session.scalar(select(ScoreSheet.id).where(ScoreSheet.assessment_id == other.id))
    assert login_as("gb01-b01").get(f"/scoresheetview/show/{sheet}").status_code == 404
    assert api_as("gb01-b01").get(f"/api/v1/scoresheet/{sheet}").status_code == 404
    assert login_as("gb01-b01").get(f"/scoring/assessment/{other.id}").status_code == 404


def test_branch_cannot_enter_a_superior_sheet(api_as, login_as, db_session):
    own = _assessment(db_session, REASSESSMENT, "gb01-b01")
    count = db_session.query(ScoreSheet).count()
    response = api_as("gb01-b01").post("/api/v1/scoresheet/", json=_sheet(own.id, "superior"))
    assert response.status_code == 403
    assert "您只能录入这些来源的评分表：党支部委员会自评" in response.json["message"]
    # The web form does not even offer it; a forged post is refused by the form and saves nothing.
    page = login_as("gb01-b01").post_form("/scoresheetview/add", _sheet(own.id, "superior"))
    assert page.status_code == 200 and 'value="superior"' not in page.text
    assert db_session.query(ScoreSheet).count() == count


def test_branch_does_not_see_superior_or_peer_sheets_about_itself(api_as, db_session):
    own = _assessment(db_session, REASSESSMENT, "gb01-b01")
    superior = db_session.scalar(select(ScoreSheet.id).where(
        ScoreSheet.assessment_id == own.id, ScoreSheet.source == "superior"))
    assert api_as("gb01-b01").get(f"/api/v1/scoresheet/{superior}").status_code == 404


def test_general_branch_enters_superior_sheets_for_its_branches_only(api_as, db_session):
    own = _assessment(db_session, REASSESSMENT, "gb01-b01")
    foreign = _assessment(db_session, REASSESSMENT, "gb02-b01")
    api = api_as("gb01")
    assert api.post("/api/v1/scoresheet/", json=_sheet(own.id, "superior")).status_code == 201
    assert api.post("/api/v1/scoresheet/", json=_sheet(foreign.id, "superior")).status_code == 400
    assert api.post("/api/v1/scoresheet/", json=_sheet(own.id, "self")).status_code == 403


def test_peer_sheets_only_between_branches_of_the_same_group(api_as, db_session):
    branches = db_session.scalars(select(Branch).join(GeneralBranch).where(GeneralBranch.code == "gb01")).all()
    target = branches[0]
    assessment = _assessment(db_session, REASSESSMENT, target.code)
    # the demo's 互评安排 name the raters of each branch (tests/integration/test_peers.py)
    assigned = db_session.scalars(select(PeerAssignment.rater_branch_id).where(
        PeerAssignment.round_id == _round(db_session, REASSESSMENT).id, PeerAssignment.branch_id == target.id)).all()
    same = next(b for b in branches if b.id in assigned)
    other = next(b for b in branches if group_of(b.category) != group_of(target.category))
    api = api_as("gb01")
    response = api.post("/api/v1/scoresheet/", json=_sheet(assessment.id, "peer", rater_branch=other.id))
    assert response.status_code == 400 and "同类" in response.json["message"]
    assert api.post("/api/v1/scoresheet/", json=_sheet(assessment.id, "peer", rater_branch=same.id)).status_code == 201
    response = api.post("/api/v1/scoresheet/", json=_sheet(assessment.id, "peer", rater_branch=target.id))
    assert response.status_code == 400


def test_a_closed_round_refuses_edits(api_as, db_session):
    closed = _assessment(db_session, INITIAL, "gb01-b01")
    response = api_as("gb01-b01").post("/api/v1/scoresheet/", json=_sheet(closed.id, "self"))
    assert response.status_code == 400 and "已结束" in response.json["message"]


def test_the_branch_being_judged_cannot_type_its_own_satisfaction_rates(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b01")
    user = login_as("gb01-b01")
    token = user.token()
    response = user.client.post(f"/scoring/assessment/{target.id}/rates",
                                data={"mass": "99", "secretary": "99", "csrf_token": token})
    assert response.status_code == 403
    db_session.expire_all()
    assert db_session.get(Assessment, target.id).mass_satisfaction == target.mass_satisfaction


def test_low_satisfaction_typed_by_the_general_branch_vetoes(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b01")
    user = login_as("gb01")
    url = f"/scoring/assessment/{target.id}"
    response = user.post_form(f"{url}/rates", {"mass": "45", "secretary": "90%"}, token_from=url, follow_redirects=True)
    assert "V4" in response.text
    db_session.expire_all()
    after = db_session.get(Assessment, target.id)
    assert after.mass_satisfaction == pytest.approx(0.45)
    assert after.computed_grade == "D" and "V4" in after.vetoes
    response = user.post_form(f"{url}/rates", {"mass": "abc"}, token_from=url, follow_redirects=True)
    assert "百分数" in response.text


def test_committee_overrides_only_with_a_reason_and_it_is_audited(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b03")
    wanted = "A" if target.computed_grade != "A" else "B"
    user = login_as("committee")
    url = f"/scoring/assessment/{target.id}"
    page = user.post_form(f"{url}/override", {"grade": wanted, "reason": "  "}, token_from=url, follow_redirects=True)
    assert "必须写明理由" in page.text
    db_session.expire_all()
    assert db_session.get(Assessment, target.id).override_grade is None
    user.post_form(f"{url}/override", {"grade": wanted, "reason": "支部整改成效显著"}, token_from=url)
    user.post_form(f"{url}/confirm", {}, token_from=url)
    db_session.expire_all()
    after = db_session.get(Assessment, target.id)
    assert after.final_grade == wanted and after.override_reason == "支部整改成效显著"
    assert after.confirmed_at is not None
    logs = db_session.scalars(select(AuditLog).where(
        AuditLog.table_name == "zb_assessment", AuditLog.record_id == target.id).order_by(AuditLog.id)).all()
    overridden, confirmed = [log for log in logs if log.highlight == "override"], \
        [log for log in logs if log.highlight == "confirm"]
    assert json.loads(overridden[-1].changes)["override_grade"] == [None, wanted]
    assert overridden[-1].reason == "支部整改成效显著" and overridden[-1].actor == "committee"
    assert confirmed and confirmed[-1].reason is None and confirmed[-1].user_id is not None
    page = user.get(url).text
    assert "支部整改成效显著" in page


def test_general_branch_cannot_confirm_or_recompute(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b01")
    user = login_as("gb01")
    token = {"csrf_token": user.token()}
    assert user.client.post(f"/scoring/assessment/{target.id}/confirm", data=token).status_code == 403
    assert user.client.post(f"/scoring/round/{target.round_id}/recompute", data=token).status_code == 403
    db_session.expire_all()
    assert db_session.get(Assessment, target.id).confirmed_at is None


def test_matrix_shows_the_scope_counts_and_the_comparison(login_as, db_session):
    round_ = _round(db_session, REASSESSMENT)
    page = login_as("gb01").get(f"/scoring/round/{round_.id}").text
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    gb02 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb02"))
    assert gb01.name in page and gb02.name not in page
    for branch in gb01.branches:
        assert branch.name in page
    grades = db_session.scalars(select(Assessment.computed_grade).join(Branch).where(
        Assessment.round_id == round_.id, Branch.general_branch_id == gb01.id)).all()
    totals = re.search(r'id="grade-totals">(.*?)</p>', page, re.S).group(1)
    assert f"好 <b>{grades.count('A')}</b>" in totals and f"较差 <b>{grades.count('D')}</b>" in totals
    assert "晋位" in page and "初评等次" in page
    undergrad = [b for b in gb01.branches if b.category == "undergraduate"]
    if undergrad:
        assert f"/ {len(undergrad)}" in re.search(r'id="undergrad-goal">(.*?)</p>', page, re.S).group(1)


def _summary_rows(page):
    """general branch name -> its summary row's cells (党支部数, 好 … 未评定, …)."""
    body = re.search(r'id="general-branch-summary">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_committee_summary_pages_and_searches_general_branches(login_as, db_session, monkeypatch):
    """A city's committee has thousands of general branches: a page of them at a time, a name
    search; the grade totals and the undergraduate goal stay the whole round's on every page."""
    import app.views.scoring as view

    monkeypatch.setattr(view, "SUMMARY_PAGE", 3)
    round_ = _round(db_session, REASSESSMENT)
    names = db_session.scalars(select(GeneralBranch.name).join(Branch).join(Assessment).where(
        Assessment.round_id == round_.id).distinct()).all()
    assert len(names) > 3
    user = login_as("committee")
    seen, pages, page = {}, [], 0
    while True:
        html = user.get(f"/scoring/round/{round_.id}?page={page}").text
        rows = _summary_rows(html)
        assert 1 <= len(rows) <= 3
        seen.update(rows)
        pages.append(html)
        if 'id="summary-pager"' not in html or 'class="next"' not in html:
            break
        page += 1
    assert sorted(seen) == sorted(names)
    assert f"第 1 / {len(pages)} 页" in pages[0] and f"第 {len(pages)} / {len(pages)} 页" in pages[-1]
    branches = db_session.scalars(select(Assessment.final_grade).where(Assessment.round_id == round_.id)).all()
    assert sum(int(cells[0]) for cells in seen.values()) == len(branches)
    totals = {re.search(r'id="grade-totals">(.*?)</p>', html, re.S).group(1) for html in pages}
    goals = {re.search(r'id="undergrad-goal">(.*?)</p>', html, re.S).group(1) for html in pages}
    assert len(totals) == 1 and len(goals) == 1
    assert f"好 <b>{branches.count('A')}</b>" in totals.pop()
    # past the end is the last page, garbage the first
    assert _summary_rows(user.get(f"/scoring/round/{round_.id}?page=99999").text) == _summary_rows(pages[-1])
    for bad in ("abc", "-1", "9" * 30, ""):
        assert _summary_rows(user.get(f"/scoring/round/{round_.id}?page={bad}").text) == _summary_rows(pages[0])
    # a general branch's rows opened from the last page keep that page and show below
    last = pages[-1]
    link = re.search(r'href="([^"]+general_branch=\d+[^"]*)">显示各党支部', last).group(1).replace("&amp;", "&")
    opened = user.get(link).text
    gb_id = int(re.search(r"general_branch=(\d+)", link).group(1))
    gb = db_session.get(GeneralBranch, gb_id)
    assert f"page={len(pages) - 1}" in link and list(_summary_rows(opened)) == list(_summary_rows(last))
    assert _summary_rows(opened)[gb.name][-1] == "见下表"
    assert f'id="gb-{gb_id}"' in opened and all(b.name in opened for b in gb.branches)
    # the name search, across pages; nothing found says so
    target = sorted(names)[-1]
    found = _summary_rows(user.get(f"/scoring/round/{round_.id}?q={target[-3:]}").text)
    assert target in found and all(target[-3:] in name for name in found)
    nothing = user.get(f"/scoring/round/{round_.id}?q=不存在的党总支xyz").text
    assert 'id="summary-none"' in nothing and not _summary_rows(nothing)
    # English
    english = login_as("committee")
    english.get("/lang/en")
    page_en = english.get(f"/scoring/round/{round_.id}?q=xyz-none").text
    assert "No general branch" in page_en and "None" not in re.sub(r"<[^>]+>", " ", page_en).split()


def test_explanation_names_weights_and_vetoes(login_as, db_session):
    vetoed = db_session.scalar(select(Assessment).where(
        Assessment.round_id == _round(db_session, INITIAL).id, Assessment.vetoes != ""))
    page = login_as("committee").get(f"/scoring/assessment/{vetoed.id}").text
    assert "权重 30%" in page
    assert vetoed.vetoes.split(",")[0] in page


def test_cli_score_recomputes_and_prints_counts(app, db_session):
    round_ = _round(db_session, REASSESSMENT)
    result = app.test_cli_runner().invoke(args=["zhibu", "score", "--round", str(round_.id)])
    assert result.exit_code == 0, result.output
    grades = db_session.scalars(select(Assessment.computed_grade).where(Assessment.round_id == round_.id)).all()
    assert f"好 {grades.count('A')}" in result.output and f"较差 {grades.count('D')}" in result.output
    bad = app.test_cli_runner().invoke(args=["zhibu", "score", "--round", "999999"])
    assert bad.exit_code != 0 and "999999" in bad.output


def test_bad_scoring_policy_stops_the_app():
    from app import create_app

    with pytest.raises(ValueError, match="weights"):
        create_app({"ZHIBU_SCORING": {"weights": {"self": 0.5, "members": 0.2, "peer": 0.2, "superior": 0.3}},
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_standards_are_seeded_for_every_category(db_session, login_as):
    rows = db_session.scalars(select(StandardItem).where(StandardItem.category == "undergraduate")).all()
    assert [r.title for r in sorted(rows, key=lambda r: r.number)] == [
        "支部班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]
    assert db_session.query(StandardItem).count() == 30
    page = login_as("gb01").get("/standardview/list/").text
    assert "支部班子好" in page


def test_assessment_api_is_scoped_and_read_only(api_as, db_session):
    foreign = _assessment(db_session, REASSESSMENT, "gb02-b01")
    own = _assessment(db_session, REASSESSMENT, "gb01-b01")
    api = api_as("gb01")
    assert api.get(f"/api/v1/assessment/{foreign.id}").status_code == 404
    assert api.get(f"/api/v1/assessment/{own.id}").json["result"]["branch"]["id"] == own.branch_id
    gb01 = db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == "gb01"))
    listing = api.get("/api/v1/assessment/?q=(page_size:100)").json
    assert listing["count"] == 2 * len(gb01.branches)
    assert api.put(f"/api/v1/assessment/{own.id}", json={"override_grade": "A"}).status_code in (404, 405)
    assert api.delete(f"/api/v1/assessment/{own.id}").status_code in (404, 405)


def test_round_and_sheet_choices_show_nothing_foreign(login_as, db_session):
    page = login_as("gb01").get("/scoresheetview/add").text
    foreign = db_session.scalars(select(Branch.name).join(GeneralBranch).where(GeneralBranch.code == "gb02")).all()
    assert not any(name in page for name in foreign)
    own = db_session.scalar(select(Branch.name).where(Branch.code == "gb01-b01"))
    assert own in page


def test_committee_opens_a_round_for_its_own_committee(login_as, api_as, db_session):
    user = login_as("committee")
    response = user.post_form("/roundview/add", {
        "name": "2013年党支部分类定级（初评）", "year": "2013", "kind": "initial", "opens_on": "2013-04-10",
        "deadline": "2013-04-18", "status": "open"})
    assert response.status_code == 302
    round_ = _round(db_session, "2013年党支部分类定级（初评）")
    assert round_ is not None and round_.committee_id == _round(db_session, INITIAL).committee_id
    response = api_as("committee").post("/api/v1/assessmentround/", json={
        "name": "2013年复评", "year": 2013, "kind": "reassessment", "base_round": round_.id,
        "opens_on": "2013-10-10", "deadline": "2013-10-31", "status": "open"})
    assert response.status_code == 201, response.text
    assert api_as("gb01").post("/api/v1/assessmentround/", json={
        "name": "x", "year": 2013, "kind": "initial", "opens_on": "2013-10-10", "deadline": "2013-10-31",
        "status": "open"}).status_code == 403


def test_sheet_form_offers_each_role_only_its_sources(login_as):
    import re as _re

    def offered(username):
        page = login_as(username).get("/scoresheetview/add").text
        select = _re.search(r'<select[^>]*name="source"[^>]*>(.*?)</select>', page, _re.S).group(1)
        return set(_re.findall(r'value="(\w+)"', select))

    assert offered("gb01-b01") == {"self"}
    assert offered("gb01") == {"superior", "peer", "members"}
    assert offered("committee") == {"self", "members", "peer", "superior"}


def test_another_committees_round_is_404_everywhere(login_as, api_as, db_session):
    from datetime import date

    from app.models import Committee

    other = Committee(name="另一所大学党委")
    db_session.add(other)
    db_session.flush()
    foreign = AssessmentRound(committee_id=other.id, name="外校批次", year=2012, kind="initial",
                              opens_on=date(2012, 4, 10), deadline=date(2012, 4, 18), status="open")
    db_session.add(foreign)
    db_session.commit()
    for username in ("committee", "gb01", "gb01-b01"):
        user = login_as(username)
        for url in [f"/scoring/round/{foreign.id}", f"/roundview/show/{foreign.id}",
                    f"/forms/annex2.xlsx?round={foreign.id}"]:
            assert user.get(url).status_code in (403, 404), (username, url)
        assert "外校批次" not in user.get("/roundview/list/").text
        assert api_as(username).get(f"/api/v1/assessmentround/{foreign.id}").status_code == 404


def test_the_committee_closes_a_round_and_reopens_it_with_a_reason(login_as, api_as, db_session):
    round_ = _round(db_session, REASSESSMENT)
    page = f"/scoring/round/{round_.id}"
    gb01 = login_as("gb01")
    assert gb01.client.post(f"{page}/close", data={"csrf_token": gb01.token()}).status_code == 403
    committee = login_as("committee")
    done = committee.post_form(f"{page}/close", {}, token_from=page, follow_redirects=True)
    assert "考评批次已结束" in done.text and 'id="reopen-form"' in done.text
    db_session.expire_all()
    assert db_session.get(AssessmentRound, round_.id).status == "closed"
    own = _assessment(db_session, REASSESSMENT, "gb01-b01")
    sheet = db_session.scalar(select(ScoreSheet.id).where(ScoreSheet.assessment_id == own.id,
                                                         ScoreSheet.source == "self"))
    response = api_as("gb01-b01").put(f"/api/v1/scoresheet/{sheet}", json={"s1": 1})
    assert response.status_code == 400 and "已结束" in response.json["message"]
    refused = committee.post_form(f"{page}/reopen", {"reason": " "}, token_from=page, follow_redirects=True)
    assert "必须写明理由" in refused.text
    committee.post_form(f"{page}/reopen", {"reason": "复评材料补交"}, token_from=page)
    db_session.expire_all()
    assert db_session.get(AssessmentRound, round_.id).status == "open"
    audit = db_session.scalar(select(AuditLog).where(AuditLog.table_name == "zb_round",
                                                    AuditLog.record_id == round_.id, AuditLog.highlight == "reopen"))
    assert audit.reason == "复评材料补交" and json.loads(audit.changes)["status"] == ["closed", "open"]
    assert audit.highlight == "reopen" and audit.committee_id == round_.committee_id


@pytest.mark.parametrize("typed, stored, refused", [
    ("1", None, "有歧义"), ("0.85", None, "有歧义"), ("1%", 0.01, None), ("100", 1.0, None),
    ("100%", 1.0, None), ("85.5", 0.855, None), ("0", 0.0, None), ("101", None, "0% 到 100%"),
    ("nan", None, "百分数"), ("1e400", None, "百分数"),
])
def test_rates_are_percentages_and_an_ambiguous_one_is_refused(login_as, db_session, typed, stored, refused):
    target = _assessment(db_session, REASSESSMENT, "gb01-b02")
    before = target.secretary_satisfaction
    user = login_as("gb01")
    url = f"/scoring/assessment/{target.id}"
    page = user.post_form(f"{url}/rates", {"secretary": typed}, token_from=url, follow_redirects=True).text
    db_session.expire_all()
    after = db_session.get(Assessment, target.id).secretary_satisfaction
    if refused:
        assert refused in page and after == before
    else:
        assert after == pytest.approx(stored)
        # the form shows it back as a percentage that saves to the same value
        shown = user.get(url).text
        assert f'value="{stored * 100:g}%"' in shown


def test_the_sheet_form_offers_open_rounds_and_names_each_standard_with_its_range(login_as, db_session):
    page = login_as("gb01-b01").get("/scoresheetview/add").text
    closed = _assessment(db_session, INITIAL, "gb01-b01")
    open_ = _assessment(db_session, REASSESSMENT, "gb01-b01")
    select = re.search(r'<select[^>]*name="assessment".*?</select>', page, re.S).group()
    assert f'value="{open_.id}"' in select and f'value="{closed.id}"' not in select
    for n, title in enumerate(["支部班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"], 1):
        assert f"{n}. {title}（0–20 分）" in page
    assert 'max="20"' in page and "zhibu/zhibu.js" in page and "合计：{n} / 100 分" in page


def test_a_sub_score_over_20_is_refused_in_the_form_and_nothing_is_saved(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b01")
    count = len(target.sheets)
    page = login_as("gb01-b01").post_form("/scoresheetview/add", _sheet(target.id, "self", s3=25))
    assert page.status_code == 200 and "每项得分须在 0 到 20 之间" in page.text
    db_session.expire_all()
    assert len(db_session.get(Assessment, target.id).sheets) == count


def test_the_explanation_heads_sheets_with_the_standards_and_names_a_peer_once(login_as, db_session):
    target = _assessment(db_session, REASSESSMENT, "gb01-b01")
    peer = db_session.scalar(select(ScoreSheet).where(ScoreSheet.assessment_id == target.id,
                                                      ScoreSheet.source == "peer"))
    page = login_as("gb01").get(f"/scoring/assessment/{target.id}").text
    table = re.search(r'<table[^>]*id="sheets".*?</table>', page, re.S).group()
    head = re.search(r"<thead>.*?</thead>", table, re.S).group()
    assert [f"{n}. {t}" in head for n, t in enumerate(["支部班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"], 1)] == [True] * 5
    row = next(r for r in re.findall(r"<tr>.*?</tr>", table, re.S) if peer.rater in r)
    assert row.count(peer.rater_branch.name) == 1


def _stale(session, round_id, count):
    """Blank the computed figures of `count` assessments behind the app's back (no guard here)."""
    ids = session.scalars(select(Assessment.id).where(Assessment.round_id == round_id)
                          .order_by(Assessment.id).limit(count)).all()
    session.execute(Assessment.__table__.update().where(Assessment.id.in_(ids))
                    .values(composite=None, computed_grade=None))
    session.commit()
    return ids


def _versions(session, round_id):
    return dict(session.execute(select(Assessment.id, Assessment.version).where(Assessment.round_id == round_id)).all())


def _audit_ids(session):
    return set(session.scalars(select(AuditLog.id).where(AuditLog.table_name == "zb_assessment")))


def test_a_recompute_writes_only_the_changed_rows_each_with_its_audit_row(login_as, db_session):
    from tests.support.jobs import run_job

    round_ = _round(db_session, REASSESSMENT)
    stale = _stale(db_session, round_.id, 2)
    versions, trail = _versions(db_session, round_.id), _audit_ids(db_session)
    committee = login_as("committee")
    page = f"/scoring/round/{round_.id}"
    assert run_job(committee, committee.post_form(f"{page}/recompute", {}, token_from=page))["state"] == "done"
    db_session.expire_all()
    after = _versions(db_session, round_.id)
    # the two stale rows are written (their version moves); the others are unchanged, untouched
    assert {pk for pk in after if after[pk] != versions[pk]} == set(stale)
    assert all(after[pk] == versions[pk] + 1 for pk in stale)
    new = db_session.scalars(select(AuditLog).where(AuditLog.id.not_in(trail),
                                                    AuditLog.table_name == "zb_assessment")).all()
    assert sorted(log.record_id for log in new) == sorted(stale)
    for log in new:
        row = db_session.get(Assessment, log.record_id)
        changes = json.loads(log.changes)
        assert log.action == "update" and log.actor == "committee" and log.user_id is not None
        assert changes["composite"] == [None, row.composite] and changes["computed_grade"][0] is None
        assert (log.branch_id, log.general_branch_id, log.committee_id) == (
            row.branch_id, row.branch.general_branch_id, row.branch.general_branch.committee_id)


def test_recomputing_a_closed_round_or_outside_the_scope_is_refused_and_writes_nothing(app, db_session):
    from app.extensions import db
    from app.security.guard import RuleViolation, StateRefused
    from app.security.scope import acting_as, org_of_user
    from app.services.assessment import recompute_round
    from flask_appbuilder.security.sqla.models import User

    round_ = _round(db_session, REASSESSMENT)
    stale = _stale(db_session, round_.id, 3)
    trail = _audit_ids(db_session)
    with app.app_context():
        actors = {name: org_of_user(db.session.scalar(select(User).where(User.username == name)))
                  for name in ("committee", "gb01")}
        # a general branch may write its own branches' rates, not the rest of the round
        with acting_as(actors["gb01"]), pytest.raises(RuleViolation):
            recompute_round(round_.id)
        db.session.rollback()
    db_session.execute(AssessmentRound.__table__.update().where(AssessmentRound.id == round_.id)
                       .values(status="closed"))
    db_session.commit()
    with app.app_context():
        with acting_as(actors["committee"]), pytest.raises(StateRefused):
            recompute_round(round_.id)
        db.session.rollback()
    db_session.expire_all()
    assert _audit_ids(db_session) == trail
    assert db_session.scalars(select(Assessment.composite).where(Assessment.id.in_(stale))).all() == [None] * 3


def test_a_bulk_write_within_a_round_refuses_an_id_of_another_round(app, db_session):
    from sqlalchemy import bindparam

    from app.extensions import db
    from app.security.guard import WITHIN, RuleViolation
    from app.security.scope import system_actor

    open_round, other = _round(db_session, REASSESSMENT), _round(db_session, INITIAL)
    foreign = db_session.scalar(select(Assessment.id).where(Assessment.round_id == other.id))
    table = Assessment.__table__
    with app.app_context(), system_actor("test"):
        with pytest.raises(RuleViolation):
            db.session.execute(table.update().where(table.c.id == bindparam("_id"))
                               .execution_options(**{WITHIN: table.c.round_id == open_round.id}),
                               [{"_id": foreign, "composite": 1.0}])
        db.session.rollback()
    assert db_session.get(Assessment, foreign).composite != 1.0


@pytest.mark.parametrize("round_name", [INITIAL, REASSESSMENT])
@pytest.mark.parametrize("username", ["committee", "gb01", "gb01-b01"])
def test_the_summary_counts_grades_and_movement_as_the_rows_do(app, db_session, username, round_name):
    """The per-general-branch summary says what the rows of each general branch say (the ORM
    path, row by row): read from the round's tallies (a committee's and a general branch's
    初评), or grouped from the assessments read through their branch (a 复评, a branch)."""
    from collections import Counter

    from app.security.scope import acting_as, org_of_user
    from app.services.scoring_report import group_rows, round_summary
    from tests.support.statements import recorded

    round_id = db_session.scalar(select(AssessmentRound.id).where(AssessmentRound.name == round_name))
    with app.app_context(), acting_as(org_of_user(app.appbuilder.sm.find_user(username=username))):
        from app.extensions import db

        round_ = db.session.get(AssessmentRound, round_id)
        with recorded(db.engine) as sent:
            groups = round_summary(round_)
        tallied = username != "gb01-b01" and not round_.base_round_id
        assert any("zb_round_tally" in s for s, _p in sent) == tallied
        assert any("zb_assessment" in s for s, _p in sent) != tallied
        assert groups
        moved = 0
        for group in groups:
            rows = group_rows(round_, group.general_branch_id)
            assert group.counts == Counter(a.final_grade or "none" for a, _b, _m in rows), group.name
            assert group.movement == Counter(m for _a, _b, m in rows if m), group.name
            assert group.undergrad_total == sum(a.branch.category == "undergraduate" for a, _b, _m in rows)
            assert group.undergrad_good == sum(a.branch.category == "undergraduate" and a.final_grade in ("A", "B")
                                               for a, _b, _m in rows)
            moved += sum(group.movement.values())
        assert bool(moved) == bool(round_.base_round_id), "the demo's 复评 moves some branches"
        assert sum(g.branches for g in groups) == (1 if username == "gb01-b01" else
                                                   db.session.query(Assessment).filter_by(round_id=round_id).count())
        if username != "committee":
            assert len(groups) == 1
