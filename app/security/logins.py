"""Account lockout: N consecutive failed logins lock the account for a while.

The counter and the lock live in zb_account_guard, so every worker sees the same state; each
change is one atomic UPDATE (two workers counting at once never lose a failure). The lock is
lifted by the operator (`flask --app app zhibu unlock USERNAME`) or when its time has passed.
A locked account answers exactly like an unknown user or a wrong password (the security
manager decides that); this module only keeps the count.
"""
from __future__ import annotations

import datetime

from flask import current_app
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AccountGuard


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def is_locked(user_id: int) -> bool:
    """True while the account's lock has not expired."""
    until = db.session.scalar(select(AccountGuard.locked_until).where(AccountGuard.user_id == user_id))
    return until is not None and until > _now()


def count_failure(user_id: int) -> None:
    """One more failed login; the Nth in a row locks the account (ZHIBU_LOCKOUT_*)."""
    now = _now()
    limit = int(current_app.config["ZHIBU_LOCKOUT_FAILURES"])
    until = now + datetime.timedelta(seconds=int(current_app.config["ZHIBU_LOCKOUT_SECONDS"]))
    expired = AccountGuard.locked_until.is_not(None) & (AccountGuard.locked_until <= now)
    for _attempt in range(3):
        done = db.session.execute(
            update(AccountGuard).where(AccountGuard.user_id == user_id).values(
                # a lock that has run out starts a fresh count
                failed_logins=case((expired, 1), else_=AccountGuard.failed_logins + 1),
                locked_until=case((expired, None), else_=AccountGuard.locked_until),
            ).execution_options(synchronize_session=False)).rowcount
        if not done:
            db.session.add(AccountGuard(user_id=user_id, failed_logins=1))
        try:
            db.session.flush()
            break
        except IntegrityError:  # another worker made the row first: count on it
            db.session.rollback()
    db.session.execute(
        update(AccountGuard).where(
            AccountGuard.user_id == user_id, AccountGuard.failed_logins >= limit,
            AccountGuard.locked_until.is_(None),
        ).values(locked_until=until).execution_options(synchronize_session=False))
    db.session.commit()


def clear_failures(user_id: int) -> None:
    """A successful login (or the operator's unlock) resets the count and lifts the lock."""
    db.session.execute(
        update(AccountGuard).where(AccountGuard.user_id == user_id)
        .values(failed_logins=0, locked_until=None).execution_options(synchronize_session=False))
    db.session.commit()
