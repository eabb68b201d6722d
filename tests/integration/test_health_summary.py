"""The committee's kept health summary stays the records': after each kind of write through the
REST API (a meeting deleted, members moved between branches, a training event's hours, the
committee's profile) the committee's page equals the live check of the CLI, the change's marks
are taken, and only the changed branches are recomputed; a new day recomputes whole, and a
refresh that another refresh overtook writes nothing."""
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from app.models import (
    Branch, GeneralBranch, HealthMark, HealthState, HealthStatus, Meeting, Member, Secretary, TrainingAttendance,
    TrainingEvent,
)
from tests.integration.test_health import cli_json, committee_cells, demo_year, org_of


def page_is_live(app, user, db_session, year):
    """The committee page's cells (every page of it) equal the CLI's live check, per general branch."""
    page, shown = 0, {}
    while True:
        html = user.get(f"/health/committee?year={year}&page={page}").get_data(as_text=True)
        shown.update(committee_cells(html))
        if 'class="next"' not in html:
            break
        page += 1
    gb_of = dict(db_session.execute(select(Branch.id, Branch.general_branch_id)).all())
    live = defaultdict(Counter)
    for r in cli_json(app, year, "committee"):
        live[(gb_of[r["branch_id"]], r["rule"])][r["status"]] += 1
    assert set(shown) == set(live)
    for key, (p, w, f) in shown.items():
        assert (p, w, f) == (live[key]["pass"], live[key]["warn"], live[key]["fail"]), key
    db_session.rollback()
    return shown


def state(db_session, committee_id, year):
    db_session.rollback()
    return db_session.execute(select(HealthState.version, HealthState.as_of).where(
        HealthState.committee_id == committee_id, HealthState.year == year)).first()


def marks(db_session, committee_id):
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(HealthMark).where(HealthMark.committee_id == committee_id))


def kept(db_session, year, branch_id):
    db_session.rollback()
    return db_session.scalar(select(HealthStatus.statuses).where(HealthStatus.year == year,
                                                                 HealthStatus.branch_id == branch_id))


def test_writes_reach_the_committee_page_through_their_marks(app, login_as, api_as, db_session):
    year = demo_year(db_session)
    committee = org_of(db_session, "committee").committee_id
    user = login_as("committee")
    page_is_live(app, user, db_session, year)
    first = state(db_session, committee, year)
    assert first is not None and marks(db_session, committee) == 0
    # nothing changed: nothing recomputed, the state stays
    page_is_live(app, user, db_session, year)
    assert state(db_session, committee, year).version == first.version

    # 1. gb01 deletes the only meeting of a month of one of its branches: that branch's H7 fails
    gb01 = org_of(db_session, "gb01").general_branch_id
    month = func.extract("month", Meeting.held_on)
    lonely = db_session.execute(
        select(Meeting.branch_id, month, func.min(Meeting.id)).join(Branch, Branch.id == Meeting.branch_id)
        .where(Branch.general_branch_id == gb01, Meeting.held_on >= date(year, 1, 1),
               Meeting.held_on <= date(year, 12, 31))
        .group_by(Meeting.branch_id, month).having(func.count() == 1).limit(1)).first()
    assert lonely is not None
    before = kept(db_session, year, lonely[0])
    resp = api_as("gb01").delete(f"/api/v1/meeting/{lonely[2]}")
    assert resp.status_code == 200, resp.text
    assert marks(db_session, committee) >= 1
    page_is_live(app, user, db_session, year)
    assert marks(db_session, committee) == 0
    assert state(db_session, committee, year).version == first.version + 1
    assert kept(db_session, year, lonely[0])[6] == "f" and before is not None

    # 2. the committee moves members out of its largest branch until it is under the limit: H2 of both
    sizes = db_session.execute(select(Member.branch_id, func.count()).group_by(Member.branch_id)
                               .order_by(func.count().desc())).all()
    (big, size), (small, _) = sizes[0], sizes[-1]
    assert size > 50
    movers = db_session.scalars(select(Member.id).where(Member.branch_id == big).order_by(Member.id.desc())
                                .limit(size - 50)).all()
    api = api_as("committee")
    for member_id in movers:
        resp = api.put(f"/api/v1/member/{member_id}", json={"branch": small})
        assert resp.status_code == 200, resp.text
    page_is_live(app, user, db_session, year)
    assert kept(db_session, year, big)[1] == "p"
    assert marks(db_session, committee) == 0

    # 3. a training event credited to secretaries gets fewer hours: H4 where it was credited
    event_id = db_session.scalar(
        select(TrainingAttendance.event_id).join(Secretary, Secretary.member_id == TrainingAttendance.member_id)
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
        .where(TrainingEvent.held_on >= date(year, 1, 1), TrainingEvent.held_on <= date(year, 12, 31))
        .order_by(TrainingEvent.hours.desc()).limit(1))
    resp = api.put(f"/api/v1/trainingevent/{event_id}", json={"hours": 0.5})
    assert resp.status_code == 200, resp.text
    page_is_live(app, user, db_session, year)
    assert marks(db_session, committee) == 0


def test_a_new_day_recomputes_whole_and_an_overtaken_refresh_writes_nothing(app, db_session, monkeypatch):
    from app.extensions import db
    from app.security.scope import OrgRef, acting_as
    import app.services.health_summary as summary

    year = demo_year(db_session)
    committee = org_of(db_session, "committee").committee_id
    actor = OrgRef("committee", committee_id=committee, name="test")
    today = date.today()
    with app.app_context(), acting_as(actor):
        policy = summary.configured_policies()["2012"]
        assert summary.refresh(committee, year, today, policy) == "all"
        assert summary.refresh(committee, year, today, policy) == 0
        assert summary.refresh(committee, year, today + timedelta(days=1), policy) == "all"
        one = db.session.scalar(select(Branch.id).order_by(Branch.id).limit(1))
        # another refresh moves the state while this one computes: this one gives way
        real = summary.health_report

        def overtaken(*args, **kw):
            report = real(*args, **kw)
            db.session.connection().execute(HealthState.__table__.update().where(HealthState.committee_id == committee)
                               .values(version=HealthState.version + 10))
            return report

        db.session.connection().execute(HealthMark.__table__.insert().values(   # as the trail writer does
            committee_id=committee, general_branch_id=None, branch_id=one, table_name="zb_meeting", record_id=1,
            action="update"))
        db.session.commit()
        monkeypatch.setattr(summary, "health_report", overtaken)
        assert summary.refresh(committee, year, today + timedelta(days=1), policy) == 0
        db.session.rollback()
    assert marks(db_session, committee) == 1          # left for the next refresh
    count = db_session.scalar(select(func.count()).select_from(HealthStatus).where(HealthStatus.year == year))
    assert count == db_session.scalar(
        select(func.count()).select_from(Branch).join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .where(GeneralBranch.committee_id == committee))


def test_the_nightly_refresh_leaves_the_first_view_nothing_to_do(app, login_as, db_session):
    year = demo_year(db_session)
    committee = org_of(db_session, "committee").committee_id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["zhibu", "health", "--year", str(year), "--refresh"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(committee), "all"]
    version = state(db_session, committee, year).version
    page_is_live(app, login_as("committee"), db_session, year)
    assert state(db_session, committee, year).version == version       # read, not recomputed
    again = runner.invoke(args=["zhibu", "health", "--year", str(year), "--refresh"])
    assert again.output.split() == [str(committee), "0"]
    # a general branch cannot refresh (nor overwrite) the committee's summary
    refused = runner.invoke(args=["zhibu", "health", "--year", str(year), "--refresh", "--as", "gb01"])
    assert refused.exit_code == 1 and "只有党委" in refused.output
    assert state(db_session, committee, year).version == version


def test_opening_year_after_year_keeps_three_years(app, login_as, db_session):
    year = demo_year(db_session)
    committee = org_of(db_session, "committee").committee_id
    user = login_as("committee")
    for y in (year - 3, year - 2, year - 1, year):
        assert user.get(f"/health/committee?year={y}").status_code == 200
    db_session.rollback()
    years = set(db_session.scalars(select(HealthState.year).where(HealthState.committee_id == committee)))
    assert years == {year - 2, year - 1, year}
    assert set(db_session.scalars(select(HealthStatus.year).distinct())) == years
