"""Test databases: one template per backend per run, a fresh copy per test.

SQLite copies a file; PostgreSQL creates a database from a template. Runs never see
each other's data: every database is named after this run and dropped at the end.
"""
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEMO_PASSWORD = "demo-pass-123"
RUN_ID = uuid.uuid4().hex[:8]


def pg_server_url() -> str | None:
    """The PostgreSQL server named by ZHIBU_TEST_DATABASE_URL, if any."""
    return os.environ.get("ZHIBU_TEST_DATABASE_URL") or None


def backends() -> list[str]:
    """Every test runs on SQLite, and again on PostgreSQL when a server is named."""
    return ["sqlite", "postgresql"] if pg_server_url() else ["sqlite"]


class SqliteFactory:
    """Copies of one prepared SQLite file."""

    def __init__(self, workdir: Path):
        self.dir = workdir
        self.template = workdir / "template.db"
        self.count = 0

    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def fresh_url(self) -> str:
        self.count += 1
        target = self.dir / f"test{self.count}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def reset(self, url: str) -> None:
        """The database at url becomes a fresh copy again (its connections must be closed)."""
        target = Path(make_url(url).database)
        for suffix in ("-journal", "-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        # a new file under the old name: a connection some other engine still holds keeps the old one
        staged = target.with_name(target.name + ".new")
        shutil.copyfile(self.template, staged)
        os.replace(staged, target)

    def dispose(self, url: str) -> None:
        Path(make_url(url).database).unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresFactory:
    """Databases created from a template database on the named server."""

    def __init__(self, server_url: str):
        self.server = make_url(server_url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=None)
        self.template = f"zhibu_{RUN_ID}_tpl"
        self.created: list[str] = []
        self.count = 0
        self._exec(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def template_url(self) -> str:
        return self._url(self.template)

    def fresh_url(self) -> str:
        self.count += 1
        name = f"zhibu_{RUN_ID}_{self.count}"
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self._url(name)

    def reset(self, url: str) -> None:
        """The database at url becomes a fresh copy again, under the same name."""
        name = make_url(url).database
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')

    def dispose(self, url: str) -> None:
        name = make_url(url).database
        self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()
