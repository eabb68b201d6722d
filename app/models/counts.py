"""A branch's member counts in the session: the database keeps them, the session forgets them.

zb_branch.formal_count / probationary_count are written by triggers on zb_member (migration
608045794396), inside the statement that changes the roster. A Branch the session loaded
before that statement still holds the old numbers (the identity map does not reload a row it
has), so whenever this session changes the roster — a flush that adds, deletes or moves a
member or changes its type, or a bulk INSERT / UPDATE / DELETE of zb_member (ORM statement or
SQL text) — the counts of every Branch it holds are expired and read again on next access.
Registered on SQLAlchemy's Session class: every session (the app's, a test's, a CLI's) does it.
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from app.models.org import Branch
from app.models.people import Member

COUNTS = ("formal_count", "probationary_count")
_STALE = "zhibu_member_counts_stale"
_WRITES = ("insert", "update", "delete", "replace", "merge", "copy")


def expire_counts(session) -> None:
    """Read the member counts of every Branch the session holds again on next access."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Branch):
            session.expire(obj, COUNTS)


def _moves(member) -> bool:
    attrs = inspect(member).attrs
    return any(attrs[key].history.has_changes() for key in ("member_type", "branch_id", "branch"))


@event.listens_for(Session, "after_flush")
def _roster_flushed(session, _context):
    # the lists still hold the flush's objects here (and their history); expiring waits for postexec
    if any(isinstance(o, Member) for o in session.new) or any(isinstance(o, Member) for o in session.deleted) \
            or any(isinstance(o, Member) and _moves(o) for o in session.dirty):
        session.info[_STALE] = True


@event.listens_for(Session, "after_flush_postexec")
def _expire_after_flush(session, _context):
    if session.info.pop(_STALE, False):
        expire_counts(session)


def _writes_roster(state) -> bool:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        # the statement's table is an annotated copy for an ORM statement: compared by name
        return getattr(getattr(statement, "table", None), "name", None) == Member.__tablename__
    if isinstance(statement, TextClause):
        sql = statement.text.lower()
        return Member.__tablename__ in sql and sql.lstrip().split(None, 1)[0] in _WRITES
    return False


@event.listens_for(Session, "do_orm_execute")
def _roster_statement(state):
    """Run a roster-writing statement (the other hooks, the record-rule guard among them, run
    inside invoke_statement as they would have), then expire the counts it changed."""
    if not _writes_roster(state):
        return None
    result = state.invoke_statement()
    expire_counts(state.session)
    return result
