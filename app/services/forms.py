"""The hand-in: rows of 附件2 / 附件3 for a round in the user's scope, built into xlsx."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import InvalidValue
from app.extensions import db
from app.forms import Annex2Row, Annex3Row, FormHeader, annex2_workbook, annex3_workbook
from app.forms.statistics import GradeCountRow, statistics_workbook
from app.models import (
    GRADE_LABELS, Assessment, AssessmentRound, Branch, Committee, ContactCadre, GeneralBranch, Rectification,
)
from app.security.scope import OrgRef, get_in_scope, scope_clause
from app.services.scoring_report import round_summary


class FormNotFound(Exception):
    """The round or general branch is unknown or outside the scope (HTTP 404)."""


@dataclass
class Export:
    """A built file and its name."""

    filename: str
    data: bytes


def _scoped(model, pk, org):
    if pk is None:
        return None
    row = get_in_scope(model, pk, org)
    if row is None:
        raise FormNotFound(model.__name__)
    return row


def _unit(org: OrgRef, general_branch):
    """The exporting organization: the chosen general branch, else the user's own."""
    if general_branch is not None:
        return general_branch.name, general_branch.phone or ""
    if org.kind == "general_branch":
        gb = db.session.get(GeneralBranch, org.general_branch_id)
        return gb.name, gb.phone or ""
    if org.kind == "branch":
        branch = db.session.get(Branch, org.branch_id)
        return branch.name, branch.general_branch.phone or ""
    committee = db.session.get(Committee, org.committee_id) if org.committee_id else None
    return (committee.name if committee else ""), ""


PERSON_MAX, PHONE_MAX = 20, 40
_PHONE_CHARS = set("0123456789+-() /,、，转")


@dataclass(frozen=True)
class Signer:
    """填报人 and 联系电话 as the exporter typed them (checked by signer()); None keeps the default."""

    person: str | None
    phone: str | None


def signer(person, phone) -> Signer | None:
    """The 填报人 / 联系电话 typed before an export, stripped and checked (InvalidValue otherwise)."""
    person = None if person is None else person.strip()
    phone = None if phone is None else phone.strip()
    if person is None and phone is None:
        return None
    if len((person or "")) > PERSON_MAX:
        raise InvalidValue(_("填报人最多 %(n)d 个字。", n=PERSON_MAX))
    if not (person or "").isprintable():
        raise InvalidValue(_("填报人不能含有换行或控制字符。"))
    if len(phone or "") > PHONE_MAX:
        raise InvalidValue(_("联系电话最多 %(n)d 个字符。", n=PHONE_MAX))
    if not set(phone or "") <= _PHONE_CHARS:
        raise InvalidValue(_("联系电话只能包含数字、空格和 + - ( ) / , 转。"))
    return Signer(person, phone)


def full_name(user) -> str:
    """The user's full name, Chinese order (姓 then 名); the user name when both are empty."""
    if user is None:
        return ""
    return f"{user.last_name or ''}{user.first_name or ''}".replace("-", "").strip() or user.username


def header_for(org: OrgRef, user, round_: AssessmentRound, general_branch, signed: Signer | None = None) -> FormHeader:
    """填报单位 / 填报人 / 联系电话 and the note's deadline and address.

    填报人 defaults to the user's full name and 联系电话 to the exporting unit's phone;
    what the exporter typed (signed) replaces both.
    """
    unit, phone = _unit(org, general_branch)
    person = full_name(user)
    if signed is not None:
        person = person if signed.person is None else signed.person
        phone = phone if signed.phone is None else signed.phone
    deadline = f"{round_.deadline.month}月{round_.deadline.day}日" if round_.deadline else ""
    return FormHeader(unit=unit, person=person, phone=phone, deadline_text=deadline,
                      email=current_app.config.get("ZHIBU_REPORT_EMAIL", ""))


def _branch_filter(stmt, general_branch, branch_ids):
    if general_branch is not None:
        stmt = stmt.where(Branch.general_branch_id == general_branch.id)
    if branch_ids is not None:
        stmt = stmt.where(Branch.id.in_(list(branch_ids)))
    return stmt


def annex2_rows(round_, org, general_branch=None, branch_ids=None):
    """One row per branch in scope: committee exports are grouped by general branch order."""
    stmt = (
        select(GeneralBranch.name, Branch.name, Assessment.final_grade)
        .select_from(Branch)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .outerjoin(Assessment, (Assessment.branch_id == Branch.id) & (Assessment.round_id == round_.id))
        # the guard scopes Branch, GeneralBranch and Assessment to the actor (app/security/guard.py);
        # an explicit scope here would filter the same tables a second time
        .where(GeneralBranch.committee_id == round_.committee_id)
        .order_by(*GeneralBranch.by_name(), *Branch.by_name())
    )
    rows = db.session.execute(_branch_filter(stmt, general_branch, branch_ids))
    labels = {code: str(label) for code, label in GRADE_LABELS.items()}   # translated once, not per row
    labels[None] = ""
    for gb_name, branch_name, code in rows:
        yield Annex2Row(general_branch=gb_name, branch=branch_name, grade=labels.get(code) or "")


def annex3_rows(round_, org, general_branch=None, rectification_ids=None):
    """One row per rectification item of the round in scope."""
    # the cells' columns, not ORM objects (30,000 items: the objects were a third of the time);
    # the guard scopes Rectification, Branch and the outer-joined contact as it scopes every read
    stmt = (
        select(Branch.name, Rectification.problems, Rectification.measures, Rectification.due_on,
               ContactCadre.name, Rectification.remark)
        .select_from(Rectification)
        .join(Branch, Branch.id == Rectification.branch_id)
        .join(GeneralBranch, GeneralBranch.id == Branch.general_branch_id)
        .outerjoin(ContactCadre, ContactCadre.id == Rectification.contact_id)
        .where(Rectification.round_id == round_.id, scope_clause(Rectification, org))
        .order_by(*GeneralBranch.by_name(), *Branch.by_name(), Rectification.id)
    )
    if general_branch is not None:
        stmt = stmt.where(Branch.general_branch_id == general_branch.id)
    if rectification_ids is not None:
        stmt = stmt.where(Rectification.id.in_(list(rectification_ids)))
    for branch, problems, measures, due_on, contact, remark in db.session.execute(stmt):
        yield Annex3Row(
            branch=branch, problems=problems or "", measures=measures or "",
            due=due_on.isoformat() if due_on else "", contact=contact or "", remark=remark or "",
        )


def resolve(org, round_id, general_branch_id):
    """The round and optional general branch, both through the scope (FormNotFound otherwise)."""
    round_ = _scoped(AssessmentRound, round_id, org)
    if round_ is None:
        raise FormNotFound("round")
    return round_, _scoped(GeneralBranch, general_branch_id, org)


def official_chinese(build):
    """The official forms and every text stored for them are Chinese, whatever the UI language."""
    @functools.wraps(build)
    def in_chinese(*args, **kwargs):
        with force_locale("zh"):
            return build(*args, **kwargs)
    return in_chinese


@official_chinese
def export_annex2(org, user, round_id, general_branch_id=None, branch_ids=None, signed=None) -> Export:
    """附件2 分类定级汇总表 for the scope (or one general branch, or selected branches)."""
    round_, gb = resolve(org, round_id, general_branch_id)
    header = header_for(org, user, round_, gb, signed)
    data = annex2_workbook(header, annex2_rows(round_, org, gb, branch_ids), grouped=True)
    return Export(f"附件2-分类定级汇总表-{header.unit}-{round_.name}.xlsx", data)


@official_chinese
def export_annex3(org, user, round_id, general_branch_id=None, rectification_ids=None, signed=None) -> Export:
    """附件3 整改汇总表 for the scope (or one general branch, or selected items)."""
    round_, gb = resolve(org, round_id, general_branch_id)
    header = header_for(org, user, round_, gb, signed)
    data = annex3_workbook(header, annex3_rows(round_, org, gb, rectification_ids))
    return Export(f"附件3-整改汇总表-{header.unit}-{round_.name}.xlsx", data)


@official_chinese
def export_statistics(org, round_id) -> Export:
    """Grade counts per general branch with a chart; up/same/down for a 复评."""
    round_, _ = resolve(org, round_id, None)
    rows = []
    for group in round_summary(round_):
        counts = tuple(group.counts[c] for c in ("A", "B", "C", "D"))
        move = (group.movement["up"], group.movement["same"], group.movement["down"]) if round_.base_round_id else None
        rows.append(GradeCountRow(group.name, counts, move))
    return Export(f"分类定级统计-{round_.name}.xlsx", statistics_workbook(f"{round_.name} 分类定级统计", rows))


def export_defaults(org, user, round_id, general_branch_id=None):
    """The round, the unit and the prefilled 填报人 / 联系电话 of the export page (FormNotFound).

    Opened without a round (a typed or bookmarked /forms/annex2), the page offers the newest one.
    """
    if round_id is None:
        round_id = current_round_id(org)
    round_, gb = resolve(org, round_id, general_branch_id)
    header = header_for(org, user, round_, gb)
    return round_, gb, header


def current_round_id(org):
    """The newest round the user may see (the buttons' default), or None."""
    row = db.session.scalars(
        select(AssessmentRound.id).where(scope_clause(AssessmentRound, org)).order_by(AssessmentRound.opens_on.desc())
    ).first()
    return row

