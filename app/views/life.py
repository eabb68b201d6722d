"""Views of organizational life: meetings and their attendance and guests, training events and
their attendees, funding, handbook spot checks."""
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, Select2ManyWidget
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Optional as OptionalValidator

from app.extensions import db
from app.models import (
    Funding, HandbookCheck, Meeting, MeetingAttendance, MeetingGuest, Member, TrainingAttendance, TrainingEvent,
)
from app.services import meetings, training
from app.views.base import ScopedModelRestApi, ScopedModelView
from app.views.files import MeetingAttachmentView


def _names(rows) -> str:
    return "、".join(str(r) for r in rows) if rows else "—"


class MeetingAttendanceView(ScopedModelView):
    """应到 / 实到 / 缺席 of a meeting, one row per member of the roster as of its date."""

    model = MeetingAttendance
    class_permission_name = "Meeting"
    list_title = show_title = _l("出席情况")
    add_title = _l("新增出席记录")
    edit_title = _l("编辑出席情况")
    list_columns = ["member", "present", "absence_reason"]
    add_columns = ["meeting", "member", "present", "absence_reason"]
    edit_columns = ["present", "absence_reason"]
    show_columns = ["meeting", "member", "present", "absence_reason"]
    order_columns = ["present"]
    write_checks = (meetings.check_attendance,)


class MeetingGuestView(ScopedModelView):
    """列席: contact cadres, 党总支委员 and others who sat in."""

    model = MeetingGuest
    class_permission_name = "Meeting"
    list_title = show_title = _l("列席人员")
    add_title = _l("新增列席人员")
    edit_title = _l("编辑列席人员")
    list_columns = ["cadre", "committee_member", "name", "position"]
    add_columns = ["meeting", "cadre", "committee_member", "name", "position"]
    edit_columns = ["cadre", "committee_member", "name", "position"]
    show_columns = ["meeting", "cadre", "committee_member", "name", "position"]
    order_columns = ["name"]
    write_checks = (meetings.check_guest,)


MEETING_FIELDS = ["branch", "kind", "title", "planned_on", "held_on", "place", "host", "recorder", "content",
                  "decisions"]


class MeetingView(ScopedModelView):
    model = Meeting
    class_permission_name = "Meeting"
    list_title = show_title = _l("组织生活")
    add_title = _l("新增组织生活记录")
    edit_title = _l("编辑组织生活记录")
    list_columns = ["branch", "held_on", "kind", "title", "expected_count", "present_count", "absent_count"]
    add_columns = edit_columns = MEETING_FIELDS
    show_columns = MEETING_FIELDS + ["expected_count", "present_count", "absent_count", "absentees", "guests"]
    formatters_columns = {
        "guests": _names,
        "absentees": _names,
    }
    search_columns = ["branch", "kind", "planned_on", "held_on", "title", "host"]
    order_columns = ["held_on", "planned_on", "kind", "title"]
    base_order = ("held_on", "desc")
    related_views = [MeetingAttendanceView, MeetingGuestView, MeetingAttachmentView]
    write_checks = (meetings.check_meeting,)

    def pre_add(self, item):
        meetings.fill_attendance(item)
        super().pre_add(item)


def _members_in_scope():
    """The members the user manages, for the attendee picker (the guard scopes the query)."""
    return db.session.scalars(select(Member).order_by(Member.branch_id, Member.number)).all()


def _attendee_fields():
    return {
        "pick_members": QuerySelectMultipleField(
            _l("从名册选择参加人员"), query_func=_members_in_scope, get_pk_func=lambda m: m.id,
            widget=Select2ManyWidget(), validators=[OptionalValidator()]),
        "paste_numbers": TextAreaField(
            _l("粘贴学号/工号"), widget=BS3TextAreaFieldWidget(), validators=[OptionalValidator()],
            description=_l("每行一个，或用空格、逗号、顿号分隔；与上面选择的人员合并，重复的只记一次。")),
    }


def _credit_attendees(item) -> None:
    """Credit the picked members and pasted numbers (the form's two extra fields)."""
    training.credit(item, getattr(item, "pick_members", None) or [], getattr(item, "paste_numbers", None))


class TrainingAttendanceView(ScopedModelView):
    model = TrainingAttendance
    class_permission_name = "Training"
    list_title = show_title = _l("参加人员")
    add_title = _l("新增参加人员")
    edit_title = _l("编辑参加人员")
    list_columns = ["member", "event", "note"]
    add_columns = show_columns = ["event", "member", "note"]
    edit_columns = ["member", "note"]
    search_columns = ["member", "event"]


TRAINING_FIELDS = ["held_on", "hours", "online", "topic", "organizer"]


class TrainingEventView(ScopedModelView):
    """One form for forty people: the event, a roster picker and a paste box of numbers."""

    model = TrainingEvent
    class_permission_name = "Training"
    list_title = show_title = _l("培训")
    add_title = _l("新增培训")
    edit_title = _l("编辑培训")
    list_columns = ["held_on", "topic", "hours", "online", "organizer", "attendee_count"]
    add_columns = edit_columns = TRAINING_FIELDS + ["pick_members", "paste_numbers"]
    show_columns = TRAINING_FIELDS + ["branch", "general_branch", "attendee_count", "attendances"]
    formatters_columns = {"attendances": _names}
    search_columns = ["held_on", "topic", "online", "organizer"]
    order_columns = ["held_on", "hours", "topic"]
    base_order = ("held_on", "desc")
    related_views = [TrainingAttendanceView]
    write_checks = (training.set_holder, training.check_event, _credit_attendees)
    add_form_extra_fields = edit_form_extra_fields = _attendee_fields()


FUNDING_FIELDS = ["branch", "year", "activity_funds", "training_funds", "note"]


class FundingView(ScopedModelView):
    model = Funding
    class_permission_name = "Funding"
    list_title = show_title = _l("经费")
    add_title = _l("新增经费记录")
    edit_title = _l("编辑经费记录")
    list_columns = ["branch", "year", "activity_funds", "training_funds"]
    add_columns = edit_columns = show_columns = FUNDING_FIELDS
    search_columns = ["branch", "year"]
    order_columns = ["year", "activity_funds", "training_funds"]
    base_order = ("year", "desc")


HANDBOOK_FIELDS = ["branch", "school_year", "term", "checked_on", "checker", "result", "note"]


class HandbookCheckView(ScopedModelView):
    model = HandbookCheck
    class_permission_name = "HandbookCheck"
    list_title = show_title = _l("工作手册抽查")
    add_title = _l("新增工作手册抽查记录")
    edit_title = _l("编辑工作手册抽查记录")
    label_columns = {**ScopedModelView.label_columns, "result": _l("抽查结果")}
    list_columns = add_columns = edit_columns = show_columns = HANDBOOK_FIELDS
    search_columns = ["branch", "school_year", "term", "result"]
    order_columns = ["school_year", "checked_on", "result"]
    base_order = ("checked_on", "desc")


class MeetingApi(ScopedModelRestApi):
    resource_name = "meeting"
    model = Meeting
    class_permission_name = "Meeting"
    list_columns = show_columns = ["id", "branch.id", "branch.name", "kind", "title", "planned_on", "held_on",
                                   "place", "host", "recorder", "content", "decisions"]
    add_columns = edit_columns = MEETING_FIELDS
    write_checks = (meetings.check_meeting,)

    def pre_add(self, item):
        meetings.fill_attendance(item)
        super().pre_add(item)


class MeetingAttendanceApi(ScopedModelRestApi):
    resource_name = "meetingattendance"
    model = MeetingAttendance
    class_permission_name = "Meeting"
    list_columns = show_columns = ["id", "meeting.id", "member.id", "member.name", "member.number", "present",
                                   "absence_reason"]
    add_columns = ["meeting", "member", "present", "absence_reason"]
    edit_columns = ["present", "absence_reason"]
    write_checks = (meetings.check_attendance,)


class MeetingGuestApi(ScopedModelRestApi):
    resource_name = "meetingguest"
    model = MeetingGuest
    class_permission_name = "Meeting"
    list_columns = show_columns = ["id", "meeting.id", "cadre.id", "cadre.name", "committee_member.id",
                                   "committee_member.name", "name", "position"]
    add_columns = ["meeting", "cadre", "committee_member", "name", "position"]
    edit_columns = ["cadre", "committee_member", "name", "position"]
    write_checks = (meetings.check_guest,)


class TrainingEventApi(ScopedModelRestApi):
    resource_name = "trainingevent"
    model = TrainingEvent
    class_permission_name = "Training"
    list_columns = show_columns = ["id", "held_on", "hours", "online", "topic", "organizer", "branch.id",
                                   "general_branch.id"]
    add_columns = edit_columns = TRAINING_FIELDS
    write_checks = (training.set_holder, training.check_event)


class TrainingAttendanceApi(ScopedModelRestApi):
    resource_name = "trainingattendance"
    model = TrainingAttendance
    class_permission_name = "Training"
    list_columns = show_columns = ["id", "event.id", "event.topic", "member.id", "member.name", "member.number",
                                   "note"]
    add_columns = ["event", "member", "note"]
    edit_columns = ["member", "note"]


class FundingApi(ScopedModelRestApi):
    resource_name = "funding"
    model = Funding
    class_permission_name = "Funding"
    list_columns = show_columns = ["id", "branch.id", "branch.name", "year", "activity_funds", "training_funds",
                                   "note"]
    add_columns = edit_columns = FUNDING_FIELDS


class HandbookCheckApi(ScopedModelRestApi):
    resource_name = "handbookcheck"
    model = HandbookCheck
    class_permission_name = "HandbookCheck"
    list_columns = show_columns = ["id", "branch.id", "branch.name", "school_year", "term", "checked_on", "checker",
                                   "result", "note"]
    add_columns = edit_columns = HANDBOOK_FIELDS
