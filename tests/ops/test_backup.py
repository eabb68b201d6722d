"""Backup and restore, as the operator runs them: every table comes back exactly as it was."""
import os
import stat

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import make_app

UPGRADE = "flask --app app db upgrade"


def _is_pg(app) -> bool:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"


def snapshot(url) -> dict:
    """Every table's rows, sorted, as text: what "exactly as before" is compared on."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"')))
                for table in inspect(conn).get_table_names()
            }
    finally:
        engine.dispose()


def change_everything(url) -> None:
    """Inserts, updates and deletes in several tables, users and roster included."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO zb_secretary_violation (secretary_id, occurred_on, description, major) "
                          "SELECT secretary_id, occurred_on, 'after the backup', major FROM zb_secretary_violation "
                          "ORDER BY id LIMIT 1"))
        conn.execute(text("DELETE FROM zb_secretary_violation WHERE id = (SELECT min(id) FROM zb_secretary_violation)"))
        conn.execute(text("UPDATE zb_branch SET name = name || ' (renamed)'"))
        conn.execute(text("UPDATE ab_user SET first_name = 'changed' WHERE username = 'gb01'"))
        conn.execute(text("UPDATE zb_member SET name = 'changed' WHERE id IN "
                          "(SELECT id FROM zb_member ORDER BY id LIMIT 3)"))
        conn.execute(text("DELETE FROM zb_funding WHERE id IN (SELECT id FROM zb_funding ORDER BY id LIMIT 2)"))
    engine.dispose()


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["zhibu", *args])


def test_backup_then_changes_then_restore_gives_every_table_back(app, tmp_path, login_as):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    login_as("gb01")  # the app has a pooled connection open while the backup runs
    before = snapshot(url)
    backup_file = tmp_path / "zhibu.backup"
    result = cli(app, "backup", "--output", str(backup_file))
    assert result.exit_code == 0, result.output
    assert backup_file.stat().st_size > 0 and not (tmp_path / "zhibu.backup.partial").exists()
    change_everything(url)
    changed = snapshot(url)
    assert {t for t in before if before[t] != changed[t]} >= {
        "zb_secretary_violation", "zb_branch", "ab_user", "zb_member", "zb_funding"}
    result = cli(app, "restore", str(backup_file), "--yes")
    assert result.exit_code == 0, result.output
    assert "restored" in result.output
    after = snapshot(url)
    assert after.keys() == before.keys()
    assert [t for t in before if after[t] != before[t]] == []
    page = login_as("gb01").get("/branchview/list/")  # the running app serves the restored data
    assert page.status_code == 200 and "(renamed)" not in page.text


def test_restore_refuses_a_database_with_data_unless_yes(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    backup_file = tmp_path / "zhibu.backup"
    assert cli(app, "backup", "--output", str(backup_file)).exit_code == 0
    change_everything(url)
    changed = snapshot(url)
    result = cli(app, "restore", str(backup_file))
    assert result.exit_code == 1
    assert "--yes" in result.output and "not empty" in result.output
    assert snapshot(url) == changed


def test_restore_refuses_a_backup_of_another_schema_version(app, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '41f0e640cd5c'"))
    engine.dispose()
    backup_file = tmp_path / "old.backup"
    result = cli(app, "backup", "--output", str(backup_file))
    assert result.exit_code == 0, result.output
    with app.app_context():
        from app.services.dbstate import code_head

        head = code_head()
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        conn.execute(text("DELETE FROM zb_secretary_violation"))
    engine.dispose()
    before = snapshot(url)
    result = cli(app, "restore", str(backup_file), "--yes")
    assert result.exit_code == 1
    assert "41f0e640cd5c" in result.output and UPGRADE in result.output
    assert snapshot(url) == before


def test_restore_into_an_empty_database_needs_no_yes(app, tmp_path, db_factory):
    backup_file = tmp_path / "zhibu.backup"
    assert cli(app, "backup", "--output", str(backup_file)).exit_code == 0
    before = snapshot(app.config["SQLALCHEMY_DATABASE_URI"])
    empty_url = _empty_database(db_factory, tmp_path)
    try:
        target = make_app(empty_url)
        assert target.test_client().get("/login/").status_code == 503
        result = cli(target, "restore", str(backup_file))
        assert result.exit_code == 0, result.output
        assert snapshot(empty_url) == before
        assert target.test_client().get("/login/").status_code == 200
        with target.app_context():
            from app.extensions import db

            db.engine.dispose()
    finally:
        if not empty_url.startswith("sqlite"):
            db_factory.dispose(empty_url)


def _empty_database(db_factory, tmp_path) -> str:
    url = make_url(db_factory.template_url())
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    name = f"{url.database}_empty"
    db_factory._exec(f'CREATE DATABASE "{name}"')
    db_factory.created.append(name)
    return url.set(database=name).render_as_string(hide_password=False)


def test_a_file_that_is_no_backup_is_refused(app, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    result = cli(app, "restore", str(junk), "--yes")
    assert result.exit_code == 1 and "not a zhibu backup" in result.output


def test_only_a_system_actor_restores(app, tmp_path):
    from app.security.scope import OrgRef, acting_as
    from app.services.backup import BackupError, restore

    with app.app_context(), acting_as(OrgRef("committee", committee_id=1, name="committee")):
        with pytest.raises(BackupError, match="system actor"):
            restore(tmp_path / "whatever.backup", overwrite=True)


def test_pg_dump_missing_or_of_another_major_version_is_a_clear_refusal(app, tmp_path, monkeypatch):
    if not _is_pg(app):
        pytest.skip("pg_dump is PostgreSQL's")
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    result = cli(app, "backup", "--output", str(tmp_path / "x.backup"))
    assert result.exit_code == 1 and "pg_dump not found" in result.output
    fake = empty_bin / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    result = cli(app, "backup", "--output", str(tmp_path / "x.backup"))
    assert result.exit_code == 1 and "major version 9" in result.output
    assert not os.path.exists(tmp_path / "x.backup")
