"""People: what the member, secretary and contact-cadre pages show, and their checks."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask_babel import gettext as _

from app.errors import DomainError
from app.security.scope import current_org


class PeopleError(DomainError):
    """A record of people the rules refuse (HTTP 400)."""


def hours_text(attendances) -> str:
    """A member's training hours per year, newest first: "2012：16 学时；2011：42.5 学时"."""
    by_year: dict = defaultdict(float)
    for a in attendances or []:
        if a.event is not None and a.event.held_on is not None:
            by_year[a.event.held_on.year] += float(a.event.hours or 0)
    if not by_year:
        return "—"
    return "；".join(_("%(year)d：%(hours)s 学时", year=y, hours=f"{h:g}") for y, h in sorted(by_year.items(),
                                                                                          reverse=True))


def violations_text(violations) -> str:
    """A secretary's violations, oldest first: "2011-05-03 …（重大违纪违法）"."""
    if not violations:
        return "—"
    return "；".join(f"{v.occurred_on.isoformat()} {v.description}" + (_("（重大违纪违法）") if v.major else "")
                    for v in violations)


def set_cadre_committee(item) -> None:
    """A cadre without a general branch belongs to the committee of the user who records it."""
    if item.general_branch is not None or item.general_branch_id is not None:
        return   # the flush hook copies the general branch's committee
    if item.committee_id is None and item.committee is None:
        actor = current_org()
        if actor is None or actor.committee_id is None:
            raise PeopleError(_("请选择所属党总支；校领导和机关干部由党委录入。"))
        item.committee_id = actor.committee_id


def check_violation(item) -> None:
    """A violation has happened (not in the future) and says what it was."""
    if item.occurred_on is not None and item.occurred_on > date.today():
        raise PeopleError(_("「发生日期」不能晚于今天。"))
    if not (item.description or "").strip():
        raise PeopleError(_("请填写情况说明。"))
