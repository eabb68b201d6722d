"""Backup and restore of the whole database: SQLite's online backup API, PostgreSQL's pg_dump.

A backup is the database as one file: on SQLite a SQLite database copied page by page while
the app keeps running (`sqlite3.Connection.backup`), on PostgreSQL a `pg_dump --format=custom`
archive. A restore replaces every table of the configured database with the file's, after
checking that the file's schema version is the code's head (else `flask --app app db
upgrade` first) and that it will not silently overwrite data (`overwrite=True` says so).

Restoring writes below the ORM (the backup API, pg_restore), where the record-rule guard
cannot check rows: it runs only as a named system actor, and refuses any other actor.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.errors import DomainError
from app.extensions import db
from app.security.scope import current_org
from app.services import dbstate

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    version: str
    tables: int


def _bilingual(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _is_sqlite(url) -> bool:
    return url.get_backend_name() == "sqlite"


# ------------------------------------------------------------------ backup


def backup(output: str | os.PathLike) -> str:
    """Write the configured database to `output`; return the schema version it holds."""
    url = _url()
    output = Path(output)
    version = _current_version()
    if _is_sqlite(url):
        _sqlite_backup(url, output)
    else:
        _pg_dump(url, output)
    return version


def _current_version() -> str:
    """The schema version of the configured database; a missing or unreachable one refuses
    (and a missing SQLite file is not created by trying)."""
    problem = dbstate.probe()
    if problem is not None and problem.kind not in ("behind", "unknown"):
        raise BackupError(problem.bilingual())
    with db.engine.connect() as connection:
        return dbstate.schema_version(connection)


def _sqlite_backup(url, output: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections keep writing."""
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)  # left by a backup that failed: never merged into
    source = sqlite3.connect(dbstate.sqlite_file(url))
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    partial.replace(output)


# ------------------------------------------------------------------ PostgreSQL tools


def _pg_tool(name: str) -> str:
    """The path of pg_dump / pg_restore, of the server's major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(_bilingual(
            f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端（Debian：postgresql-client）",
            f"{name} not found: install the PostgreSQL client of the server's major version "
            f"(Debian: postgresql-client)"))
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    tool_major = int(match.group(1)) if match else None
    with db.engine.connect() as connection:
        server_major = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    if tool_major != server_major:
        raise BackupError(_bilingual(
            f"{name} 的主版本（{tool_major}）与数据库服务器（{server_major}）不同：请使用 PostgreSQL {server_major} 的 {name}",
            f"{name} is major version {tool_major} but the server is {server_major}: "
            f"use the {name} of PostgreSQL {server_major}"))
    return path


def _libpq(url) -> tuple[list[str], dict]:
    """Connection arguments for the PostgreSQL tools; the password goes in the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return [f"--dbname={plain.render_as_string(hide_password=False)}"], env


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(_bilingual(f"{what} 失败", f"{what} failed") + (f": {detail[-1]}" if detail else ""))


def _pg_dump(url, output: Path) -> None:
    tool = _pg_tool("pg_dump")
    dbname, env = _libpq(url)
    partial = output.with_name(output.name + ".partial")
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", *dbname],
         env, "pg_dump")
    partial.replace(output)


# ------------------------------------------------------------------ restore


def backup_version(path: Path) -> tuple[str, str | None]:
    """(kind, schema version) of a backup file: kind is 'sqlite' or 'postgresql'."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(_bilingual(f"无法读取备份文件 {path}", f"cannot read the backup file {path}")) from exc
    if head.startswith(SQLITE_MAGIC):
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
        finally:
            connection.close()
        return "sqlite", row[0] if row else None
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql", _pg_archive_version(path)
    raise BackupError(_bilingual(f"{path} 不是 zhibu 的备份文件", f"{path} is not a zhibu backup"))


def _pg_archive_version(path: Path) -> str | None:
    """The alembic version inside a pg_dump archive (pg_restore prints its data as COPY text)."""
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupError(_bilingual("找不到 pg_restore", "pg_restore not found"))
    done = subprocess.run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                          capture_output=True, text=True, check=False)
    lines = done.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1].strip()
            return None if value == "\\." else value
    return None


def _table_names() -> list[str]:
    try:
        with db.engine.connect() as connection:
            return inspect(connection).get_table_names()
    except SQLAlchemyError:
        return []


def restore(path: str | os.PathLike, overwrite: bool = False) -> Restored:
    """Replace the configured database with the backup at `path` (as a system actor only)."""
    actor = current_org()
    if actor is None or actor.kind != "system":
        raise BackupError(_bilingual("恢复只能由系统操作执行", "a restore runs only as a system actor"))
    path = Path(path)
    kind, version = backup_version(path)
    url = _url()
    backend = "sqlite" if _is_sqlite(url) else "postgresql"
    if kind != backend:
        raise BackupError(_bilingual(f"这是 {kind} 的备份，当前数据库是 {backend}",
                                     f"this is a {kind} backup, the database is {backend}"))
    head = dbstate.code_head()
    if version is None:
        raise BackupError(_bilingual(f"{path} 中没有结构版本：不是 zhibu 的备份", f"{path} has no schema version: not a zhibu backup"))
    if version != head:
        raise BackupError(_bilingual(
            f"备份的结构版本 {version} 与程序的 {head} 不同：请用与备份相同的程序版本恢复，"
            f"再运行 {dbstate.UPGRADE}",
            f"the backup's schema version {version} is not the code's {head}: restore it with the "
            f"program version that made it, then run {dbstate.UPGRADE}"))
    tables = _table_names()
    if tables and not overwrite:
        raise BackupError(_bilingual(
            f"目标数据库不是空的（{len(tables)} 张表）：确认要覆盖其全部数据请加 --yes",
            f"the database is not empty ({len(tables)} tables): add --yes to overwrite all of its data"))
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps the old pages or holds a lock
    if backend == "sqlite":
        _sqlite_restore(path, url)
    else:
        _pg_restore(path, url)
    db.engine.dispose()
    dbstate.forget()
    return Restored(version=version, tables=len(_table_names()))


def _sqlite_restore(path: Path, url) -> None:
    """Copy the backup over the database with the backup API (page by page, in one go)."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(dbstate.sqlite_file(url))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _pg_restore(path: Path, url) -> None:
    """pg_restore --clean --if-exists in one transaction: all of the archive or nothing."""
    tool = _pg_tool("pg_restore")
    dbname, env = _libpq(url)
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", *dbname, str(path)], env, "pg_restore")
