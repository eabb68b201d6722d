"""`flask zhibu ballots issue|close`, run the way an operator's script would."""
from sqlalchemy import func, select

from app.models import BallotCampaign, BallotCode
from tests.support.ballots import Voter, assessment_of, branch_id, campaign_row, open_round_id


def _issue(app, db_session, tmp_path, user="gb01", branch="gb01-b01", kind="masses", count=6, extra=()):
    out = tmp_path / "codes.txt"
    result = app.test_cli_runner().invoke(args=[
        "zhibu", "ballots", "issue", "--round", str(open_round_id(db_session)),
        "--branch", str(branch_id(db_session, branch)), "--kind", kind, "--count", str(count),
        "--as", user, "--output", str(out), *extra])
    return result, out


def test_issue_writes_the_codes_and_prints_the_campaign(app, db_session, tmp_path):
    result, out = _issue(app, db_session, tmp_path, extra=("--min-turnout", "2"))
    assert result.exit_code == 0, result.output
    campaign_id = int(result.output.strip())
    codes = out.read_text().splitlines()
    assert len(codes) == 6 and len(set(codes)) == 6
    campaign = campaign_row(db_session, campaign_id)
    assert (campaign.kind, campaign.min_turnout, campaign.issued) == ("masses", 2, 6)
    voter = Voter(app)
    for code in codes[:2]:
        assert voter.vote(code, {"role": "satisfied"}).status_code == 200
    assert assessment_of(db_session, "gb01-b01").mass_satisfaction == 1.0
    # again: more codes for the same campaign
    result, out = _issue(app, db_session, tmp_path, count=3)
    assert int(result.output.strip()) == campaign_id and len(out.read_text().splitlines()) == 3
    assert db_session.scalar(select(func.count(BallotCode.id))) == 9
    result = app.test_cli_runner().invoke(args=["zhibu", "ballots", "close", "--campaign", str(campaign_id),
                                                "--as", "gb01"])
    assert result.exit_code == 0, result.output
    assert campaign_row(db_session, campaign_id).status == "closed"
    assert voter.vote(codes[3], {"role": "satisfied"}).status_code == 410


def test_the_branch_being_judged_and_a_foreign_general_branch_are_refused(app, db_session, tmp_path):
    result, out = _issue(app, db_session, tmp_path, user="gb01-b01")
    assert result.exit_code == 1 and "被评议的党支部不能为自己组织" in result.output
    result, out = _issue(app, db_session, tmp_path, user="gb02")
    assert result.exit_code == 1 and "找不到党支部" in result.output
    assert not out.exists()
    assert db_session.scalar(select(func.count(BallotCampaign.id))) == 0
    result, _out = _issue(app, db_session, tmp_path)
    campaign_id = result.output.strip()
    for user in ("gb01-b01", "gb02"):
        result = app.test_cli_runner().invoke(args=["zhibu", "ballots", "close", "--campaign", campaign_id,
                                                    "--as", user])
        assert result.exit_code == 1, result.output
    assert campaign_row(db_session, int(campaign_id)).status == "open"
