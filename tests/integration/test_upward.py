"""联述联评联考 (五、(三)): the committee opens upward campaigns about a general branch and about
itself; representatives vote without a login; the results page and the committee's xlsx."""
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.models import Ballot, BallotCampaign, GeneralBranch
from tests.support.ballots import Voter, campaign_row, codes_of, open_round_id
from tests.support.rosters import text_of

VOTES = [(18, 17, 16, 19, 20), (15, 15, 15, 15, 15), (20, 19, 18, 17, 16)]


def _gb_id(session, code):
    return session.scalar(select(GeneralBranch.id).where(GeneralBranch.code == code))


def _open(user, session, target, count, min_turnout=3):
    response = user.post_form("/upward/open", {"round": open_round_id(session), "target": target,
                                               "min_turnout": min_turnout, "count": count}, token_from="/upward/")
    assert response.status_code == 302, response.text[:2000]
    page = user.get(response.headers["Location"])
    assert page.status_code == 200
    return int(response.headers["Location"].rstrip("/").split("/")[-2]), codes_of(page.text)


def _scores(s):
    return {f"s{i}": v for i, v in enumerate(s, start=1)}


def test_an_upward_campaign_about_a_general_branch_and_one_about_the_committee(app, login_as, db_session):
    committee = login_as("committee")
    gb01 = _gb_id(db_session, "gb01")
    about_gb, codes = _open(committee, db_session, gb01, 4)
    about_committee, committee_codes = _open(committee, db_session, "committee", 2, min_turnout=3)
    voter = Voter(app)
    page = voter.get(codes[0])
    assert page.status_code == 200
    text = text_of(page.text)
    assert "联评：抓党支部建设工作评议" in text and "抓党支部建设的责任落实" in text
    assert 'name="secretary"' not in page.text and 'name="s5"' in page.text
    for code, s in zip(codes, VOTES):
        assert voter.vote(code, _scores(s)).status_code == 200
    assert voter.vote(codes[0], _scores(VOTES[0])).status_code == 409
    assert voter.vote(codes[3], {**_scores(VOTES[0]), "s2": "21"}).status_code == 400
    assert voter.vote(committee_codes[0], _scores(VOTES[1])).status_code == 200

    results = text_of(committee.get("/upward/").text)
    expected = round(sum(sum(s) for s in VOTES) / 3, 2)
    item1 = round(sum(s[0] for s in VOTES) / 3, 2)
    assert f"{expected:.2f}" in results and f"{item1:.2f}" in results
    assert "有效票不足（1/3）" in results  # the committee's own: below the minimum turnout

    # the export: one row per evaluated organization, the numbers of the page
    export = committee.get(f"/upward/export.xlsx?round={open_round_id(db_session)}")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4) if r[0].value is not None
            and isinstance(r[0].value, int)]
    assert len(rows) == 2
    by_target = {r[2]: r for r in rows}
    gb_name = db_session.get(GeneralBranch, gb01).name
    assert by_target[gb_name][3] == "党总支" and by_target[gb_name][9] == expected
    assert by_target[gb_name][4] == item1 and by_target[gb_name][10] == 3
    committee_row = next(r for r in rows if r[3] == "党委")
    assert committee_row[9] == "有效票不足（1/3）" and committee_row[4] == "—"

    # closing makes it final
    assert committee.post_form(f"/ballots/{about_gb}/close", {}, token_from="/upward/").status_code == 302
    assert campaign_row(db_session, about_gb).status == "closed"
    assert voter.vote(codes[3], _scores(VOTES[0])).status_code == 410
    assert db_session.scalar(select(func.count(Ballot.id)).where(Ballot.campaign_id == about_gb)) == 3


def test_who_sees_which_results(app, login_as, db_session):
    committee = login_as("committee")
    gb01, gb02 = _gb_id(db_session, "gb01"), _gb_id(db_session, "gb02")
    about_gb01, codes1 = _open(committee, db_session, gb01, 3, min_turnout=1)
    about_gb02, _codes2 = _open(committee, db_session, gb02, 3, min_turnout=1)
    assert Voter(app).vote(codes1[0], _scores(VOTES[0])).status_code == 200
    names = {gb: db_session.get(GeneralBranch, gb).name for gb in (gb01, gb02)}
    # a general branch reads the result about itself, not another's, and organizes nothing
    own = login_as("gb01")
    page = own.get("/upward/")
    assert page.status_code == 200
    assert f'data-campaign="{about_gb01}"' in page.text and f'data-campaign="{about_gb02}"' not in page.text
    assert "90.00" in text_of(page.text) and 'id="open-upward"' not in page.text
    assert 'id="upward-export"' not in page.text
    assert own.get("/upward/export.xlsx").status_code == 403
    assert own.client.post("/upward/open", data={"round": open_round_id(db_session), "target": gb01,
                                                 "min_turnout": 1, "count": 5,
                                                 "csrf_token": own.token()}).status_code == 403
    for path in (f"/ballots/{about_gb01}/issue", f"/ballots/{about_gb01}/close"):
        response = own.post_form(path, {"count": 5}, token_from="/ballots/", follow_redirects=True)
        assert "只能由党委组织" in text_of(response.text), path
    assert own.post_form(f"/ballots/{about_gb02}/issue", {"count": 5}, token_from="/ballots/").status_code == 404
    assert campaign_row(db_session, about_gb01).issued == 3 and campaign_row(db_session, about_gb01).status == "open"
    # its own upward campaign is not among the campaigns it organizes
    assert f'data-campaign="{about_gb01}"' not in own.get("/ballots/").text
    # a branch sees none of it
    branch = login_as("gb01-b01")
    assert branch.get("/upward/").status_code == 403
    assert branch.get("/upward/export.xlsx").status_code == 403
    other = login_as("gb02").get("/upward/").text
    assert f'data-campaign="{about_gb01}"' not in other and f'data-campaign="{about_gb02}"' in other
    assert names[gb01] not in text_of(other)


def test_one_upward_campaign_per_round_and_target(login_as, db_session):
    committee = login_as("committee")
    gb01 = _gb_id(db_session, "gb01")
    _open(committee, db_session, gb01, 1)
    _open(committee, db_session, "committee", 1)
    for target in (gb01, "committee"):
        response = committee.post_form("/upward/open", {"round": open_round_id(db_session), "target": target,
                                                        "min_turnout": 1, "count": 1}, token_from="/upward/",
                                       follow_redirects=True)
        assert "本批次已有对该组织的联评" in text_of(response.text)
    assert db_session.scalar(select(func.count(BallotCampaign.id)).where(BallotCampaign.kind == "upward")) == 2
    # a foreign or unknown general branch, a bad number: refused, nothing opened
    for target in ("999999", "x", "9" * 30):
        response = committee.post_form("/upward/open", {"round": open_round_id(db_session), "target": target,
                                                        "min_turnout": 1, "count": 1}, token_from="/upward/")
        assert response.status_code in (302, 404), target
    assert db_session.scalar(select(func.count(BallotCampaign.id)).where(BallotCampaign.kind == "upward")) == 2
