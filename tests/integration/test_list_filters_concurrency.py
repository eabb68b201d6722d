"""Lists searched at the same time: each user gets the rows of their own search.

FAB keeps one Filters object per view and per API and fills it with each request's search (the
web list's _flt_ arguments, the REST list's rison filters); on a threaded server two searches at
once used each other's filters. And FAB resolves a REST `opr` through one process-wide map that
the last filter object built under that name wins, so a stock FAB filter built anywhere (a FAB
security view, a benchmark's stock view) replaced this app's 包含 on every API.
The base view and API hand each request its own Filters (app/views/base.py, _PerRequestFilters)
and resolve `opr` by the column's own filters (app/views/listing.py, ZhibuFilters).
"""
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from flask_appbuilder.models.sqla import filters as fab_filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import event, select

from app.models import Member

ROUNDS = 25


def _searches(db_session, n=4):
    """n distinct one-character name fragments of the demo's members, each matching few rows."""
    names = db_session.scalars(select(Member.name)).all()
    seen = {}
    for name in names:
        for char in name[1:]:
            seen[char] = seen.get(char, 0) + 1
    fragments = sorted((c for c, k in seen.items() if 3 <= k <= 30), key=lambda c: (seen[c], c))
    assert len(fragments) >= n
    return fragments[:n]


def _rest_url(text):
    return f"/api/v1/member/?q=(filters:!((col:name,opr:ct,value:'{quote(text)}')),page_size:100)"


def _web_ids(page):
    return sorted(set(re.findall(r"/memberview/show/(\d+)", page)))


def _run_together(users, work):
    """Each user's requests in a thread of its own, all at once; Python switches threads every
    microsecond instead of every 5 ms, so requests interleave as a busy threaded server's do."""
    barrier = threading.Barrier(len(users))

    def run(item):
        barrier.wait()
        return [work(item) for _ in range(ROUNDS)]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            return dict(zip(users, pool.map(run, users)))
    finally:
        sys.setswitchinterval(interval)


def test_concurrent_rest_searches_each_get_their_own_rows(api_as, db_session):
    texts = _searches(db_session)
    users = {text: api_as("committee") for text in texts}
    alone = {text: users[text].get(_rest_url(text)).json for text in texts}
    for text, body in alone.items():
        assert body["count"] and all(text in row["name"] for row in body["result"]), text

    answers = _run_together(texts, lambda text: users[text].get(_rest_url(text)))
    for text, responses in answers.items():
        for response in responses:
            assert response.status_code == 200
            assert (response.json["count"], response.json["ids"]) == (alone[text]["count"], alone[text]["ids"]), text


def test_concurrent_web_searches_each_get_their_own_rows(login_as, db_session):
    texts = _searches(db_session)
    users = {text: login_as("committee") for text in texts}

    def url(text):
        return f"/memberview/list/?_flt_2_name={quote(text)}&psize_MemberView=100"

    alone = {text: _web_ids(users[text].get(url(text)).text) for text in texts}
    assert all(alone.values()) and len({tuple(v) for v in alone.values()}) == len(texts)
    answers = _run_together(texts, lambda text: users[text].get(url(text)))
    for text, responses in answers.items():
        for response in responses:
            assert response.status_code == 200
            assert _web_ids(response.text) == alone[text], text


def test_a_stock_filter_built_elsewhere_does_not_replace_the_apps_contains(app, api_as, db_session):
    """FAB's own 包含 (ILIKE: lower() of every row on SQLite) built after the app's views."""
    text = _searches(db_session, 1)[0]
    fab_filters.FilterContains("name", SQLAInterface(Member))   # registers itself under "ct"
    statements = []
    with app.app_context():
        from app.extensions import db
        engine = db.engine

    def capture(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        body = api_as("committee").get(_rest_url(text)).json
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert body["count"] and all(text in row["name"] for row in body["result"])
    searched = [s for s in statements if "zb_member.name" in s and "LIKE" in s.upper()]
    assert searched
    # the app's contains(): a text without case is a plain LIKE on both databases (FAB's: lower()
    # LIKE lower() on SQLite, ILIKE on PostgreSQL, for every row)
    assert not any("lower(zb_member.name)" in s or "ILIKE" in s.upper() for s in searched), searched


def test_contains_ignores_case_where_the_text_has_case(api_as, login_as, db_session):
    """包含 ignores the case of a Latin name on both databases (ILIKE on PostgreSQL, LIKE on SQLite)."""
    member = db_session.scalar(select(Member).order_by(Member.id))
    member.name = "Anna Li"
    db_session.commit()
    for text in ("anna", "ANNA LI", "nA l"):
        body = api_as("committee").get(_rest_url(text)).json
        assert member.id in body["ids"], text
        page = login_as("committee").get(f"/memberview/list/?_flt_2_name={quote(text)}").text
        assert f"/memberview/show/{member.id}" in page, text


def test_every_fab_view_and_api_hands_each_request_its_own_filters(app):
    """Not only this app's views: FAB's own (users, roles, permissions) share one Filters too."""
    views = [v for v in app.appbuilder.baseviews if "_filters" in vars(v)]
    names = {type(v).__name__ for v in views}
    assert {"MemberView", "MemberApi", "RoleModelView"} <= names, names
    for view in views:
        template = vars(view)["_filters"]
        with app.test_request_context("/"):
            first = view._filters
            assert first is view._filters   # one copy for the whole request
        with app.test_request_context("/"):
            second = view._filters
        assert first is not template and second is not first, type(view).__name__
        assert first._search_filters is template._search_filters   # the column's choices: shared, read only
        first.add_filter_index(next(iter(template._all_filters)), 0, "x")
        assert not template.filters and not second.filters


@pytest.mark.parametrize("value", ["5", "!t", "0.5"])
def test_a_number_or_a_boolean_as_a_text_filters_value_is_text(api_as, value):
    """rison lets a filter's value be a number or a boolean: 包含 searches its text, no 500."""
    for opr, col in (("ct", "name"), ("rel_name_ct", "branch")):
        response = api_as("committee").get(f"/api/v1/member/?q=(filters:!((col:{col},opr:{opr},value:{value})))")
        assert response.status_code == 200, (opr, response.text)
        assert response.json["count"] == 0
