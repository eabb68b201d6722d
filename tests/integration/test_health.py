"""支部体检 through the pages, the CLI and the export: for each role the page's numbers are the
records' in that scope, the CLI's JSON is the page, and the statement count does not grow
with the number of branches."""
import io
import json
import re
from collections import Counter, defaultdict
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from app.models import (
    Branch, Committee, Funding, GeneralBranch, Meeting, Member, Secretary, TrainingAttendance, TrainingEvent, UserOrg,
)
from app.rules import RULE_IDS
from tests.support.statements import statements_of

TODAY = date.today()


def demo_year(db_session) -> int:
    """The year the demo's meetings were held in (most of them)."""
    return int(db_session.execute(
        select(func.extract("year", Meeting.held_on).label("y"), func.count())
        .where(Meeting.held_on.is_not(None)).group_by("y").order_by(func.count().desc()).limit(1)).first()[0])


def org_of(db_session, username):
    from flask_appbuilder.security.sqla.models import User

    user_id = db_session.scalar(select(User.id).where(User.username == username))
    return db_session.execute(select(UserOrg).where(UserOrg.user_id == user_id)).scalar_one()


def cells(page: str) -> dict:
    """{(branch id, rule): status} of a general-branch page."""
    out = {}
    for row in re.finditer(r'<tr data-branch="(\d+)">(.*?)</tr>', page, re.S):
        for rule, status in re.findall(r'data-rule="(H\d+)" data-status="([^"]+)"', row.group(2)):
            out[(int(row.group(1)), rule)] = status
    return out


def committee_cells(page: str) -> dict:
    """{(general branch id, rule): (pass, warn, fail)} of the committee page."""
    out = {}
    for row in re.finditer(r'<tr data-general-branch="(\d+)">(.*?)</tr>', page, re.S):
        for rule, p, w, f in re.findall(r'data-rule="(H\d+)"\s+data-pass="(\d+)" data-warn="(\d+)" data-fail="(\d+)"',
                                        row.group(2)):
            out[(int(row.group(1)), rule)] = (int(p), int(w), int(f))
    return out


def cli_json(app, year, username=None, general_branch=None):
    args = ["zhibu", "health", "--year", str(year), "--json"]
    if username:
        args += ["--as", username]
    if general_branch:
        args += ["--general-branch", str(general_branch)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- the records, counted here without the service ---------------------------------------------------

def members_per_branch(db_session, branch_ids):
    return dict(db_session.execute(select(Member.branch_id, func.count()).where(Member.branch_id.in_(branch_ids))
                                   .group_by(Member.branch_id)).all())


def months_with_meetings(db_session, year, branch_ids):
    held = defaultdict(set)
    for bid, day in db_session.execute(select(Meeting.branch_id, Meeting.held_on).where(
            Meeting.branch_id.in_(branch_ids), Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))):
        held[bid].add(day.month)
    return held


def secretary_hours(db_session, year, branch_ids):
    out = {}
    for bid, mid in db_session.execute(select(Secretary.branch_id, Secretary.member_id).where(
            Secretary.branch_id.in_(branch_ids), Secretary.left_on.is_(None)).order_by(Secretary.appointed_on)):
        out[bid] = float(db_session.scalar(
            select(func.coalesce(func.sum(TrainingEvent.hours), 0))
            .join(TrainingAttendance, TrainingAttendance.event_id == TrainingEvent.id)
            .where(TrainingAttendance.member_id == mid, TrainingEvent.held_on >= date(year, 1, 1),
                   TrainingEvent.held_on <= min(date(year, 12, 31), TODAY))))
    return out


def expected_from_records(db_session, year, branch_ids) -> dict:
    """(branch, rule) -> status for H2, H4, H7 (months), H8, read straight from the tables."""
    sizes = members_per_branch(db_session, branch_ids)
    held = months_with_meetings(db_session, year, branch_ids)
    hours = secretary_hours(db_session, year, branch_ids)
    funds = {bid: (float(a), float(t)) for bid, a, t in db_session.execute(
        select(Funding.branch_id, Funding.activity_funds, Funding.training_funds)
        .where(Funding.year == year, Funding.branch_id.in_(branch_ids)))}
    categories = dict(db_session.execute(select(Branch.id, Branch.category).where(Branch.id.in_(branch_ids))).all())
    year_over = TODAY >= date(year, 12, 31)
    elapsed = 12 if year_over else max(0, TODAY.month - 1) if TODAY.year == year else 0
    out = {}
    for bid in branch_ids:
        n = sizes.get(bid, 0)
        out[(bid, "H2")] = "fail" if n > 50 else "pass"
        if bid in hours:
            out[(bid, "H4")] = "pass" if hours[bid] >= 40 else ("fail" if year_over else "warn")
        if n:
            a, t = funds.get(bid, (None, None))
            out[(bid, "H8")] = "fail" if a is None or a < 100 * n or t < 100 * n else "pass"
        missing = [m for m in range(1, elapsed + 1) if m not in held.get(bid, set())]
        out[(bid, "H7 months")] = bool(missing)
        out[(bid, "category")] = categories[bid]
    return out


def assert_page_is_records(statuses, expected, branch_ids):
    for bid in branch_ids:
        assert statuses[(bid, "H2")] == expected[(bid, "H2")], bid
        if (bid, "H4") in expected:
            assert statuses[(bid, "H4")] == expected[(bid, "H4")], bid
        if (bid, "H8") in expected:
            assert statuses[(bid, "H8")] == expected[(bid, "H8")], bid
        if expected[(bid, "H7 months")]:
            assert statuses[(bid, "H7")] == "fail", bid


# -- per role -------------------------------------------------------------------------------------------

def test_general_branch_page_is_the_records_and_the_cli(app, login_as, db_session):
    year = demo_year(db_session)
    org = org_of(db_session, "gb01")
    page = login_as("gb01").get(f"/health/general-branch/{org.general_branch_id}?year={year}")
    assert page.status_code == 200
    statuses = cells(page.get_data(as_text=True))
    branch_ids = sorted(db_session.scalars(select(Branch.id).where(Branch.general_branch_id == org.general_branch_id)))
    assert {bid for bid, _ in statuses} == set(branch_ids)
    assert {rule for _, rule in statuses} == set(RULE_IDS)
    assert_page_is_records(statuses, expected_from_records(db_session, year, branch_ids), branch_ids)
    listed = cli_json(app, year, "gb01")
    assert {(r["branch_id"], r["rule"]): r["status"] for r in listed} == statuses
    assert all(set(r) == {"branch_id", "branch", "rule", "status", "evidence"} for r in listed)
    # the demo fails some rules in a way a reader sees
    assert Counter(statuses.values())["fail"] > 0


def test_committee_page_counts_are_the_records_and_the_cli(app, login_as, db_session):
    year = demo_year(db_session)
    org = org_of(db_session, "committee")
    page = login_as("committee").get(f"/health/committee?year={year}")
    assert page.status_code == 200
    counts = committee_cells(page.get_data(as_text=True))
    gbs = dict(db_session.execute(select(GeneralBranch.id, GeneralBranch.name)
                                  .where(GeneralBranch.committee_id == org.committee_id)).all())
    assert {gb for gb, _ in counts} == set(gbs)
    listed = cli_json(app, year, "committee")
    gb_of = dict(db_session.execute(select(Branch.id, Branch.general_branch_id)).all())
    from_cli = defaultdict(Counter)
    for r in listed:
        from_cli[(gb_of[r["branch_id"]], r["rule"])][r["status"]] += 1
    for key, (p, w, f) in counts.items():
        assert (p, w, f) == (from_cli[key]["pass"], from_cli[key]["warn"], from_cli[key]["fail"]), key
    # H2 straight from the roster: branches over 50 members per general branch
    sizes = members_per_branch(db_session, list(gb_of))
    for gb in gbs:
        big = sum(1 for bid, g in gb_of.items() if g == gb and sizes.get(bid, 0) > 50)
        assert counts[(gb, "H2")][2] == big, gb
    # without --as: every committee, the same branches for a single-committee install
    if db_session.scalar(select(func.count()).select_from(Committee)) == 1:
        assert {(r["branch_id"], r["rule"], r["status"]) for r in cli_json(app, year)} == \
            {(r["branch_id"], r["rule"], r["status"]) for r in listed}


def test_branch_page_shows_every_rule_with_evidence_and_next_step(app, login_as, db_session):
    year = demo_year(db_session)
    org = org_of(db_session, "gb01-b01")
    page = login_as("gb01-b01").get(f"/health/branch/{org.branch_id}?year={year}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-rule="(H\d+)" data-status="([^"]+)">', html))
    assert set(rows) == set(RULE_IDS)
    listed = cli_json(app, year, "gb01-b01")
    assert {r["rule"]: r["status"] for r in listed} == rows
    assert {r["branch_id"] for r in listed} == {org.branch_id}
    assert_page_is_records({(org.branch_id, k): v for k, v in rows.items()},
                           expected_from_records(db_session, year, [org.branch_id]), [org.branch_id])
    assert "None" not in re.sub(r"<[^>]+>", " ", html).split()
    en = login_as("gb01-b01")
    en.get("/lang/en")
    english = en.get(f"/health/branch/{org.branch_id}?year={year}").get_data(as_text=True)
    assert "Health check" in english or "health" in english.lower()


def test_each_role_lands_on_its_own_level_and_a_foreign_id_is_404(login_as, db_session):
    gb01, b01 = org_of(db_session, "gb01"), org_of(db_session, "gb01-b01")
    other_gb = db_session.scalar(select(GeneralBranch.id).where(GeneralBranch.id != gb01.general_branch_id).limit(1))
    other_branch = db_session.scalar(select(Branch.id).where(Branch.general_branch_id != gb01.general_branch_id)
                                     .limit(1))
    gb_user, branch_user = login_as("gb01"), login_as("gb01-b01")
    assert f"/health/general-branch/{gb01.general_branch_id}" in gb_user.get("/health/").headers["Location"]
    assert f"/health/branch/{b01.branch_id}" in branch_user.get("/health/").headers["Location"]
    assert "/health/committee" in login_as("committee").get("/health/").headers["Location"]
    assert gb_user.get(f"/health/general-branch/{other_gb}").status_code == 404
    assert gb_user.get(f"/health/branch/{other_branch}").status_code == 404
    # a branch reads its own general branch: the page holds its own branch only
    own = cells(branch_user.get(f"/health/general-branch/{gb01.general_branch_id}").get_data(as_text=True))
    assert {bid for bid, _ in own} == {b01.branch_id}
    assert gb_user.get(f"/health/export/general-branch?id={other_gb}").status_code == 404
    bad = gb_user.get("/health/?year=abc")
    assert bad.status_code == 400 and "2000" in bad.get_data(as_text=True)


def test_committee_table_pages_searches_and_narrows_to_failing(login_as, db_session, monkeypatch):
    """A city's committee holds thousands of general branches: the table shows a page of them,
    the totals stay the whole scope's, a name search and "failing only" narrow it."""
    import app.views.health as view

    monkeypatch.setattr(view, "COMMITTEE_PAGE", 2)
    year = demo_year(db_session)
    org = org_of(db_session, "committee")
    gbs = db_session.execute(select(GeneralBranch.id, GeneralBranch.name).join(
        Branch, Branch.general_branch_id == GeneralBranch.id).where(GeneralBranch.committee_id == org.committee_id)
        .distinct()).all()
    assert len(gbs) > 2
    user = login_as("committee")
    seen, page, pages_html = [], 0, []
    while True:
        html = user.get(f"/health/committee?year={year}&page={page}").get_data(as_text=True)
        shown = list(dict.fromkeys(gb for gb, _ in committee_cells(html)))
        assert 1 <= len(shown) <= 2
        seen += shown
        pages_html.append(html)
        if 'class="next"' not in html:
            break
        page += 1
    assert sorted(seen) == sorted(gb for gb, _ in gbs) and len(seen) == len(set(seen))
    assert f"第 1 / {page + 1} 页" in pages_html[0] and f"第 {page + 1} / {page + 1} 页" in pages_html[-1]
    # the totals row is the scope's on every page
    totals = re.findall(r'<tfoot>.*?</tfoot>', pages_html[0], re.S)[0]
    assert totals == re.findall(r'<tfoot>.*?</tfoot>', pages_html[-1], re.S)[0]
    # past the end is the last page; garbage is the first
    assert committee_cells(user.get(f"/health/committee?year={year}&page=99999").get_data(as_text=True)).keys() \
        == committee_cells(pages_html[-1]).keys()
    for bad in ("abc", "-1", "9" * 30, ""):
        assert committee_cells(user.get(f"/health/committee?year={year}&page={bad}").get_data(as_text=True)).keys() \
            == committee_cells(pages_html[0]).keys()
    # a name search
    gb_id, name = gbs[-1]
    found = committee_cells(user.get(f"/health/committee?year={year}&q={name[-4:]}").get_data(as_text=True))
    assert gb_id in {gb for gb, _ in found}
    assert all(name[-4:] in dict(gbs)[gb] for gb, _ in found)
    nothing = user.get(f"/health/committee?year={year}&q=不存在的党总支xyz").get_data(as_text=True)
    assert 'id="health-none"' in nothing and not committee_cells(nothing)
    # failing only: every shown general branch has a failing cell, and none with a failing cell is left out
    all_cells = {k: v for html in pages_html for k, v in committee_cells(html).items()}
    failing = {gb for (gb, _), (_, _, f) in all_cells.items() if f}
    got, page = set(), 0
    while True:
        html = user.get(f"/health/committee?year={year}&failing=1&page={page}").get_data(as_text=True)
        got |= {gb for gb, _ in committee_cells(html)}
        if 'class="next"' not in html:
            break
        assert "failing=1" in re.search(r'<li class="next"><a href="([^"]+)"', html).group(1)
        page += 1
    assert got == failing


def test_cells_open_the_records_behind_them(login_as, db_session):
    year = demo_year(db_session)
    org = org_of(db_session, "gb01")
    user = login_as("gb01")
    html = user.get(f"/health/general-branch/{org.general_branch_id}?year={year}").get_data(as_text=True)
    links = re.findall(r'data-rule="(H\d+)" data-status="[^"]+"[^>]*>\s*<a href="([^"]+)"', html)
    assert {rule for rule, _ in links} == set(RULE_IDS)
    for rule, href in {rule: href for rule, href in links}.items():
        href = href.replace("&amp;", "&")
        assert user.get(href).status_code == 200, (rule, href)
    meeting_link = next(href for rule, href in links if rule == "H7").replace("&amp;", "&")
    bid = int(re.search(r"_flt_0_branch=(\d+)", meeting_link).group(1))
    listed = user.get(meeting_link).get_data(as_text=True)
    held = db_session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.branch_id == bid, Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31)))
    assert str(held) in listed        # FAB's list shows its record count


def test_exports_are_the_page_tables(login_as, db_session):
    year = demo_year(db_session)
    org = org_of(db_session, "gb01")
    user = login_as("gb01")
    statuses = cells(user.get(f"/health/general-branch/{org.general_branch_id}?year={year}").get_data(as_text=True))
    resp = user.get(f"/health/export/general-branch?id={org.general_branch_id}&year={year}")
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(rows) == len({bid for bid, _ in statuses})
    from app.models import HEALTH_STATUSES  # the zh labels the sheet uses
    labels = {str(v) for v in HEALTH_STATUSES.values()}
    assert all(set(r[2:2 + len(RULE_IDS)]) <= labels for r in rows)
    fails = sum(1 for r in rows for v in r[2:] if v == "未达标")
    assert fails == Counter(statuses.values())["fail"]
    committee = login_as("committee").get(f"/health/export/committee?year={year}")
    book = openpyxl.load_workbook(io.BytesIO(committee.data)).active
    assert book.cell(1, 1).value.startswith("支部体检")


def test_a_committee_switching_to_the_later_rules_gets_their_numbers(app, login_as, db_session):
    year = demo_year(db_session)
    before = {(r["branch_id"], r["rule"]): r for r in cli_json(app, year, "committee")}
    org = org_of(db_session, "committee")
    user = login_as("committee")
    form = user.get(f"/committeeview/edit/{org.committee_id}").get_data(as_text=True)
    name = re.search(r'name="name"[^>]*value="([^"]*)"', form).group(1)
    resp = user.post_form(f"/committeeview/edit/{org.committee_id}",
                          {"name": name, "short_name": "", "health_profile": "later"})
    assert resp.status_code in (200, 302)
    assert db_session.scalar(select(Committee.health_profile).where(Committee.id == org.committee_id)) == "later"
    after = {(r["branch_id"], r["rule"]): r for r in cli_json(app, year, "committee")}
    for key, row in after.items():
        if key[1] == "H4" and row["status"] != "n/a":
            assert row["evidence"]["target"] == 56
            if 40 <= row["evidence"]["hours"] < 56 and TODAY >= date(year, 12, 31):
                assert before[key]["status"] == "pass" and row["status"] == "fail"


# -- statements do not grow with the branches ------------------------------------------------------------

@pytest.mark.parametrize("level", ["committee", "general-branch"])
def test_statement_count_is_the_same_at_two_sizes(app, login_as, db_session, level):
    year = demo_year(db_session)
    gb01 = org_of(db_session, "gb01")
    user = login_as("committee")
    url = f"/health/committee?year={year}" if level == "committee" else \
        f"/health/general-branch/{gb01.general_branch_id}?year={year}"
    user.get(url)
    small = statements_of(app, user, url)
    committee_id = db_session.scalar(select(GeneralBranch.committee_id).where(GeneralBranch.id == gb01.general_branch_id))
    for i in range(40):
        branch = Branch(name=f"体检加测党支部{i}", code=f"HX{i:02d}", general_branch_id=gb01.general_branch_id,
                        category=("teacher", "undergraduate")[i % 2], is_joint=i % 3 == 0)
        db_session.add(branch)
        db_session.flush()
        for k in range(3):
            db_session.add(Member(number=f"HX{i:02d}{k}", name=f"测{i}-{k}", member_type="formal", unit=f"单位{k}",
                                  branch_id=branch.id, committee_id=committee_id))
        db_session.add(Meeting(branch_id=branch.id, kind="general_meeting", title="会", held_on=date(year, 3, 3)))
    db_session.commit()
    big = statements_of(app, user, url)
    assert big == small
