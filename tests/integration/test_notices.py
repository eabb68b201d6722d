"""Notices (提醒): what each demo user finds in the inbox on a given day, the bell, marking read,
a foreign notice, idempotence, the home's daily run, and the e-mail (off by default)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select, update

from app.models import AssessmentRound, Branch, GeneralBranch, Notice, Rectification
from app.services.demo_assessment import REASSESSMENT
from app.services.home import months_between, term_end
from app.rules.policy import PROFILE_2012, policy_for
from app.services.notices import term_kind
from tests.conftest import fresh_app, make_app

ROW = re.compile(r'<tr class="zhibu-notice( zhibu-notice-unread)?" data-kind="(\w+)" data-id="(\d+)">(.*?)</tr>', re.S)
WEEK_BEFORE = "2012-10-24"      # the demo's 复评 closes on 2012-10-31


def run_notices(app, day):
    result = app.test_cli_runner().invoke(args=["zhibu", "notices", "--date", day])
    assert result.exit_code == 0, result.output
    return result.output


def rows(page):
    return [{"unread": bool(u), "kind": k, "id": int(i), "html": h} for u, k, i, h in ROW.findall(page)]


def bell(page):
    """The bell's unread count in the navbar (0 when it shows no badge); None: no bell."""
    if 'id="notice-bell"' not in page:
        return None
    match = re.search(r'id="notice-count">(\d+)<', page)
    return int(match.group(1)) if match else 0


def expected_terms(db_session, day, branch_filter):
    """(kind, branch name) of the 换届 notices of the branches matching branch_filter on day."""
    found = set()
    for name, elected, years, exemption in db_session.execute(
            select(Branch.name, Branch.elected_on, Branch.term_years, Branch.election_exemption)
            .join(GeneralBranch).where(branch_filter)):
        if elected is None or exemption:
            continue
        # the demo committee keeps the 2012 plan's profile: the first notice 6 months ahead
        kind = term_kind(months_between(day, term_end(elected, years)), policy_for(PROFILE_2012).term_notice_months)
        if kind:
            found.add((kind, name))
    return found


def test_each_demo_user_finds_its_own_notices_a_week_before_the_deadline(app, login_as, db_session):
    output = run_notices(app, WEEK_BEFORE)
    assert "round_deadline_7" in output
    day = date.fromisoformat(WEEK_BEFORE)
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))

    branch = login_as("gb01-b01")
    page = branch.get("/notices/").text
    found = rows(page)
    assert {r["kind"] for r in found if r["kind"].startswith("round")} == {"round_deadline_7"}
    deadline = next(r for r in found if r["kind"] == "round_deadline_7")
    assert REASSESSMENT in deadline["html"] and "将于 2012-10-31 截止，还有不到 7 天" in deadline["html"]
    assert all(r["unread"] and "<b>" in r["html"] for r in found)
    terms = {(r["kind"], re.search(r"「([^」]+)」", r["html"]).group(1)) for r in found if r["kind"].startswith("term")}
    assert terms == expected_terms(db_session, day, Branch.id == own.id)
    assert bell(page) == len(found) == bell(branch.get("/jobs/").text)

    gb = login_as("gb01")
    gb_rows = rows(gb.get("/notices/?page=0").text)
    gb_terms = {(r["kind"], re.search(r"「([^」]+)」", r["html"]).group(1)) for r in gb_rows
                if r["kind"].startswith("term")}
    assert gb_terms == expected_terms(db_session, day, GeneralBranch.code == "gb01")
    assert sum(r["kind"] == "round_deadline_7" for r in gb_rows) == 1

    committee = rows(login_as("committee").get("/notices/").text)
    assert [r["kind"] for r in committee] == ["round_deadline_7"]

    # a second run that day, or the next, makes nothing twice
    assert "new notices: 0" in run_notices(app, WEEK_BEFORE)
    assert "round_deadline" not in run_notices(app, "2012-10-25")
    # the day before the deadline: the last reminder
    assert "round_deadline_1" in run_notices(app, "2012-10-30")
    assert rows(branch.get("/notices/").text)[0]["kind"] == "round_deadline_1"


def test_opening_a_notice_marks_it_read_and_goes_where_it_is_done(app, login_as):
    run_notices(app, WEEK_BEFORE)
    user = login_as("gb01-b01")
    page = user.get("/notices/").text
    before, first = bell(page), rows(page)[0]
    response = user.post_form(f"/notices/{first['id']}/follow", {}, token_from="/notices/")
    assert response.status_code == 302
    target = user.get(response.headers["Location"])
    assert target.status_code == 200
    assert bell(target.text) == before - 1
    again = next(r for r in rows(user.get("/notices/").text) if r["id"] == first["id"])
    assert not again["unread"] and "<b>" not in again["html"]
    # "mark read" on another, then all
    second = next(r for r in rows(user.get("/notices/").text) if r["unread"])
    assert user.post_form(f"/notices/{second['id']}/read", {"page": "0"}, token_from="/notices/").status_code == 302
    assert bell(user.get("/notices/").text) == before - 2
    assert user.post_form("/notices/read-all", {}, token_from="/notices/").status_code == 302
    page = user.get("/notices/").text
    assert bell(page) == 0 and not any(r["unread"] for r in rows(page))


def test_a_foreign_notice_is_not_found_and_marking_needs_a_post_with_a_token(app, login_as, db_session):
    run_notices(app, WEEK_BEFORE)
    gb_user_id = db_session.scalar(select(Notice.recipient_id).join(
        GeneralBranch, GeneralBranch.id == Notice.general_branch_id).where(
        GeneralBranch.code == "gb01", Notice.org_kind == "general_branch").limit(1))
    foreign = db_session.scalar(select(Notice.id).where(Notice.recipient_id == gb_user_id).limit(1))
    branch = login_as("gb01-b01")
    for path in (f"/notices/{foreign}/follow", f"/notices/{foreign}/read"):
        assert branch.post_form(path, {}, token_from="/notices/").status_code == 404
    assert branch.get(f"/notices/{foreign}/follow").status_code == 405
    own = rows(branch.get("/notices/").text)[0]["id"]
    assert branch.client.post(f"/notices/{own}/read", data={}).status_code == 400   # no CSRF token
    assert db_session.get(Notice, own).read_at is None
    # the foreign notice stays unread; the operator's inbox holds nothing of anyone's
    assert db_session.get(Notice, foreign).read_at is None
    assert rows(login_as("admin").get("/notices/").text) == []


def test_an_overdue_rectification_item_is_told_to_its_branch_and_general_branch(app, login_as, db_session):
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    round_id = db_session.scalar(select(AssessmentRound.id).where(AssessmentRound.name == REASSESSMENT))
    item = Rectification(branch_id=own.id, round_id=round_id, problems="组织生活不规范", measures="",
                         due_on=date(2012, 10, 1), status="in_progress")
    db_session.add(item)
    db_session.commit()
    run_notices(app, WEEK_BEFORE)
    for username in ("gb01-b01", "gb01"):
        user = login_as(username)
        overdue = [r for r in rows(user.get("/notices/").text) if r["kind"] == "rectification_overdue"]
        assert len(overdue) == 1 and own.name in overdue[0]["html"] and "2012-10-01" in overdue[0]["html"]
        response = user.post_form(f"/notices/{overdue[0]['id']}/follow", {}, token_from="/notices/")
        assert response.headers["Location"].endswith(f"/rectificationview/show/{item.id}")
        assert user.get(response.headers["Location"]).status_code == 200
    assert not any(r["kind"] == "rectification_overdue" for r in rows(login_as("gb02").get("/notices/").text))


def test_notices_read_in_english_from_the_same_rows(app, login_as):
    run_notices(app, WEEK_BEFORE)
    user = login_as("gb01-b01")
    user.get("/lang/en")
    page = user.get("/notices/").text
    deadline = next(r for r in rows(page) if r["kind"] == "round_deadline_7")
    assert "closes on 2012-10-31" in deadline["html"] and "截止" not in deadline["html"]


def test_the_inbox_pages_twenty_at_a_time(app, login_as):
    run_notices(app, WEEK_BEFORE)
    user = login_as("committee")
    with app.app_context():
        from app.extensions import db
        from app.security.scope import system_actor

        with system_actor("test"):
            template = db.session.scalars(select(Notice).where(Notice.org_kind == "committee")).first()
            for n in range(25):
                db.session.add(Notice(recipient_id=template.recipient_id, kind="term_expired",
                                      subject_table="zb_branch", subject_id=n + 1, due_on=date(2012, 6, 1),
                                      params='{"branch": "测试支部%d"}' % n, dedupe_key=f"test:{n}",
                                      org_kind="committee", committee_id=template.committee_id))
            db.session.commit()
    first, second = user.get("/notices/").text, user.get("/notices/?page=1").text
    assert len(rows(first)) == 20 and len(rows(second)) == 6
    assert rows(first)[0]["id"] > rows(first)[-1]["id"] > rows(second)[0]["id"]   # newest first
    assert 'id="notice-pages"' in first


def test_the_first_home_page_of_the_day_makes_the_days_notices_once(app, login_as, db_session):
    assert db_session.scalar(select(func.count(Notice.id))) == 0
    user = login_as("gb01-b01")
    page = user.get("/").text
    made = db_session.scalar(select(func.count(Notice.id)))
    own = db_session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
    expected = expected_terms(db_session, date.today(), Branch.id == own.id)
    assert bell(page) == len(expected)          # the demo's terms have all run out by now
    db_session.execute(update(Notice).values(read_at=None))
    db_session.commit()
    user.get("/")
    assert db_session.scalar(select(func.count(Notice.id))) == made   # not again today


def test_mail_is_off_by_default(app):
    assert app.config["ZHIBU_MAIL_ENABLED"] is False
    with app.app_context():
        from app.extensions import mail
        from app.services.notices import generate_notices, send_notice_mail

        with mail.record_messages() as outbox:
            generate_notices(date.fromisoformat(WEEK_BEFORE))
            assert send_notice_mail() == 0
        assert outbox == []


@pytest.fixture
def mail_app(db_factory):
    url = db_factory.fresh_url()
    application = make_app(url, {"ZHIBU_MAIL_ENABLED": True, "MAIL_SUPPRESS_SEND": True,
                                 "ZHIBU_BASE_URL": "https://zhibu.example.edu.cn"})
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    db_factory.dispose(url)


def test_with_mail_on_each_new_notice_is_mailed_once(mail_app):
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db, mail
    from app.services.notices import generate_notices, send_notice_mail

    with mail_app.app_context():
        db.session.execute(update(User).where(User.username == "gb01-b01").values(email="b01@example.edu.cn"))
        db.session.commit()
        with mail.record_messages() as outbox:
            generate_notices(date.fromisoformat(WEEK_BEFORE))
            assert send_notice_mail() == 1      # the demo's other accounts have .invalid addresses
            assert send_notice_mail() == 0      # once
        assert [m.recipients for m in outbox] == [["b01@example.edu.cn"]]
        body = outbox[0].body
        assert "将于 2012-10-31 截止" in body and "closes on 2012-10-31" in body
        assert "https://zhibu.example.edu.cn/notices/" in body
        assert db.session.scalar(select(func.count(Notice.id)).where(Notice.emailed_at.is_not(None))) == \
            db.session.scalar(select(func.count(Notice.id)).join(User, User.id == Notice.recipient_id)
                              .where(User.username == "gb01-b01"))


@pytest.fixture
def short_notice_app(db_factory):
    """The demo with the 换届 notice set to 2 months ahead in the configuration (ZHIBU_HEALTH)."""
    url = db_factory.fresh_url()
    application = make_app(url, {"ZHIBU_HEALTH": {"term_notice_months": 2}})
    yield application
    with application.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    db_factory.dispose(url)


@pytest.mark.parametrize("configured, expected", [(None, {"term_due_6"}), (2, set())])
def test_the_first_term_notice_comes_as_far_ahead_as_the_committees_policy_says(
        app, short_notice_app, configured, expected):
    """A term ending in 5 months: noticed 6 months ahead by the 2012 plan, not yet at 2 months."""
    from app.extensions import db
    from app.security.scope import system_actor
    from app.services.notices import generate_notices

    application = app if configured is None else short_notice_app
    day = date(2012, 10, 24)
    with application.app_context():
        branch = db.session.scalar(select(Branch).where(Branch.code == "gb01-b01"))
        with system_actor("test"):
            db.session.execute(update(Branch).where(Branch.id == branch.id)
                               .values(elected_on=date(2010, 3, 25), term_years=3, election_exemption=None))
            db.session.commit()   # the term ends 2013-03-25: 5 whole months after the day
        generate_notices(day)
        kinds = set(db.session.scalars(select(Notice.kind).where(
            Notice.subject_table == "zb_branch", Notice.subject_id == branch.id)))
    assert kinds == expected
