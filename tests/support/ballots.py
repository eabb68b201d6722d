"""Ballot campaigns as their users drive them: an organizer issues codes, anyone votes."""
import re

from sqlalchemy import select

from app.models import Assessment, AssessmentRound, BallotCampaign, Branch
from app.services.demo_assessment import REASSESSMENT
from tests.support.clients import csrf_token

CODES_RE = re.compile(r'<pre id="plain-list">(.*?)</pre>', re.S)
CAMPAIGN_RE = re.compile(r'<span id="campaign-id">(\d+)</span>')


def open_round_id(session):
    return session.scalar(select(AssessmentRound.id).where(AssessmentRound.name == REASSESSMENT))


def branch_id(session, code):
    return session.scalar(select(Branch.id).where(Branch.code == code))


def assessment_of(session, branch_code, round_name=REASSESSMENT):
    session.expire_all()
    return session.scalar(select(Assessment).join(Branch).join(AssessmentRound, Assessment.round_id == AssessmentRound.id)
                          .where(Branch.code == branch_code, AssessmentRound.name == round_name))


def codes_of(page_html: str) -> list[str]:
    """The plain codes of an issue page (ABCD-EFGH-JKMN each)."""
    match = CODES_RE.search(page_html)
    assert match, "no code list in the page"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def open_campaign(user, session, branch_code, kind, count, min_turnout=5):
    """POST the open form as an organizer; returns (campaign id, codes)."""
    response = user.post_form("/ballots/open", {
        "round": open_round_id(session), "branch": branch_id(session, branch_code), "kind": kind,
        "min_turnout": min_turnout, "count": count}, token_from="/ballots/")
    assert response.status_code == 302, response.text[:3000]
    page = user.get(response.headers["Location"])
    assert page.status_code == 200, page.text[:3000]
    return int(CAMPAIGN_RE.search(page.text).group(1)), codes_of(page.text)


def campaign_row(session, pk):
    session.expire_all()
    return session.get(BallotCampaign, pk)


class Voter:
    """Anyone holding a code: a client that never logged in, from one network address."""

    def __init__(self, app, address="198.51.100.7"):
        self.client = app.test_client()
        self.address = address

    def get(self, code):
        return self.client.get(f"/ballot/{code}", environ_base={"REMOTE_ADDR": self.address})

    def vote(self, code, answers, with_token=True):
        page = self.get(code)
        data = dict(answers)
        if with_token:
            data["csrf_token"] = csrf_token(page.text) if page.status_code == 200 else self._any_token()
        return self.client.post(f"/ballot/{code}", data=data, environ_base={"REMOTE_ADDR": self.address})

    def _any_token(self):
        return csrf_token(self.client.get("/login/").text)


def members_answers(s, secretary):
    """A members ballot: five sub-scores and the secretary's rating."""
    return {**{f"s{i}": v for i, v in enumerate(s, start=1)}, "secretary": secretary}
