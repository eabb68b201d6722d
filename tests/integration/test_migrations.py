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
