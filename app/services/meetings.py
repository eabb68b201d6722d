"""Meetings (组织生活 / 三会一课): the checks every path shares, the roster as of a date, files.

应到 is the branch roster as of the meeting's date, taken once when the meeting is recorded
(fill_attendance): everyone is present until marked absent, and an absence needs its reason.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.errors import DomainError
from app.extensions import db
from app.models import Meeting, MeetingAttachment, MeetingAttendance, Member
from app.services import uploads
from app.services.tx import commit

FOLDER = "meetings"
ATTACHMENT_TYPES = {**uploads.DOCUMENT_TYPES, **uploads.IMAGE_TYPES}


class MeetingError(DomainError):
    """A meeting record the rules refuse (HTTP 400)."""


def check_meeting(item: Meeting) -> None:
    """A held meeting is not in the future; it has a planned or a held date."""
    if item.held_on is None and item.planned_on is None:
        raise MeetingError(_("请填写计划日期或召开日期。"))
    if item.held_on is not None and item.held_on > date.today():
        raise MeetingError(_("召开日期不能晚于今天；尚未召开的会议请只填计划日期。"))


def roster_as_of(branch_id: int, day: date | None) -> list[Member]:
    """The members of the branch who had joined by that day (all of them when no day)."""
    stmt = select(Member).where(Member.branch_id == branch_id).order_by(Member.number)
    if day is not None:
        stmt = stmt.where(or_(Member.joined_on.is_(None), Member.joined_on <= day))
    return list(db.session.scalars(stmt))


def fill_attendance(meeting: Meeting) -> int:
    """Give a meeting without attendance one row per member of the roster (present); the count."""
    branch_id = meeting.branch.id if meeting.branch is not None else meeting.branch_id
    if meeting.attendances or branch_id is None:
        return 0
    members = roster_as_of(branch_id, meeting.held_on or meeting.planned_on)
    meeting.attendances = [MeetingAttendance(member=m, present=True) for m in members]
    return len(members)


def check_attendance(item: MeetingAttendance) -> None:
    """The member is on the meeting's branch roster; an absence has its reason."""
    with db.session.no_autoflush:
        meeting = item.meeting or (db.session.get(Meeting, item.meeting_id) if item.meeting_id else None)
        member = item.member or (db.session.get(Member, item.member_id) if item.member_id else None)
    if meeting is not None and member is not None and meeting.branch_id is not None \
            and member.branch_id != meeting.branch_id:
        raise MeetingError(_("「%(name)s」不是该党支部的党员。", name=member.name))
    if item.present is False and not (item.absence_reason or "").strip():
        raise MeetingError(_("请填写缺席原因。"))


def check_guest(item) -> None:
    """A guest is a contact cadre, a 党总支委员, or someone named."""
    if item.cadre is None and item.cadre_id is None and item.committee_member is None \
            and item.committee_member_id is None and not (item.name or "").strip():
        raise MeetingError(_("请选择联系干部或党总支委员，或填写列席人员姓名。"))


def attach(meeting: Meeting, user, filename: str, data: bytes, caption: str | None = None) -> MeetingAttachment:
    """Keep a file of the meeting (minutes, photos); nothing half-saved."""
    stored = uploads.store(FOLDER, filename, data, ATTACHMENT_TYPES)
    row = MeetingAttachment(meeting_id=meeting.id, uploaded_by_id=getattr(user, "id", None),
                            caption=(caption or "").strip()[:200] or None, **stored.columns())
    db.session.add(row)
    try:
        commit()
    except BaseException:
        db.session.rollback()
        uploads.discard(FOLDER, stored.stored_name)
        raise
    return row
