"""Training events (培训): who holds them, who is credited, a person's hours per year.

One form credits forty people: members picked from the roster and member numbers pasted
(one per line, or separated by spaces, commas or 、). A number that is not a member the user
manages refuses the whole save, naming the numbers, so nothing is half-credited.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import extract, func, select

from app.errors import DomainError
from app.extensions import db
from app.imports.values import match_key
from app.models import Member, TrainingAttendance, TrainingEvent
from app.security.scope import current_org

MAX_HOURS = 200
_SEPARATORS = re.compile(r"[\s,，;；、]+")


class TrainingError(DomainError):
    """A training record the rules refuse (HTTP 400)."""


def set_holder(item: TrainingEvent) -> None:
    """A new event is held by the organization of the user who records it."""
    if item.id is not None or item.committee_id is not None:
        return
    actor = current_org()
    if actor is None or actor.committee_id is None:
        raise TrainingError(_("培训须由党委、党总支或党支部的账号录入。"))
    item.committee_id = actor.committee_id
    item.general_branch_id = actor.general_branch_id if actor.kind in ("general_branch", "branch") else None
    item.branch_id = actor.branch_id if actor.kind == "branch" else None


def check_event(item: TrainingEvent) -> None:
    """Hours above 0 and at most 200; the event is not in the future."""
    if item.hours is None or not 0 < float(item.hours) <= MAX_HOURS:
        raise TrainingError(_("「学时」须大于 0、不超过 %(max)d。", max=MAX_HOURS))
    if item.held_on is not None and item.held_on > date.today():
        raise TrainingError(_("培训日期不能晚于今天。"))


def split_numbers(text: str | None) -> list[str]:
    """The member numbers of a pasted list, in order, without repeats."""
    seen, out = set(), []
    for token in _SEPARATORS.split(text or ""):
        token = token.strip()
        if token and match_key(token) not in seen:
            seen.add(match_key(token))
            out.append(token)
    return out


def members_by_number(numbers: list[str]) -> tuple[list[Member], list[str]]:
    """(members the user manages with these numbers, the numbers not found among them)."""
    if not numbers:
        return [], []
    keys = {match_key(n): n for n in numbers}
    found = {}
    typed = list(keys.values())
    for start in range(0, len(typed), 500):
        chunk = typed[start:start + 500]
        for member in db.session.scalars(select(Member).where(Member.number.in_(chunk))):
            found[match_key(member.number)] = member
    missing = [n for k, n in keys.items() if k not in found]
    return [found[k] for k in keys if k in found], missing


def credit(event: TrainingEvent, members=(), numbers: str | None = None) -> int:
    """Credit the picked members and the pasted numbers with the event (new ones only); the count."""
    listed, missing = members_by_number(split_numbers(numbers))
    if missing:
        shown = "、".join(missing[:20]) + ("…" if len(missing) > 20 else "")
        raise TrainingError(_("在您管理的党员中找不到这些学号/工号：%(numbers)s。未保存任何参加人员。",
                              numbers=shown))
    have = {a.member_id for a in event.attendances}
    added = 0
    for member in list(members or []) + listed:
        if member.id not in have:
            event.attendances.append(TrainingAttendance(member=member))
            have.add(member.id)
            added += 1
    return added


def hours_by_year(member_ids) -> dict:
    """member id -> {year: hours} over the events that credit them (as the actor reads them)."""
    ids = list(member_ids)
    out: dict = defaultdict(dict)
    if not ids:
        return out
    year = extract("year", TrainingEvent.held_on)
    rows = db.session.execute(
        select(TrainingAttendance.member_id, year, func.sum(TrainingEvent.hours))
        .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
        .where(TrainingAttendance.member_id.in_(ids))
        .group_by(TrainingAttendance.member_id, year))
    for member_id, y, hours in rows:
        out[member_id][int(y)] = float(hours)
    return out
