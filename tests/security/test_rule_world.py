"""The world over time: a closed round stays closed on every path, and random sequences of
writes by the world's users leave every row either unchanged or changed as the rule table allows.
"""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.models import Assessment, AssessmentRound, Branch, Member, ScoreSheet
from app.security import rules
from app.security.scope import acting_as
from app.views.assessment import ScoreSheetApi
from app.views.org import BranchApi
from app.views.people import MemberApi
from tests.conftest import make_app
from tests.security.expect import has_verb, outcome, route_status
from tests.security.world import (
    BRANCH_POSITIONS, POSITIONS, WORLD_PASSWORD, build_world, rule_allows, snapshot,
)
from tests.support.clients import ApiUser, WebUser
from tests.support.counts import count_mismatches

USERS = ("w-committee", "w-gb-a", "w-branch-a1", "w-gb-b", "w-branch-b1", "w-yi-committee")
ROLE_OF = {"w-committee": "committee", "w-yi-committee": "committee", "w-gb-a": "general_branch",
           "w-gb-b": "general_branch", "w-branch-a1": "branch", "w-branch-b1": "branch"}
_values = itertools.count(1)


def _closed_round_rows(session, round_id) -> dict:
    """Every row attached to a round, as it is: the round, its assessments and their sheets."""
    assessments = session.scalars(select(Assessment.id).where(Assessment.round_id == round_id)).all()
    sheets = session.scalars(select(ScoreSheet.id).where(ScoreSheet.assessment_id.in_(assessments))).all()
    rows = {(AssessmentRound, round_id): snapshot(session, AssessmentRound, round_id)}
    rows.update({(Assessment, pk): snapshot(session, Assessment, pk) for pk in assessments})
    rows.update({(ScoreSheet, pk): snapshot(session, ScoreSheet, pk) for pk in sheets})
    session.rollback()
    return rows


# -- a closed round, on every path ------------------------------------------------------------

@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def closed_rows(world, db_session):
    return lambda: _closed_round_rows(db_session, world.rounds["closed"])


@pytest.mark.parametrize("username", ["w-committee", "w-gb-a", "w-branch-a1"])
def test_closed_round_sheets_refuse_every_rest_edit(api_as, world, closed_rows, username):
    before = closed_rows()
    api = api_as(username, WORLD_PASSWORD)
    for position in ("closed-round-self", "closed-round-superior"):
        pk = world.id(ScoreSheet, position)
        readable = api.get(f"/api/v1/scoresheet/{pk}").status_code == 200
        for change in ({"s1": 10}, {"rater": "改"}):
            assert api.put(f"/api/v1/scoresheet/{pk}", json=change).status_code == (400 if readable else 404)
        assert api.delete(f"/api/v1/scoresheet/{pk}").status_code == (400 if readable else 404)
    assessment = world.id(Assessment, "closed-round")
    response = api.post("/api/v1/scoresheet/", json={"assessment": assessment, "source": "self", "rater": "新",
                                                    "s1": 10, "s2": 10, "s3": 10, "s4": 10, "s5": 10})
    # the branch and the committee enter 自评: refused by the closed round; the general branch
    # does not enter 自评 at all (403)
    assert response.status_code == (403 if username == "w-gb-a" else 400)
    # the assessment API is read-only: no edit route at all
    assert api.put(f"/api/v1/assessment/{assessment}", json={"override_reason": "改"}).status_code == 405
    assert closed_rows() == before


@pytest.mark.parametrize("username", ["w-committee", "w-gb-a"])
def test_closed_round_assessment_refuses_rates_grades_and_confirmation(login_as, world, closed_rows, username):
    before = closed_rows()
    user = login_as(username, WORLD_PASSWORD)
    pk = world.id(Assessment, "closed-round")
    page = f"/scoring/assessment/{pk}"
    posts = [("rates", {"mass": "80", "secretary": "90"}), ("confirm", {}), ("override", {"grade": "A", "reason": "复核"})]
    for action, data in posts:
        # the page of a closed round offers no form; post as a hand-made request would
        response = user.client.post(f"{page}/{action}", data={**data, "csrf_token": user.token()})
        assert response.status_code == (302 if username == "w-committee" or action == "rates" else 403), action
    assert closed_rows() == before


def test_score_command_refuses_a_closed_round(app, world, closed_rows):
    before = closed_rows()
    result = app.test_cli_runner().invoke(args=["zhibu", "score", "--round", str(world.rounds["closed"])])
    assert result.exit_code == 1, result.output
    assert closed_rows() == before


# -- random sequences of writes -----------------------------------------------------------------

class WorldMachine(RuleBasedStateMachine):
    """Users of the world write at random; the machine keeps what the rule table says each
    row must now be, and compares it with the database after every step."""

    factory = None  # the test's db_factory

    def __init__(self):
        super().__init__()
        self.url = self.factory.fresh_url()
        self.app = make_app(self.url)
        self.world = build_world(self.app)
        self.engine = create_engine(self.app.config["SQLALCHEMY_DATABASE_URI"])
        self.plain = Session(self.engine)
        self.clients = {}
        self.expected = {}
        rounds = self.world.rounds.values()
        assessments = self.plain.scalars(select(Assessment.id).where(Assessment.round_id.in_(rounds))).all()
        sheets = self.plain.scalars(select(ScoreSheet.id).where(ScoreSheet.assessment_id.in_(assessments))).all()
        for model in (Member, Branch, AssessmentRound):
            for pk in self.world.rows[model].values():
                self.track(model, pk)
        for pk in assessments:
            self.track(Assessment, pk)
        for pk in sheets:
            self.track(ScoreSheet, pk)
        self.plain.rollback()   # hold no read transaction: SQLite writers would wait for it

    def teardown(self):
        self.plain.close()
        self.engine.dispose()
        with self.app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        self.factory.dispose(self.url)

    # -- helpers
    def track(self, model, pk):
        self.expected[(model, pk)] = snapshot(self.plain, model, pk)

    def api(self, username):
        if username not in self.clients:
            self.clients[username] = ApiUser(self.app, username, WORLD_PASSWORD)
        return self.clients[username]

    def actor(self, username):
        return self.world.actors[username]

    def round_open(self, round_id):
        return self.expected[(AssessmentRound, round_id)]["status"] == "open"

    def accept_scores(self, assessment_id):
        """A sheet change recomputes its assessment (COMPUTED fields only; the round is open)."""
        key = (Assessment, assessment_id)
        assert self.round_open(self.expected[key]["round_id"])
        actual = snapshot(self.plain, Assessment, assessment_id)
        for name in rules.COMPUTED[Assessment]:
            self.expected[key][name] = actual[name]
        assert actual == self.expected[key]

    def put(self, username, api_cls, model, pk, field):
        actor = self.actor(username)
        expected = route_status(self.app, api_cls, "put", ROLE_OF[username], actor, pk, verb="write",
                                fields={field})
        value = f"改{next(_values)}"
        response = self.api(username).put(f"/api/v1/{api_cls.resource_name}/{pk}", json={field: value})
        assert response.status_code == expected, response.text
        if expected == 200:
            self.expected[(model, pk)][field] = value

    # -- the steps
    @rule(username=st.sampled_from(USERS), position=st.sampled_from(BRANCH_POSITIONS))
    def edit_member(self, username, position):
        self.put(username, MemberApi, Member, self.world.id(Member, position), "unit")

    @rule(username=st.sampled_from(USERS), position=st.sampled_from(BRANCH_POSITIONS))
    def edit_branch_note(self, username, position):
        self.put(username, BranchApi, Branch, self.world.id(Branch, position), "note")

    @rule(username=st.sampled_from(USERS), position=st.sampled_from(BRANCH_POSITIONS))
    def delete_member(self, username, position):
        pk = self.world.id(Member, position)
        expected = route_status(self.app, MemberApi, "delete", ROLE_OF[username], self.actor(username), pk,
                                verb="delete")
        assert self.api(username).delete(f"/api/v1/member/{pk}").status_code == expected
        if expected == 200:
            self.expected[(Member, pk)] = None

    @rule(username=st.sampled_from(USERS), position=st.sampled_from(BRANCH_POSITIONS))
    def add_member(self, username, position):
        actor, branch = self.actor(username), self.world.branches[position]
        response = self.api(username).post("/api/v1/member/", json={
            "number": f"N{next(_values):05d}", "name": "新党员", "member_type": "formal", "branch": branch})
        if not has_verb(MemberApi, "post", ROLE_OF[username]):
            assert response.status_code == 403
        elif not rule_allows(self.app, Branch, actor, "read", branch):
            assert response.status_code == 400   # a branch outside the scope: ScopeRefused
        else:
            assert response.status_code == 201, response.text
            pk = response.json["id"]
            assert rule_allows(self.app, Member, actor, "create", pk)
            self.track(Member, pk)

    @rule(username=st.sampled_from(USERS), position=st.sampled_from(POSITIONS[Assessment]),
          source=st.sampled_from(["self", "superior", "members"]))
    def enter_sheet(self, username, position, source):
        actor, assessment = self.actor(username), self.world.id(Assessment, position)
        round_id = self.expected[(Assessment, assessment)]["round_id"]
        response = self.api(username).post("/api/v1/scoresheet/", json={
            "assessment": assessment, "source": source, "rater": "评议人", "s1": 15, "s2": 15, "s3": 15,
            "s4": 15, "s5": 15})
        if not rule_allows(self.app, Assessment, actor, "read", assessment):
            assert response.status_code == 400          # an assessment outside the scope
        elif source not in rules.sheet_sources(actor):
            assert response.status_code == 403
        elif not self.round_open(round_id):
            assert response.status_code == 400          # the closed round
        else:
            assert response.status_code == 201, response.text
            self.track(ScoreSheet, response.json["id"])
            assert rule_allows(self.app, ScoreSheet, actor, "create", response.json["id"])
            self.accept_scores(assessment)

    @rule(username=st.sampled_from(USERS), position=st.sampled_from(POSITIONS[Assessment]),
          mass=st.sampled_from([0.5, 0.9]))
    def set_rates(self, username, position, mass):
        from app.errors import DomainError
        from app.extensions import db
        from app.services.assessment import set_rates

        actor, pk = self.actor(username), self.world.id(Assessment, position)
        readable = rule_allows(self.app, Assessment, actor, "read", pk)
        expected = outcome(self.app, Assessment, actor, pk, "write", {"mass_satisfaction"}) if readable else 404
        if self.expected[(Assessment, pk)]["mass_satisfaction"] == mass:
            expected = "unchanged"   # nothing to write: no rule is asked
        with self.app.app_context(), acting_as(actor):
            item = db.session.get(Assessment, pk)
            assert (item is not None) == readable
            if item is None:
                return
            try:
                set_rates(item, mass, item.secretary_satisfaction)
                result = 200
            except DomainError:
                result = "refused"
        assert result == (200 if expected in (200, "unchanged") else "refused")
        if expected == 200:
            self.expected[(Assessment, pk)]["mass_satisfaction"] = mass
            self.accept_scores(pk)

    @rule(username=st.sampled_from(USERS), which=st.sampled_from(["open", "closed", "yi"]),
          action=st.sampled_from(["close", "reopen"]))
    def close_or_reopen(self, username, which, action):
        from app.errors import DomainError
        from app.extensions import db
        from app.services.assessment import close_round, reopen_round

        actor, pk = self.actor(username), self.world.rounds[which]
        readable = rule_allows(self.app, AssessmentRound, actor, "read", pk)
        is_open = self.round_open(pk)
        if action == "close":
            allowed = is_open and outcome(self.app, AssessmentRound, actor, pk, "write", {"status"}) == 200
        else:
            allowed = (not is_open and actor.kind in rules.REOPEN_ROLES
                       and rule_allows(self.app, AssessmentRound, actor, "write", pk))
        with self.app.app_context(), acting_as(actor):
            item = db.session.get(AssessmentRound, pk)
            assert (item is not None) == readable
            if item is None:
                return
            try:
                if action == "close":
                    close_round(item)
                else:
                    reopen_round(item, "复核", SimpleNamespace(id=actor.user_id))
                done = True
            except DomainError:
                done = False
        assert done == allowed
        if allowed:
            self.expected[(AssessmentRound, pk)]["status"] = "closed" if action == "close" else "open"

    @invariant()
    def every_row_is_as_the_rules_left_it(self):
        for (model, pk), shot in self.expected.items():
            assert snapshot(self.plain, model, pk) == shot, f"{model.__name__} {pk}"

    @invariant()
    def every_branch_counts_its_roster(self):
        """Whatever was written or refused, each branch's stored member counts are its roster's."""
        try:
            assert count_mismatches(self.plain) == []
        finally:
            self.plain.rollback()


def test_random_writes_keep_every_row_as_the_rules_allow(db_factory):
    WorldMachine.factory = db_factory
    run_state_machine_as_test(WorldMachine, settings=settings(
        max_examples=10, stateful_step_count=15, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))


def test_a_round_with_assessments_is_not_deleted(api_as, world, db_session):
    """Its assessments hold it (services/org.py DELETE_BLOCKERS): refused as 400, not a 500."""
    pk = world.rounds["open"]
    assert api_as("w-committee", WORLD_PASSWORD).delete(f"/api/v1/assessmentround/{pk}").status_code == 400
    assert db_session.get(AssessmentRound, pk) is not None
