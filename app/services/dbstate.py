"""Is the database there, initialized, and at the code's schema? One answer per process.

Asked before any request (app/views/errors.py) and any `flask zhibu` command (app/cli.py)
touches the database: a missing SQLite file is never opened (opening it would leave an empty
file behind), an unreachable server or a schema other than the code's head is one clear
sentence naming the command that fixes it. A good answer is kept for the process; a bad one
is asked again after RECHECK_SECONDS, so the app recovers once the operator has run it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

RECHECK_SECONDS = 5.0
INIT = "flask --app app zhibu init"
UPGRADE = "flask --app app db upgrade"
_CACHE = "zhibu_db_state"


@dataclass(frozen=True)
class DatabaseProblem:
    """What is wrong with the database, and the command that fixes it."""

    kind: str  # missing | unreachable | uninitialized | behind | unknown
    command: str
    found: str = ""  # the schema version found (behind, unknown)
    head: str = ""   # the code's schema version

    def sentence(self) -> str:
        """The problem in the current language."""
        if self.kind == "missing":
            return _("数据库尚未创建。请运行 %(command)s 创建数据库。", command=self.command)
        if self.kind == "unreachable":
            return _("无法连接数据库。请检查数据库服务与 ZHIBU_DATABASE_URL，"
                     "新数据库请运行 %(command)s。", command=self.command)
        if self.kind == "uninitialized":
            return _("数据库尚未初始化。请运行 %(command)s。", command=self.command)
        if self.kind == "behind":
            return _("数据库结构版本 %(found)s 落后于程序所需的 %(head)s。请运行 %(command)s。",
                     found=self.found, head=self.head, command=self.command)
        return _("数据库结构版本 %(found)s 不是本程序已知的版本（程序需要 %(head)s）："
                 "请使用与数据库相符的程序版本，或运行 %(command)s。",
                 found=self.found, head=self.head, command=self.command)

    def bilingual(self) -> str:
        """The problem in Chinese and English, for the command line."""
        parts = []
        for locale in ("zh", "en"):
            with force_locale(locale):
                parts.append(self.sentence())
        return " / ".join(parts)


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "migrations"


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(migrations_dir()))


def code_head() -> str:
    """The schema version this code expects: the migrations' single head."""
    return _scripts().get_current_head()


def sqlite_file(url) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database)."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # a URI filename: opened as given
    return Path(url.database)


def schema_version(connection) -> str | None:
    """The alembic version of a database, None when it has no alembic table (or no row)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def version_problem(found: str | None) -> DatabaseProblem | None:
    """None when `found` is the code's head; else what to run."""
    head = code_head()
    if found is None:
        return DatabaseProblem("uninitialized", INIT)
    if found == head:
        return None
    known = {rev.revision for rev in _scripts().walk_revisions()}
    kind = "behind" if found in known else "unknown"
    return DatabaseProblem(kind, UPGRADE, found=found, head=head)


def probe() -> DatabaseProblem | None:
    """Look at the database now (never creating a SQLite file)."""
    path = sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return DatabaseProblem("missing", INIT)
    try:
        with db.engine.connect() as connection:
            found = schema_version(connection)
    except SQLAlchemyError:
        return DatabaseProblem("unreachable", INIT)
    return version_problem(found)


def database_problem() -> DatabaseProblem | None:
    """The cached answer of probe(): kept while good, asked again every few seconds while bad."""
    cached = current_app.extensions.get(_CACHE)
    now = time.monotonic()
    if cached is not None and (cached[1] is None or now - cached[0] < RECHECK_SECONDS):
        return cached[1]
    problem = probe()
    current_app.extensions[_CACHE] = (now, problem)
    return problem


def forget() -> None:
    """Drop the cached answer (after init, upgrade or restore changed the database)."""
    current_app.extensions.pop(_CACHE, None)
