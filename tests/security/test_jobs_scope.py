"""Background jobs are their owner's alone: every world user against every user's job, over
HTTP (page, status, file), expected from the rule table and, in words, "only your own"."""
import pytest

from app.models import Job
from tests.conftest import fresh_app
from tests.security.world import JOB_OWNERS, WORLD_PASSWORD, build_world, moved, rule_allows
from tests.support.clients import WebUser


@pytest.fixture(scope="module")
def app(db_factory):
    yield from fresh_app(db_factory)


@pytest.fixture(scope="module")
def world(app):
    return build_world(app)


@pytest.mark.parametrize("username", JOB_OWNERS)
def test_a_user_sees_and_downloads_its_own_jobs_only(app, world, username):
    user = WebUser(app, username, WORLD_PASSWORD)
    listed = user.get("/jobs/").text
    for owner in JOB_OWNERS:
        pk = world.id(Job, owner)
        allowed = rule_allows(app, Job, world.actors[username], "read", pk)
        assert allowed == (owner == username), (username, owner)   # what the table says, in words
        expected = 200 if allowed else 404
        for url in (f"/jobs/{pk}", f"/jobs/{pk}/status.json", f"/jobs/{pk}/download"):
            assert user.get(url).status_code == expected, (username, owner, url)
        assert (f'href="/jobs/{pk}"' in listed) == allowed
    own = user.get(f"/jobs/{world.id(Job, username)}/download")
    assert own.data == f"{username}'s file".encode()


def test_a_user_who_moved_to_another_organization_no_longer_sees_its_old_jobs(app, world):
    with moved(app, world, "w-gb-a", world.general_branches["B"]):
        user = WebUser(app, "w-gb-a", WORLD_PASSWORD)
        assert user.get(f"/jobs/{world.id(Job, 'w-gb-a')}/download").status_code == 404
