"""Organizational life (组织生活 / 三会一课), training events, funding and a branch's documents.

Counts are derived, never typed: 应到 is the number of attendance rows (the branch roster as
of the meeting's date), 实到 those marked present, 缺席 the others (each with its reason); a
contact cadre's attendance is the meetings that list it as a guest (列席); a person's training
hours per year are the sum of the events that credit them.
"""
from datetime import datetime, timezone

from markupsafe import Markup, escape
from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, Numeric, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.extensions import db
from app.models.org import Branch
from app.models.choices import (
    DOCUMENT_KINDS, HANDBOOK_RESULTS, MEETING_KINDS, SEMESTER_TERMS, label,
)


def _now():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class _FileLink:
    """A record with a stored file: a link to the view that serves it through the rules."""

    file_view = ""

    @property
    def file_link(self):
        from flask import url_for

        href = url_for(f"{self.file_view}.file", pk=self.id)
        return Markup(f'<a href="{escape(href)}">{escape(self.file_name)}</a>')


class Meeting(db.Model):
    """组织生活 / 三会一课: one meeting of a branch, planned and (once) held."""

    __tablename__ = "zb_meeting"
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    kind = Column(String(30), nullable=False, default="general_meeting", info={"choices": MEETING_KINDS})
    title = Column(String(200), nullable=False)
    planned_on = Column(Date)
    held_on = Column(Date, index=True)          # empty: planned, not yet held
    place = Column(String(120))
    host = Column(String(60))                   # 主持人
    recorder = Column(String(60))               # 记录人
    content = Column(Text)                      # 会议内容
    decisions = Column(Text)                    # 会议决议
    # 实到 as typed before attendance was recorded by name (rows migrated from zb_activity)
    typed_present = Column(Integer)
    attendances = relationship("MeetingAttendance", back_populates="meeting", cascade="all, delete-orphan",
                               order_by="MeetingAttendance.id")
    guests = relationship("MeetingGuest", back_populates="meeting", cascade="all, delete-orphan",
                          order_by="MeetingGuest.id")
    attachments = relationship("MeetingAttachment", back_populates="meeting", cascade="all, delete-orphan",
                               order_by="MeetingAttachment.id")

    def __str__(self):
        day = self.held_on or self.planned_on
        return f"{day.isoformat() if day else ''} {self.title}".strip()

    @property
    def expected_count(self) -> int:
        """应到: the roster as of the meeting's date (its attendance rows)."""
        return len(self.attendances)

    @property
    def present_count(self) -> int:
        """实到."""
        if not self.attendances:
            return self.typed_present or 0
        return sum(1 for a in self.attendances if a.present)

    @property
    def absent_count(self) -> int:
        """缺席."""
        return sum(1 for a in self.attendances if not a.present)

    @property
    def absentees(self) -> list:
        """The attendance rows of those absent (each shows its reason)."""
        return [a for a in self.attendances if not a.present]


class MeetingAttendance(db.Model):
    """One member of the roster at one meeting: present, or absent with the reason."""

    __tablename__ = "zb_meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)
    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, ForeignKey("zb_meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    meeting = relationship("Meeting", back_populates="attendances")
    member_id = Column(Integer, ForeignKey("zb_member.id", ondelete="RESTRICT"), nullable=False, index=True)
    member = relationship("Member")
    present = Column(Boolean, nullable=False, default=True)
    absence_reason = Column(String(200))

    def __str__(self):
        name = self.member.name if self.member else ""
        return name if self.present else f"{name}（{self.absence_reason or ''}）"


class MeetingGuest(db.Model):
    """列席: a contact cadre, a 党总支委员 or anyone else (named) who sat in on a meeting."""

    __tablename__ = "zb_meeting_guest"
    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, ForeignKey("zb_meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    meeting = relationship("Meeting", back_populates="guests")
    cadre_id = Column(Integer, ForeignKey("zb_contact_cadre.id", ondelete="RESTRICT"), index=True)
    cadre = relationship("ContactCadre")
    committee_member_id = Column(Integer, ForeignKey("zb_gb_committee_member.id", ondelete="RESTRICT"), index=True)
    committee_member = relationship("GeneralBranchCommitteeMember")
    name = Column(String(60))                  # others: the name as written in the minutes
    position = Column(String(120))

    def __str__(self):
        who = self.cadre or self.committee_member
        return str(who) if who is not None else (self.name or "")


class MeetingAttachment(_FileLink, db.Model):
    """A file of a meeting (minutes, photos), stored outside the web root under a random name."""

    file_view = "MeetingAttachmentView"
    __tablename__ = "zb_meeting_attachment"
    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, ForeignKey("zb_meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    meeting = relationship("Meeting", back_populates="attachments")
    caption = Column(String(200))               # 会议记录、现场照片 …
    file_name = Column(String(255), nullable=False)
    stored_name = Column(String(80), nullable=False, unique=True)
    content_type = Column(String(100), nullable=False)
    file_size = Column(Integer, nullable=False)
    file_sha256 = Column(String(64), nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at = Column(DateTime, nullable=False, default=_now)

    def __str__(self):
        return self.file_name


class TrainingEvent(db.Model):
    """培训: one event (a course, a lecture, an online module) and the members it credits.

    It belongs to the organization that holds it: the committee (branch and general branch
    empty), a general branch (branch empty) or a branch; the ids of its ancestors are kept
    so that every level's rule is one indexed comparison."""

    __tablename__ = "zb_training_event"
    id = Column(Integer, primary_key=True)
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"), index=True)
    general_branch = relationship("GeneralBranch")
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), index=True)
    branch = relationship("Branch")
    held_on = Column(Date, nullable=False, index=True)
    hours = Column(Float, nullable=False)
    online = Column(Boolean, nullable=False, default=False)
    topic = Column(String(200), nullable=False)
    organizer = Column(String(120))
    attendances = relationship("TrainingAttendance", back_populates="event", cascade="all, delete-orphan",
                               order_by="TrainingAttendance.id")

    def __str__(self):
        return f"{self.held_on.isoformat() if self.held_on else ''} {self.topic}".strip()

    @property
    def attendee_count(self) -> int:
        return len(self.attendances)


class TrainingAttendance(db.Model):
    """A member credited with an event's hours."""

    __tablename__ = "zb_training_attendance"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)
    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, ForeignKey("zb_training_event.id", ondelete="CASCADE"), nullable=False, index=True)
    event = relationship("TrainingEvent", back_populates="attendances")
    member_id = Column(Integer, ForeignKey("zb_member.id", ondelete="RESTRICT"), nullable=False, index=True)
    member = relationship("Member")
    # the member's committee (a member's committee never changes), kept by a flush hook: the
    # committee's read rule is one indexed comparison instead of a test of the member per row
    committee_id = Column(Integer, ForeignKey("zb_committee.id", ondelete="RESTRICT"), nullable=False, index=True)
    note = Column(String(200))

    def __str__(self):
        return self.member.name if self.member else ""


class Funding(db.Model):
    """经费: a branch's activity and training funds for a year, in yuan."""

    __tablename__ = "zb_funding"
    __table_args__ = (UniqueConstraint("branch_id", "year"),)
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    year = Column(Integer, nullable=False)
    activity_funds = Column(Numeric(12, 2), nullable=False, default=0)
    training_funds = Column(Numeric(12, 2), nullable=False, default=0)
    note = Column(Text)

    def __str__(self):
        return f"{self.branch} {self.year}"


class BranchDocument(_FileLink, db.Model):
    """A branch's annual work plan or work summary (工作计划 / 工作总结), one of each a year."""

    file_view = "BranchDocumentView"
    __tablename__ = "zb_branch_document"
    __table_args__ = (UniqueConstraint("branch_id", "year", "kind"),)
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    year = Column(Integer, nullable=False)
    kind = Column(String(20), nullable=False, info={"choices": DOCUMENT_KINDS})
    title = Column(String(200), nullable=False)
    file_name = Column(String(255), nullable=False)
    stored_name = Column(String(80), nullable=False, unique=True)
    content_type = Column(String(100), nullable=False)
    file_size = Column(Integer, nullable=False)
    file_sha256 = Column(String(64), nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at = Column(DateTime, nullable=False, default=_now)

    def __str__(self):
        return f"{self.year} {label(DOCUMENT_KINDS, self.kind)}"


class HandbookCheck(db.Model):
    """抽查党支部工作手册: the general branch or the committee checks a branch's handbook each semester."""

    __tablename__ = "zb_handbook_check"
    __table_args__ = (UniqueConstraint("branch_id", "school_year", "term"),)
    id = Column(Integer, primary_key=True)
    branch_id = Column(Integer, ForeignKey("zb_branch.id", ondelete="RESTRICT"), nullable=False, index=True)
    branch = relationship("Branch")
    school_year = Column(Integer, nullable=False)   # 2011 = the 2011—2012 school year
    term = Column(String(10), nullable=False, info={"choices": SEMESTER_TERMS})
    checked_on = Column(Date, nullable=False)
    checker = Column(String(60), nullable=False)
    result = Column(String(20), nullable=False, info={"choices": HANDBOOK_RESULTS})
    note = Column(Text)

    def __str__(self):
        return f"{self.school_year}—{self.school_year + 1} {label(SEMESTER_TERMS, self.term)}"


gb_committee_member_branch = Table(
    "zb_gb_committee_member_branch",
    db.Model.metadata,
    Column("committee_member_id", Integer, ForeignKey("zb_gb_committee_member.id", ondelete="CASCADE"),
           primary_key=True),
    Column("branch_id", Integer, ForeignKey("zb_branch.id", ondelete="CASCADE"), primary_key=True),
)


class GeneralBranchCommitteeMember(db.Model):
    """党总支委员: a member of a general branch's committee and the branches they contact
    (五、(二): 学院党总支委员至少要联系一个学生党支部)."""

    __tablename__ = "zb_gb_committee_member"
    id = Column(Integer, primary_key=True)
    general_branch_id = Column(Integer, ForeignKey("zb_general_branch.id", ondelete="RESTRICT"), nullable=False,
                               index=True)
    general_branch = relationship("GeneralBranch")
    name = Column(String(60), nullable=False)
    position = Column(String(120))             # 书记、副书记、组织委员 …
    member_id = Column(Integer, ForeignKey("zb_member.id", ondelete="SET NULL"), index=True)
    member = relationship("Member")
    branches = relationship("Branch", secondary=gb_committee_member_branch,
                            order_by=lambda: (Branch.code, Branch.name_key))

    def __str__(self):
        return self.name
