"""Notices are their recipient's alone: every world user against every user's notice, over HTTP
(inbox, open, mark read), expected from the rule table and, in words, "only your own"; nobody
but the system makes, rewrites or deletes one."""
import pytest
from sqlalchemy import select

from app.errors import DomainError
from app.models import Notice
from app.security.scope import acting_as
from tests.conftest import fresh_app
from tests.security.world import NOTICE_RECIPIENTS, WORLD_PASSWORD, build_world, make_notice, moved, rule_allows
from tests.support.clients import WebUser


@pytest.fixture(scope="module")
def app(db_factory):
    yield from fresh_app(db_factory)


@pytest.fixture(scope="module")
def world(app):
    return build_world(app)


def _read_at(app, pk):
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(Notice.read_at).where(Notice.id == pk))


@pytest.mark.parametrize("username", NOTICE_RECIPIENTS)
def test_a_user_sees_opens_and_marks_its_own_notices_only(app, world, username):
    user = WebUser(app, username, WORLD_PASSWORD)
    listed = user.get("/notices/").text
    token = user.token()
    for recipient in NOTICE_RECIPIENTS:
        pk = world.id(Notice, recipient)
        allowed = rule_allows(app, Notice, world.actors[username], "read", pk)
        assert allowed == (recipient == username), (username, recipient)   # the table, in words
        assert rule_allows(app, Notice, world.actors[username], "write", pk) == allowed
        assert (f'data-id="{pk}"' in listed) == allowed
        if not allowed:
            before = _read_at(app, pk)
            for verb in ("follow", "read"):
                assert user.client.post(f"/notices/{pk}/{verb}", data={"csrf_token": token}).status_code == 404
            assert _read_at(app, pk) == before
    own = world.id(Notice, username)
    assert user.client.post(f"/notices/{own}/follow", data={"csrf_token": token}).status_code == 302
    assert _read_at(app, own) is not None


@pytest.mark.parametrize("change", ["create", "kind", "recipient", "emailed_at", "delete"])
def test_nobody_but_the_system_makes_changes_or_deletes_a_notice(app, world, change):
    from app.extensions import db

    actor = world.actors["w-branch-a1"]
    with app.app_context(), acting_as(actor):
        try:
            if change == "create":
                db.session.add(make_notice(world, "w-branch-a1"))
            else:
                notice = db.session.get(Notice, world.id(Notice, "w-branch-a1"))
                if change == "kind":
                    notice.kind = "round_deadline_1"
                elif change == "recipient":
                    notice.recipient_id = world.actors["w-gb-a"].user_id
                elif change == "emailed_at":
                    from datetime import datetime

                    notice.emailed_at = datetime(2025, 1, 1)
                else:
                    db.session.delete(notice)
            with pytest.raises(DomainError):
                db.session.flush()
        finally:
            db.session.rollback()


def test_a_user_who_moved_to_another_organization_no_longer_sees_its_old_notices(app, world):
    with moved(app, world, "w-gb-b", world.general_branches["A"]):
        user = WebUser(app, "w-gb-b", WORLD_PASSWORD)
        pk = world.id(Notice, "w-gb-b")
        assert f'data-id="{pk}"' not in user.get("/notices/").text
        assert user.client.post(f"/notices/{pk}/read", data={"csrf_token": user.token()}).status_code == 404
