"""Sessions that end when they should, on every worker (the state is in the database).

- A browser login is a row of zb_login_session, named by the hash of a random id kept in the
  signed session cookie. Every request checks the row (one primary-key read); logout deletes
  it, so a cookie copied before logout no longer works; it ends after
  PERMANENT_SESSION_LIFETIME however often it is used.
- Every JWT (access and refresh) carries the user's session version (claim "sv",
  zb_account_guard.session_version) and is refused once the version has moved on.
- A password change (own, by the operator, the CLI) or a deactivation raises the version and
  deletes every browser session of that user, whichever path changed the user row: a session
  listener sees it in the flush. Changing one's own password keeps the browser doing it.
"""
from __future__ import annotations

import datetime
import hashlib
import secrets

from flask import current_app, g, has_request_context, session
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import delete, event, inspect, insert, select, update

from app.models import AccountGuard, LoginSession

SID = "zb_sid"
_GUARD, _SESSIONS = AccountGuard.__table__, LoginSession.__table__


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _connection():
    from app.extensions import db

    return db.session.connection()


# -- browser sessions -------------------------------------------------------------------------

def start_web_session(_app, user, **_kw) -> None:
    """flask-login's user_logged_in: a new server-side session row, its id in the cookie."""
    from app.extensions import db

    old = session.pop(SID, None)
    now = _now()
    lifetime = current_app.permanent_session_lifetime
    connection = _connection()
    if old:
        connection.execute(delete(_SESSIONS).where(_SESSIONS.c.id == _digest(old)))
    connection.execute(delete(_SESSIONS).where(_SESSIONS.c.user_id == user.id, _SESSIONS.c.expires_at <= now))
    sid = secrets.token_urlsafe(32)
    connection.execute(insert(_SESSIONS).values(id=_digest(sid), user_id=user.id, created_at=now,
                                                expires_at=now + lifetime))
    db.session.commit()
    session[SID] = sid
    session.permanent = True  # the cookie's own expiry follows PERMANENT_SESSION_LIFETIME


def web_session_alive(user_id: int) -> bool:
    """The cookie names a live session row of this user; else the cookie is cleared."""
    sid = session.get(SID)
    alive = bool(sid) and _connection().execute(select(_SESSIONS.c.id).where(
        _SESSIONS.c.id == _digest(sid), _SESSIONS.c.user_id == user_id,
        _SESSIONS.c.expires_at > _now())).first() is not None
    if not alive:
        session.clear()
    return alive


def end_web_session() -> None:
    """Logout: this browser's session row goes, so its cookie is worthless, copied or not."""
    from app.extensions import db

    sid = session.pop(SID, None)
    if sid:
        _connection().execute(delete(_SESSIONS).where(_SESSIONS.c.id == _digest(sid)))
        db.session.commit()


# -- tokens -----------------------------------------------------------------------------------

def session_version(user_id) -> int:
    """The user's current session version (0 before the first change)."""
    version = _connection().execute(
        select(_GUARD.c.session_version).where(_GUARD.c.user_id == int(user_id))).scalar()
    return version or 0


def token_claims(identity) -> dict:
    """additional_claims_loader: every new access or refresh token carries the version."""
    return {"sv": session_version(identity)}


def token_revoked(_jwt_header, jwt_data) -> bool:
    """token_in_blocklist_loader: a token of an older version (or none) is refused."""
    return jwt_data.get("sv") != session_version(jwt_data["sub"])


# -- ending every session of a user -----------------------------------------------------------

def _end_all(connection, user_id: int, keep: str | None) -> None:
    done = connection.execute(update(_GUARD).where(_GUARD.c.user_id == user_id)
                              .values(session_version=_GUARD.c.session_version + 1)).rowcount
    if not done:
        connection.execute(insert(_GUARD).values(user_id=user_id, failed_logins=0, session_version=1))
    stmt = delete(_SESSIONS).where(_SESSIONS.c.user_id == user_id)
    if keep:
        stmt = stmt.where(_SESSIONS.c.id != keep)
    connection.execute(stmt)


def _own_browser_session(user_id: int) -> str | None:
    """The digest of this request's session when the user changes their own password."""
    if not has_request_context():
        return None
    me = getattr(g, "user", None)
    sid = session.get(SID)
    if sid and getattr(me, "id", None) == user_id:
        return _digest(sid)
    return None


def _before_flush(db_session, _context, _instances) -> None:
    """A changed password or a deactivation in this flush ends the user's sessions and tokens."""
    for obj in list(db_session.dirty):
        if not isinstance(obj, User) or obj.id is None:
            continue
        state = inspect(obj)
        password_changed = state.attrs.password.history.has_changes()
        deactivated = state.attrs.active.history.has_changes() and not obj.active
        if password_changed or deactivated:
            keep = _own_browser_session(obj.id) if password_changed and not deactivated else None
            _end_all(db_session.connection(), obj.id, keep)


def install(session_class) -> None:
    """The listener on the application's session class (once per process)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
