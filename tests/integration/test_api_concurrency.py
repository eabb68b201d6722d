"""Concurrent REST writes on a threaded server: every row ends as its own writer left it.

FAB keeps one add/edit schema per API object and marshmallow-sqlalchemy's load(instance=...)
stores the instance on it (ARCHITECTURE.md fact 11): without a fresh schema per request,
concurrent PUTs write to the wrong row or INSERT phantom rows. This test runs the real app on
a threaded werkzeug server, as run.py does, and checks the database afterwards.
"""
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from app.models import Branch, GeneralBranch, Member
from tests.support.databases import DEMO_PASSWORD

GENERAL_BRANCH_USERS = ["gb01", "gb02", "gb03"]
BRANCH_USERS = ["gb01-b01", "gb02-b01", "gb03-b01"]
REQUESTS_PER_THREAD = 20


def _call(method, url, body=None, token=None):
    """One JSON request; (status, parsed body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _login(base, username):
    status, body = _call("POST", f"{base}/api/v1/security/login",
                         {"username": username, "password": DEMO_PASSWORD, "provider": "db"})
    assert status == 200, body
    return body["access_token"]


def _snapshot(session):
    rows = session.execute(select(Member.id, Member.number, Member.name, Member.unit, Member.branch_id))
    return {row.id: tuple(row) for row in rows}


def _general_branches(session):
    rows = session.execute(select(GeneralBranch.id, GeneralBranch.code, GeneralBranch.name, GeneralBranch.phone))
    return {row.id: tuple(row) for row in rows}


def test_concurrent_puts_and_posts_touch_only_their_own_rows(live_server, db_session):
    gbs = {u: db_session.scalar(select(GeneralBranch).where(GeneralBranch.code == u)) for u in GENERAL_BRANCH_USERS}
    branches = {u: db_session.scalar(select(Branch).where(Branch.code == u)) for u in BRANCH_USERS}
    targets = {
        u: db_session.scalar(select(Member).where(Member.branch_id == b.id).order_by(Member.id))
        for u, b in branches.items()
    }
    assert all(gbs.values()) and all(branches.values()) and all(targets.values())
    before, gbs_before = _snapshot(db_session), _general_branches(db_session)
    tokens = {u: _login(live_server, u) for u in GENERAL_BRANCH_USERS + BRANCH_USERS}
    barrier = threading.Barrier(len(tokens))

    def general_branch_writer(user):
        barrier.wait()
        answers = []
        for i in range(REQUESTS_PER_THREAD):
            answers.append(_call("PUT", f"{live_server}/api/v1/generalbranch/{gbs[user].id}",
                                 {"phone": f"{user}-{i:03d}"}, tokens[user]))
        return answers

    def branch_writer(user):
        barrier.wait()
        answers = []
        for i in range(REQUESTS_PER_THREAD):
            if i % 2:
                answers.append(_call("PUT", f"{live_server}/api/v1/member/{targets[user].id}",
                                     {"unit": f"{user}-unit-{i:03d}"}, tokens[user]))
            else:
                answers.append(_call("POST", f"{live_server}/api/v1/member/", {
                    "number": f"C-{user}-{i:03d}", "name": f"并发{user}{i:03d}", "member_type": "formal",
                    "branch": branches[user].id,
                }, tokens[user]))
        return answers

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        futures = {u: pool.submit(general_branch_writer, u) for u in GENERAL_BRANCH_USERS}
        futures.update({u: pool.submit(branch_writer, u) for u in BRANCH_USERS})
        answers = {u: f.result(timeout=300) for u, f in futures.items()}

    for user, results in answers.items():
        bad = [(status, body) for status, body in results if status not in (200, 201)]
        assert not bad, f"{user}: {bad[:3]}"

    db_session.expire_all()
    last = REQUESTS_PER_THREAD - 1
    for user, gb in gbs.items():
        assert db_session.get(GeneralBranch, gb.id).phone == f"{user}-{last:03d}"
    for user, member in targets.items():
        assert db_session.get(Member, member.id).unit == f"{user}-unit-{last - (last % 2 == 0):03d}"

    after = _snapshot(db_session)
    posted = {
        f"C-{u}-{i:03d}": branches[u].id for u in BRANCH_USERS for i in range(0, REQUESTS_PER_THREAD, 2)
    }
    new_rows = {row[1]: row[4] for mid, row in after.items() if mid not in before}
    assert new_rows == posted, "phantom or missing rows"
    touched = {m.id for m in targets.values()}
    for mid, row in before.items():
        if mid not in touched:
            assert after[mid] == row, f"member {mid} changed by nobody's request"
    gbs_after = _general_branches(db_session)
    assert gbs_after.keys() == gbs_before.keys(), "a general branch was added or lost"
    writers = {gb.id for gb in gbs.values()}
    for gid, row in gbs_before.items():
        if gid in writers:
            assert gbs_after[gid][:3] == row[:3]
        else:
            assert gbs_after[gid] == row, f"general branch {gid} changed by nobody's request"
