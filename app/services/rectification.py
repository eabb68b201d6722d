"""Rectification (四、(二) 对标整改): items for the branches the assessment found weak."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.errors import DomainError
from app.models import GRADE_LABELS, Assessment, AssessmentRound, Rectification, RectificationNote, ScoreSheet, StandardItem
from app.security.scope import scope_clause
from app.services.assessment import result_of
from app.services.forms import official_chinese
from app.services.tx import commit

WEAK_STANDARD = 14.0  # a standard averaging under 70% of its 20 points is a weakness


class RectificationError(DomainError):
    """A rectification change the rules refuse; the message says why."""


def weak_standards(assessment: Assessment) -> list[str]:
    """'工作机制好（平均 12.5/20）' for each standard whose sheets average below WEAK_STANDARD."""
    means = db.session.execute(
        select(func.avg(ScoreSheet.s1), func.avg(ScoreSheet.s2), func.avg(ScoreSheet.s3),
               func.avg(ScoreSheet.s4), func.avg(ScoreSheet.s5))
        .where(ScoreSheet.assessment_id == assessment.id)
    ).one()
    titles = dict(db.session.execute(
        select(StandardItem.number, StandardItem.title).where(StandardItem.category == assessment.branch.category)
    ).all())
    return [
        f"{titles.get(i, i)}（{_('平均')} {mean:.1f}/20）"
        for i, mean in enumerate(means, start=1)
        if mean is not None and mean < WEAK_STANDARD
    ]


def problems_text(assessment: Assessment) -> str:
    """The weaknesses the assessment found, in words: grade, vetoes, weak standards."""
    lines = [_("考评等次：%(grade)s", grade=GRADE_LABELS[assessment.final_grade])]
    result = result_of(assessment)
    lines += [line for line in result.explain("zh") if line.startswith(result.vetoes)] if result.vetoes else []
    weak = weak_standards(assessment)
    if weak:
        lines.append(_("薄弱的考评标准：%(items)s", items="、".join(weak)))
    return "\n".join(lines)


@official_chinese
def create_for_weak(round_, org) -> int:
    """推动一般、整顿后进: an item for each branch in scope graded 一般 or 较差 without one yet."""
    have = set(db.session.scalars(select(Rectification.branch_id).where(Rectification.round_id == round_.id)))
    weak = db.session.scalars(
        select(Assessment).where(
            Assessment.round_id == round_.id, scope_clause(Assessment, org),
            Assessment.final_grade.in_(("C", "D")),
        )
    ).all()
    created = 0
    for assessment in weak:
        if assessment.branch_id in have:
            continue
        contacts = _contacts_of(assessment.branch)
        db.session.add(Rectification(
            branch=assessment.branch, round=round_, problems=problems_text(assessment), measures="",
            due_on=default_due_on(round_), contact=contacts[0] if contacts else None,
            status="not_started",
            remark=_("整顿后进") if assessment.final_grade == "D" else _("推动一般"),
        ))
        created += 1
    commit()
    return created


def _contacts_of(branch):
    from app.models import ContactCadre

    return db.session.scalars(select(ContactCadre).where(ContactCadre.branches.any(id=branch.id))
                              .order_by(*ContactCadre.by_name())).all()


def default_due_on(round_) -> date | None:
    """完成整改时间 by default: the round's 整改完成期限; else the day before its follow-up round
    (晋位升级 compares against it) opens; else the end of the round's year. Never "today + N"."""
    if round_ is None:
        return None
    if round_.rectify_by:
        return round_.rectify_by
    follow_up = db.session.scalar(select(func.min(AssessmentRound.opens_on))
                                  .where(AssessmentRound.base_round_id == round_.id))
    return follow_up - timedelta(days=1) if follow_up else date(round_.year, 12, 31)


def check_item(item: Rectification) -> None:
    """The contact person must be linked to the branch; a finished item has its date; an item
    without a due date takes its round's (default_due_on)."""
    if item.due_on is None:
        item.due_on = default_due_on(item.round)
    if item.contact is not None and item.branch is not None and item.branch not in item.contact.branches:
        raise RectificationError(_("党支部定点联系人须从联系该党支部的联系干部中选择。"))
    if item.status == "done" and item.completed_on is None:
        item.completed_on = date.today()
    if item.status != "done":
        item.completed_on = None


def record_note(note: RectificationNote, user) -> None:
    """A dated progress entry, stamped with its author; an item not started moves to 整改中."""
    note.text = (note.text or "").strip()
    if not note.text:
        raise RectificationError(_("请填写整改进展。"))
    note.noted_on = note.noted_on or date.today()
    note.author_id, note.created_at = getattr(user, "id", None), datetime.utcnow()
    item = note.rectification
    if item is not None and item.status == "not_started":
        item.status = "in_progress"
