"""The committee's kept health summary stays the records': after each kind of write through the
REST API (a meeting deleted or moved to another branch, members moved between branches, a
training event's hours, a credit to a secretary of another branch, a cadre linked across general
branches, the committee's profile) the committee's page equals the live check of the CLI, the change's marks
are taken, and only the changed branches are recomputed; a new day recomputes whole, and a
refresh that another refresh overtook writes nothing."""
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from app.models import (
    Branch, ContactCadre, GeneralBranch, HealthMark, HealthState, HealthStatus, Meeting, Member, Secretary,
    TrainingAttendance, TrainingEvent,
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


def test_records_moved_or_credited_elsewhere_mark_every_branch_they_count_in(app, login_as, api_as, db_session):
    """A write whose record counts in a branch other than the one it now hangs in: a meeting moved
    to another branch (the branch it left loses it), a training credited to a member who is the
    secretary of a branch in another general branch (H4 reads the secretary's branch), that
    event's hours changed, a cadre of one general branch linked to a branch of another (H9 reads
    the branch linked). Each leaves the committee's page equal to the live check."""
    year = demo_year(db_session)
    committee_id = org_of(db_session, "committee").committee_id
    gb01 = org_of(db_session, "gb01").general_branch_id
    user, api = login_as("committee"), api_as("committee")
    page_is_live(app, user, db_session, year)

    # 1. the only meeting of a month of a branch moves to a branch of another general branch: the
    #    month's count (the general branch's meetings chart) of the branch it left drops to 0
    month = func.extract("month", Meeting.held_on)
    left, held_in, meeting_id = db_session.execute(
        select(Meeting.branch_id, month, func.min(Meeting.id)).join(Branch, Branch.id == Meeting.branch_id)
        .where(Branch.general_branch_id == gb01, Meeting.held_on >= date(year, 1, 1),
               Meeting.held_on <= date(year, 12, 31))
        .group_by(Meeting.branch_id, month).having(func.count() == 1).order_by(Meeting.branch_id).limit(1)).first()
    month_column = getattr(HealthStatus, f"m{int(held_in)}")
    kept_month = lambda: db_session.scalar(select(month_column).where(  # noqa: E731
        HealthStatus.year == year, HealthStatus.branch_id == left))
    assert kept_month() == 1
    other = db_session.scalar(select(Branch.id).where(Branch.general_branch_id != gb01).order_by(Branch.id).limit(1))
    resp = api.put(f"/api/v1/meeting/{meeting_id}", json={"branch": other})
    assert resp.status_code == 200, resp.text
    page_is_live(app, user, db_session, year)
    assert kept_month() == 0

    # 2. a branch outside gb01 gets a secretary from gb01 who has no training in the year; gb01
    #    holds a 200-hour course and credits that member: the secretary's branch's H4 passes
    in_gb01 = select(Branch.id).where(Branch.general_branch_id == gb01)
    led = db_session.scalar(select(Secretary.branch_id).where(Secretary.left_on.is_(None),
                                                              Secretary.branch_id.not_in(in_gb01))
                            .order_by(Secretary.branch_id).limit(1))
    credited = select(TrainingAttendance.member_id) \
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id) \
        .where(TrainingEvent.held_on >= date(year, 1, 1), TrainingEvent.held_on <= date(year, 12, 31))
    outsider = db_session.scalar(select(Member.id).where(Member.branch_id.in_(in_gb01), Member.id.not_in(credited),
                                                         Member.id.not_in(select(Secretary.member_id)))
                                 .order_by(Member.id).limit(1))
    latest = db_session.scalar(select(func.max(Secretary.appointed_on)).where(Secretary.branch_id == led))
    resp = api.post("/api/v1/secretary/", json={"member": outsider, "branch": led,
                                                "appointed_on": (latest + timedelta(days=1)).isoformat()})
    assert resp.status_code == 201, resp.text
    gb_api = api_as("gb01")
    resp = gb_api.post("/api/v1/trainingevent/", json={
        "held_on": date(year, 3, 1).isoformat(), "hours": 200, "topic": "书记专题培训", "organizer": "党总支"})
    assert resp.status_code == 201, resp.text
    event_id = resp.json["id"]
    page_is_live(app, user, db_session, year)
    h4_before = kept(db_session, year, led)[3]
    resp = gb_api.post("/api/v1/trainingattendance/", json={"event": event_id, "member": outsider, "note": "集中学习"})
    assert resp.status_code == 201, resp.text
    page_is_live(app, user, db_session, year)
    assert kept(db_session, year, led)[3] == "p" != h4_before
    #    the course's hours cut: the secretary's branch falls back
    resp = gb_api.put(f"/api/v1/trainingevent/{event_id}", json={"hours": 0.5})
    assert resp.status_code == 200, resp.text
    page_is_live(app, user, db_session, year)
    assert kept(db_session, year, led)[3] == h4_before

    # 3. a gb01 cadre sat in on a meeting of a branch outside gb01 whose H9 fails; the committee
    #    then links the cadre to that branch: its H9 passes (marked by the link, not the cadre's gb)
    cadre = db_session.scalar(select(ContactCadre).where(ContactCadre.general_branch_id == gb01)
                              .order_by(ContactCadre.id).limit(1))
    linked = [b.id for b in cadre.branches]
    failing = [bid for bid in db_session.scalars(
        select(Meeting.branch_id).where(Meeting.branch_id.not_in(in_gb01), Meeting.branch_id.not_in(linked),
                                        Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
        .distinct().order_by(Meeting.branch_id)) if kept(db_session, year, bid)[8] == "f"]
    assert failing
    contacted = failing[0]
    meeting_id = db_session.scalar(select(Meeting.id).where(
        Meeting.branch_id == contacted, Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
        .order_by(Meeting.id).limit(1))
    resp = api.post("/api/v1/meetingguest/", json={"meeting": meeting_id, "cadre": cadre.id})
    assert resp.status_code == 201, resp.text
    page_is_live(app, user, db_session, year)
    assert kept(db_session, year, contacted)[8] == "f"
    resp = api.put(f"/api/v1/contactcadre/{cadre.id}", json={"branches": linked + [contacted]})
    assert resp.status_code == 200, resp.text
    page_is_live(app, user, db_session, year)
    assert kept(db_session, year, contacted)[8] == "p"
    #    and unlinked again: it fails again
    resp = api.put(f"/api/v1/contactcadre/{cadre.id}", json={"branches": linked})
    assert resp.status_code == 200, resp.text
    page_is_live(app, user, db_session, year)
    assert kept(db_session, year, contacted)[8] == "f"
    assert marks(db_session, committee_id) == 0
