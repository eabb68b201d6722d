"""民主评议党员 results (DOMAIN.md "MemberAppraisal"): the checks every path shares.

A result is entered after the branch's 民主评议 meeting: its year is not in the future, and
not before 1949. One result per member and year (the unique constraint; check_unique says so
in a sentence first). Who may enter whose is the record-rule table's answer.
"""
from datetime import date

from flask_babel import gettext as _

from app.errors import DomainError

MIN_YEAR = 1949


class AppraisalError(DomainError):
    """A result the rules refuse (HTTP 400)."""


def check_year(year) -> None:
    """The year of a 民主评议: a whole number from 1949 to this year."""
    this_year = date.today().year
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= this_year:
        raise AppraisalError(_("「年度」须为 %(min)d 到 %(max)d 之间的年份（民主评议会议开过之后才录入结果）。",
                               min=MIN_YEAR, max=this_year))


def check_appraisal(item) -> None:
    """Every save of a MemberAppraisal (form, REST, import)."""
    check_year(item.year)
