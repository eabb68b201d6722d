"""Anonymous ballots (DOMAIN.md "Ballots") driven as their users drive them: the general
branch issues codes, voters without a login vote on /ballot/<code>, the assessment follows."""
import pytest
from sqlalchemy import func, select

from app.models import Ballot, BallotCampaign, BallotCode, Branch, ScoreSheet, StandardItem
from tests.support.ballots import (
    Voter, assessment_of, branch_id, campaign_row, codes_of, members_answers, open_campaign, open_round_id,
)
from tests.support.rosters import text_of
from tests.support.jobs import run_job

MEMBERS_VOTES = [
    ((18, 17, 19, 16, 20), "satisfied"),
    ((15, 15, 15, 15, 15), "basic"),
    ((20, 20, 20, 20, 20), "satisfied"),
    ((10, 12, 11, 9, 13), "unsatisfied"),
    ((19, 18, 18, 17, 18), "satisfied"),
    ((16, 16, 17, 15, 16), "unsatisfied"),
]


def test_a_full_members_campaign_through_the_web(app, login_as, db_session):
    organizer = login_as("gb01")
    campaign_id, codes = open_campaign(organizer, db_session, "gb01-b01", "members", count=8)
    assert len(codes) == 8 and len(set(codes)) == 8
    assert all(len(c.replace("-", "")) == 12 for c in codes)
    assert not set("01OIL") & set("".join(codes).replace("-", ""))

    voter = Voter(app)
    page = voter.get(codes[0])
    assert page.status_code == 200
    text = text_of(page.text)
    assert "支部党员评议" in text and "gb01" not in text
    standards = db_session.scalars(select(StandardItem.title).join(Branch, Branch.category == StandardItem.category)
                                   .where(Branch.code == "gb01-b01")).all()
    assert len(standards) == 5 and all(title in text for title in standards)
    for code, (s, secretary) in zip(codes, MEMBERS_VOTES):
        response = voter.vote(code, members_answers(s, secretary))
        assert response.status_code == 200 and "投票成功" in response.text

    # a code votes once; an unknown code is unknown
    again = voter.vote(codes[0], members_answers((20,) * 5, "satisfied"))
    assert again.status_code == 409 and "已经投过票" in again.text
    assert voter.get(codes[1]).status_code == 409
    assert voter.get("ZZZZ-ZZZZ-ZZZZ").status_code == 404
    assert voter.get("not-a-code").status_code == 404

    # the assessment's source and rate are the ballots'
    totals = [sum(s) for s, _ in MEMBERS_VOTES]
    content = sum(1 for _, sec in MEMBERS_VOTES if sec in ("satisfied", "basic"))
    after = assessment_of(db_session, "gb01-b01")
    assert after.member_score == pytest.approx(round(sum(totals) / len(totals), 2))
    assert after.secretary_satisfaction == pytest.approx(content / len(MEMBERS_VOTES))
    explanation = text_of(organizer.get(f"/scoring/assessment/{after.id}").text)
    assert "支部党员评议：按 6 张匿名选票统计（最低有效票数 5），测评进行中" in explanation

    # closing: the figures are final, an unused code is refused and nothing is counted
    response = organizer.post_form(f"/ballots/{campaign_id}/close", {}, token_from="/ballots/")
    assert response.status_code == 302
    assert campaign_row(db_session, campaign_id).status == "closed"
    closed = voter.vote(codes[7], members_answers((20,) * 5, "satisfied"))
    assert closed.status_code == 410 and "已经结束" in closed.text
    assert db_session.scalar(select(func.count(Ballot.id)).where(Ballot.campaign_id == campaign_id)) == 6
    explanation = text_of(organizer.get(f"/scoring/assessment/{after.id}").text)
    assert "测评已结束，结果为最终结果" in explanation


def test_masses_rate_and_the_minimum_turnout(app, login_as, db_session):
    organizer = login_as("gb01")
    _campaign, codes = open_campaign(organizer, db_session, "gb01-b02", "masses", count=4, min_turnout=3)
    before = assessment_of(db_session, "gb01-b02")
    assert before.mass_satisfaction is None  # the campaign replaces the typed rate; none cast yet
    voter = Voter(app)
    for code, answer in zip(codes, ("satisfied", "unsatisfied")):
        assert voter.vote(code, {"role": answer}).status_code == 200
    short = assessment_of(db_session, "gb01-b02")
    assert short.mass_satisfaction is None
    lines = text_of(organizer.get(f"/scoring/assessment/{short.id}").text)
    assert "群众对党员发挥作用的满意率：匿名测评只收到 2 张选票，少于最低有效票数 3，按缺项处理" in lines
    assert voter.vote(codes[2], {"role": "basic"}).status_code == 200
    enough = assessment_of(db_session, "gb01-b02")
    assert enough.mass_satisfaction == pytest.approx(2 / 3)
    # the typed secretary rate stays, marked as typed
    lines = text_of(organizer.get(f"/scoring/assessment/{enough.id}").text)
    assert "支部书记在党员中的满意率：未开展匿名测评，按纸质表手工录入。" in lines
    assert "按 3 张匿名选票统计（最低有效票数 3）" in lines


def test_a_campaign_replaces_typed_entry_for_its_figures(app, login_as, api_as, db_session):
    organizer = login_as("gb01")
    open_campaign(organizer, db_session, "gb01-b01", "members", count=2)
    target = assessment_of(db_session, "gb01-b01")
    sheet = {"assessment": target.id, "source": "members", "rater": "纸质表", "s1": 18, "s2": 18, "s3": 18,
             "s4": 18, "s5": 18}
    before = db_session.scalar(select(func.count(ScoreSheet.id)))
    response = api_as("gb01").post("/api/v1/scoresheet/", json=sheet)
    assert response.status_code == 403 and "匿名测评" in response.json["message"]
    assert db_session.scalar(select(func.count(ScoreSheet.id))) == before
    # the secretary rate is the campaign's: not on the form, refused when forged
    url = f"/scoring/assessment/{target.id}"
    page = organizer.get(url)
    assert 'name="secretary"' not in page.text and 'id="rate-secretary-balloted"' in page.text
    response = organizer.post_form(f"{url}/rates", {"mass": "80", "secretary": "99"}, token_from=url,
                                   follow_redirects=True)
    assert "由匿名测评的选票统计" in response.text
    assert assessment_of(db_session, "gb01-b01").secretary_satisfaction is None
    # the typed mass rate (no masses campaign) is still typed
    response = organizer.post_form(f"{url}/rates", {"mass": "80"}, token_from=url, follow_redirects=True)
    assert assessment_of(db_session, "gb01-b01").mass_satisfaction == pytest.approx(0.8)


def test_the_branch_being_judged_cannot_issue_or_see_codes(app, login_as, db_session):
    campaign_id, codes = open_campaign(login_as("gb01"), db_session, "gb01-b01", "members", count=3)
    branch = login_as("gb01-b01")
    assert branch.get("/ballots/").status_code == 403
    token = branch.token()
    data = {"round": open_round_id(db_session), "branch": branch_id(db_session, "gb01-b01"), "kind": "masses",
            "min_turnout": 1, "count": 5, "csrf_token": token}
    assert branch.client.post("/ballots/open", data=data).status_code == 403
    assert branch.client.post(f"/ballots/{campaign_id}/issue", data={"count": 5, "csrf_token": token}).status_code == 403
    assert branch.client.post(f"/ballots/{campaign_id}/close", data={"csrf_token": token}).status_code == 403
    assert db_session.scalar(select(func.count(BallotCampaign.id))) == 1
    assert db_session.scalar(select(func.count(BallotCode.id))) == 3
    # not through the service either (the CLI, a job): the rules refuse the role
    from app.extensions import db
    from app.models import AssessmentRound, Branch
    from app.security.scope import acting_as, org_of_user
    from app.services import ballots

    with app.app_context():
        actor = org_of_user(app.appbuilder.sm.find_user(username="gb01-b01"))
        with acting_as(actor):
            assert db.session.scalars(select(BallotCampaign)).all() == []  # cannot even see it
            assert db.session.scalars(select(BallotCode)).all() == []
            with pytest.raises(ballots.CampaignRefused):
                ballots.open_campaign(db.session.get(AssessmentRound, open_round_id(db_session)),
                                      db.session.get(Branch, branch_id(db_session, "gb01-b01")), "masses", 5, actor)
    # another general branch does not see or touch it
    other = login_as("gb02")
    assert "gb01" not in other.get("/ballots/").text or str(campaign_id) not in other.get("/ballots/").text
    assert other.post_form(f"/ballots/{campaign_id}/issue", {"count": 5}, token_from="/ballots/").status_code == 404
    assert other.post_form(f"/ballots/{campaign_id}/close", {}, token_from="/ballots/").status_code == 404
    # nor opens one for a branch of gb01
    response = other.post_form("/ballots/open", {"round": open_round_id(db_session),
                                                 "branch": branch_id(db_session, "gb01-b02"), "kind": "members",
                                                 "min_turnout": 5, "count": 2}, token_from="/ballots/")
    assert response.status_code in (302, 404)
    assert db_session.scalar(select(func.count(BallotCampaign.id))) == 1


def test_bad_answers_and_a_missing_token_spend_nothing(app, login_as, db_session):
    _campaign, codes = open_campaign(login_as("gb01"), db_session, "gb01-b01", "members", count=1)
    voter = Voter(app)
    for bad in ("21", "-1", "", "12.5", "9" * 30, "１２"):
        response = voter.vote(codes[0], {**members_answers((15,) * 5, "satisfied"), "s3": bad})
        assert response.status_code == 400, bad
        assert "0 到 20 之间的整数" in response.text
    response = voter.vote(codes[0], members_answers((15,) * 5, "maybe"))
    assert response.status_code == 400
    response = voter.vote(codes[0], members_answers((15,) * 5, "satisfied"), with_token=False)
    assert response.status_code == 400
    assert db_session.scalar(select(func.count(Ballot.id))) == 0
    assert voter.vote(codes[0], members_answers((15,) * 5, "satisfied")).status_code == 200


def test_codes_are_case_and_hyphen_tolerant(app, login_as, db_session):
    _campaign, codes = open_campaign(login_as("gb01"), db_session, "gb01-b01", "masses", count=1)
    assert Voter(app).get(codes[0].replace("-", "").lower()).status_code == 200


def test_failed_lookups_are_rate_limited_per_address_but_valid_votes_are_not(app, login_as, db_session):
    app.config["ZHIBU_BALLOT_LOOKUP_LIMIT"] = 3
    _campaign, codes = open_campaign(login_as("gb01"), db_session, "gb01-b01", "masses", count=12)
    room = Voter(app, "192.0.2.10")
    for code in codes[:8]:  # a room of voters behind one address: never blocked
        assert room.vote(code, {"role": "satisfied"}).status_code == 200
    attacker = Voter(app, "203.0.113.66")
    for _ in range(3):
        assert attacker.get("ABCD-EFGH-JKMN").status_code == 404
    assert attacker.get("ABCD-EFGH-JKMP").status_code == 429
    blocked = attacker.get(codes[8])  # over the limit: not even a valid code is looked up
    assert blocked.status_code == 429 and "太多无效" in blocked.text
    assert room.vote(codes[9], {"role": "basic"}).status_code == 200  # other addresses go on


def test_closing_the_round_closes_its_campaigns(app, login_as, db_session):
    campaign_id, codes = open_campaign(login_as("gb01"), db_session, "gb01-b01", "masses", count=2)
    committee = login_as("committee")
    from app.extensions import db
    from app.models import AssessmentRound
    from app.security.scope import acting_as, org_of_user
    from app.services.assessment import close_round

    with app.app_context():
        with acting_as(org_of_user(app.appbuilder.sm.find_user(username="committee"))):
            close_round(db.session.get(AssessmentRound, open_round_id(db_session)))
    assert campaign_row(db_session, campaign_id).status == "closed"
    assert Voter(app).vote(codes[0], {"role": "satisfied"}).status_code == 410
    assert db_session.scalar(select(func.count(Ballot.id))) == 0
    response = committee.client.post(f"/ballots/{campaign_id}/issue", data={"count": 3, "csrf_token": committee.token()},
                                     follow_redirects=True)
    assert "测评已结束" in response.text
    assert db_session.scalar(select(func.count(BallotCode.id))) == 2


def test_the_issue_page_prints_slips_with_qr_codes_and_a_plain_list(app, login_as, db_session):
    import base64
    import re

    from app.forms.slips import qr_svg

    organizer = login_as("gb01")
    response = organizer.post_form("/ballots/open", {
        "round": open_round_id(db_session), "branch": branch_id(db_session, "gb01-b03"), "kind": "masses",
        "min_turnout": 5, "count": 4}, token_from="/ballots/", follow_redirects=True)
    page = response.text
    assert "size: A4" in page and page.count('class="slip"') == 4
    links = re.findall(r'<div class="url">([^<]+)</div>', page)
    assert len(links) == 4 and all(re.fullmatch(r"http://localhost/ballot/[2-9A-HJKMNP-Z]{12}", u) for u in links)
    for link in links:  # each slip's QR code holds its own voting address
        assert qr_svg(link) in page
    data = re.search(r'href="data:text/plain;charset=utf-8;base64,([^"]+)"', page).group(1)
    listed = base64.b64decode(data).decode().splitlines()
    assert listed == [u.rsplit("/", 1)[1] for u in links]
    # shown once: only hashes are kept, the list page never shows a code again
    assert not any(code in organizer.get("/ballots/").text for code in listed)
    assert db_session.scalar(select(func.count(BallotCode.id))) == 4


def test_the_committee_recompute_keeps_the_ballots_tally(app, login_as, db_session):
    _campaign, codes = open_campaign(login_as("gb01"), db_session, "gb01-b01", "members", count=5, min_turnout=2)
    voter = Voter(app)
    for code, (s, sec) in zip(codes, MEMBERS_VOTES[:3]):
        assert voter.vote(code, members_answers(s, sec)).status_code == 200
    expected = assessment_of(db_session, "gb01-b01")
    member_score, secretary = expected.member_score, expected.secretary_satisfaction
    assert member_score == pytest.approx(round(sum(sum(s) for s, _ in MEMBERS_VOTES[:3]) / 3, 2))
    committee = login_as("committee")
    url = f"/scoring/round/{open_round_id(db_session)}"
    assert run_job(committee, committee.post_form(f"{url}/recompute", {}, token_from=url))["state"] == "done"
    after = assessment_of(db_session, "gb01-b01")
    assert after.member_score == pytest.approx(member_score)
    assert after.secretary_satisfaction == pytest.approx(secretary) == pytest.approx(1.0)  # satisfied, basic, satisfied


def test_the_codes_page_is_shown_once_and_a_refresh_issues_nothing(app, login_as, db_session):
    """POST-redirect-GET: the POST issues and redirects; the page shows the batch once; a
    refresh (the GET again) neither shows the codes again nor issues a new batch."""
    organizer = login_as("gb01")
    response = organizer.post_form("/ballots/open", {
        "round": open_round_id(db_session), "branch": branch_id(db_session, "gb01-b01"), "kind": "masses",
        "min_turnout": 5, "count": 6}, token_from="/ballots/")
    assert response.status_code == 302
    codes_url = response.headers["Location"]
    assert codes_url.endswith("/codes")
    page = organizer.get(codes_url)
    assert page.status_code == 200
    codes = codes_of(page.text)
    assert len(codes) == len(set(codes)) == 6
    assert db_session.scalar(select(func.count(BallotCode.id))) == 6
    # the codes shown are the codes stored (as hashes): each one votes
    assert Voter(app).vote(codes[0], {"role": "satisfied"}).status_code == 200

    again = organizer.get(codes_url)
    assert again.status_code == 302 and again.headers["Location"].endswith("/ballots/")
    assert "只显示一次" in organizer.get("/ballots/").text
    assert db_session.scalar(select(func.count(BallotCode.id))) == 6
    campaign_id = int(codes_url.rstrip("/").split("/")[-2])
    assert campaign_row(db_session, campaign_id).issued == 6

    # adding codes: the same pattern, a fresh batch, shown once
    response = organizer.post_form(f"/ballots/{campaign_id}/issue", {"count": 3}, token_from="/ballots/")
    assert response.status_code == 302
    more = codes_of(organizer.get(response.headers["Location"]).text)
    assert len(more) == 3 and not set(more) & set(codes)
    assert organizer.get(response.headers["Location"]).status_code == 302
    assert db_session.scalar(select(func.count(BallotCode.id))) == 9
    # another organizer's session holds no batch: nothing to see (and a foreign campaign is 404)
    assert login_as("gb02").get(codes_url).status_code == 404
    assert login_as("committee").get(codes_url).status_code == 302


def test_codes_from_a_seed_are_uniform_over_the_alphabet_and_distinct():
    from collections import Counter

    from app.services.ballots import ALPHABET, CODE_LENGTH, codes_from_seed, new_seed

    seed = new_seed()
    codes = codes_from_seed(seed, 500)
    assert codes == codes_from_seed(seed, 500) and len(set(codes)) == 500
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    counts = Counter("".join(codes))
    assert set(counts) == set(ALPHABET)
    expected = 500 * CODE_LENGTH / len(ALPHABET)  # ~194 per character
    assert all(abs(n - expected) < 6 * expected ** 0.5 for n in counts.values())
    assert codes_from_seed(new_seed(), 5) != codes[:5]
