"""Large lists count exactly up to a threshold and say "约 N" beyond it: PostgreSQL by the
planner's estimate, SQLite by a count stopped at the threshold and sqlite_stat1."""
import re

from sqlalchemy import func, select

from app.models import Branch, GeneralBranch, Member
from tests.support.statements import statements_sent


def _analyze(db_session):
    # the estimates need statistics (synth and bulk imports run ANALYZE; the test server runs
    # no autovacuum): without them PostgreSQL guesses one row and SQLite has no sqlite_stat1
    db_session.connection().exec_driver_sql("ANALYZE")
    db_session.commit()


def _about(page):
    found = re.search(r"约 ([0-9,]+)", page)
    return int(found.group(1).replace(",", "")) if found else None


def test_a_list_beyond_the_threshold_says_about_and_exactly_below_it(app, login_as, db_session):
    _analyze(db_session)
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = 1
    committee = login_as("committee")
    page = committee.get("/memberview/list/").text
    about = _about(page)
    assert about is not None and about > 1
    assert committee.get("/memberview/list/?_l_=en").status_code == 200
    rest = committee.get("/api/v1/member/?q=(page:0,page_size:5)")
    assert rest.status_code == 200 and rest.json["count"] > 1
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = 0  # 0: always exact
    exact = db_session.scalar(select(func.count()).select_from(Member))
    page = committee.get("/memberview/list/").text
    assert "约 " not in page and f"{exact}" in page


def test_the_count_below_the_threshold_is_exact_and_in_the_actors_scope(app, login_as, db_session):
    _analyze(db_session)
    own = db_session.scalar(select(func.count()).select_from(Member).join(Branch).join(GeneralBranch)
                            .where(GeneralBranch.code == "gb01"))
    everyone = db_session.scalar(select(func.count()).select_from(Member))
    assert 1 < own < everyone
    gb01, committee = login_as("gb01"), login_as("committee")
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = own   # gb01's own rows are not more than that
    page = gb01.get("/memberview/list/").text
    if db_session.get_bind().dialect.name != "sqlite":
        # PostgreSQL decides by the planner's estimate of the scoped query, which may fall on
        # either side of a threshold this close: the page shows the exact count or an estimate
        assert f"{own}" in page or _about(page) is not None
        return
    # SQLite counts up to the threshold: exact below it, whatever the statistics say
    assert "约 " not in page and f"{own}" in page
    assert _about(committee.get("/memberview/list/").text) is not None   # the committee's are more
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = own - 1
    assert _about(gb01.get("/memberview/list/").text) is not None


def test_the_default_threshold_counts_a_demo_university_exactly(login_as, db_session):
    page = login_as("gb01").get("/memberview/list/").text
    assert "约 " not in page


def test_the_exact_count_is_count_star_of_the_scoped_ids_and_postgresql_reads_an_index_only(
        app, login_as, db_session):
    """count(id) makes PostgreSQL read every row of the scope from the table; count(*) over the
    scoped ids is answered from the index of the scope's column (24 against 12 ms for 50,000
    branches at L)."""
    _analyze(db_session)
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = 0   # always exact
    own = db_session.scalar(select(func.count()).select_from(Branch).join(GeneralBranch)
                            .where(GeneralBranch.code == "gb01"))
    response, sent = statements_sent(app, login_as("gb01"), "/api/v1/branch/?q=(page:0,page_size:2)")
    counts = [(st, params) for st, params in sent if st.lstrip().upper().startswith("SELECT COUNT(")]
    assert response.json["count"] == own
    assert len(counts) == 1
    statement, parameters = counts[0]
    assert statement.upper().startswith("SELECT COUNT(*)") and "general_branch_id" in statement
    connection = db_session.connection()
    if connection.dialect.name != "postgresql":
        return
    for method in ("seqscan", "bitmapscan"):   # tiny demo tables: ask for an index
        connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
    plan = "\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    assert "Index Only Scan" in plan and "zb_branch" in plan, plan
    db_session.rollback()
