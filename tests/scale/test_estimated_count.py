"""Large lists count by the planner's estimate on PostgreSQL ("约 N"), exactly elsewhere."""
import re

from sqlalchemy import func, select

from app.models import Member


def test_a_list_beyond_the_threshold_says_about_on_postgresql_and_counts_exactly_on_sqlite(app, login_as,
                                                                                         db_session):
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = 1
    if db_session.get_bind().dialect.name == "postgresql":
        # the estimate needs the planner's statistics (synth and bulk imports run ANALYZE; the
        # test server runs no autovacuum): without them it guesses one row
        db_session.connection().exec_driver_sql("ANALYZE")
        db_session.commit()
    committee = login_as("committee")
    page = committee.get("/memberview/list/").text
    exact = db_session.scalar(select(func.count()).select_from(Member))
    if db_session.get_bind().dialect.name == "postgresql":
        about = re.search(r"约 ([0-9,]+)", page)
        assert about and int(about.group(1).replace(",", "")) > 1
        assert committee.get("/memberview/list/?_l_=en").status_code == 200
    else:
        assert "约 " not in page and f"{exact}" in page
    app.config["ZHIBU_COUNT_ESTIMATE_ABOVE"] = 0  # 0: always exact
    assert "约 " not in committee.get("/memberview/list/").text


def test_the_default_threshold_counts_a_demo_university_exactly(login_as, db_session):
    page = login_as("gb01").get("/memberview/list/").text
    assert "约 " not in page
