"""The migrations create exactly what the models describe (FAB's tables included)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder.models.sqla import Model


def test_models_and_migrations_agree(app):
    from app.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_every_table_comes_from_migrations(app):
    from sqlalchemy import inspect

    from app.extensions import db

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"ab_user", "ab_role", "ab_permission_view", "zb_branch", "zb_member", "alembic_version"} <= tables


def test_meetings_and_training_migrate_down_to_activities_and_back(db_factory):
    """Migration 8bfb0017c388 on the demo: held meetings <-> activities (present count kept),
    training credits <-> per-member training records, on SQLite and PostgreSQL alike."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app.extensions import db
    from tests.conftest import make_app

    url = db_factory.fresh_url()
    app = make_app(url)
    try:
        with app.app_context():
            def one(sql):
                return db.session.execute(text(sql)).scalar()

            meetings = one("SELECT COUNT(*) FROM zb_meeting WHERE held_on IS NOT NULL")
            present = one("SELECT COUNT(*) FROM zb_meeting_attendance WHERE present")
            credits = one("SELECT COUNT(*) FROM zb_training_attendance")
            hours = one("SELECT SUM(e.hours) FROM zb_training_attendance a JOIN zb_training_event e ON e.id = a.event_id")
            db.session.remove()
            downgrade(revision="58959026bdf3")
            assert one("SELECT COUNT(*) FROM zb_activity") == meetings
            assert one("SELECT SUM(attendance) FROM zb_activity") == present
            assert one("SELECT COUNT(*) FROM zb_training") == credits
            assert abs(one("SELECT SUM(hours) FROM zb_training") - hours) < 1e-6
            db.session.remove()
            upgrade()
            assert one("SELECT COUNT(*) FROM zb_meeting") == meetings
            assert one("SELECT SUM(typed_present) FROM zb_meeting") == present
            assert one("SELECT COUNT(*) FROM zb_training_attendance") == credits
            assert abs(one("SELECT SUM(e.hours) FROM zb_training_attendance a "
                           "JOIN zb_training_event e ON e.id = a.event_id") - hours) < 1e-6
            # each credit carries its member's committee (backfilled)
            assert one("SELECT COUNT(*) FROM zb_training_attendance a JOIN zb_member m ON m.id = a.member_id "
                       "WHERE a.committee_id IS NULL OR a.committee_id <> m.committee_id") == 0
            # each migrated event is held by its members' branch
            assert one("SELECT COUNT(*) FROM zb_training_attendance a JOIN zb_training_event e ON e.id = a.event_id "
                       "JOIN zb_member m ON m.id = a.member_id WHERE e.branch_id <> m.branch_id") == 0
            # new rows still get fresh ids (PostgreSQL's sequence was moved past the copied ids)
            from app.security.scope import system_actor

            with system_actor("test migration"):
                db.session.execute(text("INSERT INTO zb_meeting (branch_id, kind, title, held_on) "
                                        "SELECT MIN(id), 'other', 'x', NULL FROM zb_branch"))
            db.session.remove()
            db.engine.dispose()
    finally:
        db_factory.dispose(url)
