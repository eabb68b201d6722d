"""Views of the people: roster, secretaries, contact cadres."""
from flask_babel import lazy_gettext as _l

from app.models import ContactCadre, Member, Secretary, TrainingRecord
from app.views.base import VIEW_VERBS, ScopedModelRestApi, ScopedModelView
from app.views.bulk_edit import BULK_VERBS, MEMBER_BULK_FIELDS, BulkEditMixin

MEMBER_FIELDS = ["number", "name", "gender", "member_type", "joined_on", "unit", "is_teacher_backbone", "branch"]


class MemberView(BulkEditMixin, ScopedModelView):
    model = Member
    class_permission_name = "Member"
    method_permission_name = {**VIEW_VERBS, **BULK_VERBS}
    bulk_fields, bulk_noun = MEMBER_BULK_FIELDS, _l("名党员")
    list_title = show_title = _l("党员名册")
    add_title = _l("新增党员")
    edit_title = _l("编辑党员")
    list_columns = ["number", "name", "gender", "member_type", "joined_on", "unit", "branch"]
    add_columns = edit_columns = MEMBER_FIELDS
    show_columns = MEMBER_FIELDS + ["appraisals"]
    # 民主评议党员 results, newest first: "2024：优秀；2023：合格" (none: a dash)
    formatters_columns = {"appraisals": lambda rows: "；".join(str(a) for a in rows) if rows else "—"}
    search_columns = ["number", "name", "gender", "member_type", "joined_on", "unit", "is_teacher_backbone", "branch"]
    order_columns = ["number", "name", "member_type", "joined_on", "unit"]
    base_order = ("number", "asc")


SECRETARY_FIELDS = ["member", "branch", "appointed_on", "left_on", "title_rank"]


class SecretaryView(ScopedModelView):
    model = Secretary
    class_permission_name = "Secretary"
    list_title = show_title = _l("支部书记")
    add_title = _l("新增支部书记")
    edit_title = _l("编辑支部书记")
    list_columns = ["member", "branch", "appointed_on", "left_on", "title_rank"]
    add_columns = edit_columns = SECRETARY_FIELDS
    show_columns = SECRETARY_FIELDS + ["violations"]
    search_columns = ["member", "branch", "appointed_on", "left_on", "title_rank"]
    order_columns = ["appointed_on", "left_on", "title_rank"]
    base_order = ("appointed_on", "desc")


CADRE_FIELDS = ["name", "position", "level", "general_branch", "branches", "attended_meetings"]


class ContactCadreView(ScopedModelView):
    model = ContactCadre
    class_permission_name = "ContactCadre"
    list_title = show_title = _l("联系干部")
    add_title = _l("新增联系干部")
    edit_title = _l("编辑联系干部")
    list_columns = ["name", "position", "level", "general_branch", "branches"]
    add_columns = edit_columns = show_columns = CADRE_FIELDS
    search_columns = ["name", "position", "level", "general_branch", "branches"]
    order_columns = ["name", "position", "level"]
    base_order = ("name", "asc")


TRAINING_FIELDS = ["member", "held_on", "hours", "online", "topic", "organizer"]


class TrainingView(ScopedModelView):
    model = TrainingRecord
    class_permission_name = "Training"
    list_title = show_title = _l("培训记录")
    add_title = _l("新增培训记录")
    edit_title = _l("编辑培训记录")
    list_columns = add_columns = edit_columns = show_columns = TRAINING_FIELDS
    search_columns = ["member", "held_on", "online", "topic", "organizer"]
    order_columns = ["held_on", "hours", "topic"]
    base_order = ("held_on", "desc")


class MemberApi(ScopedModelRestApi):
    resource_name = "member"
    model = Member
    class_permission_name = "Member"
    list_columns = show_columns = [
        "id", "number", "name", "gender", "member_type", "joined_on", "unit",
        "is_teacher_backbone", "branch.id", "branch.name",
    ]
    add_columns = edit_columns = MEMBER_FIELDS


class SecretaryApi(ScopedModelRestApi):
    resource_name = "secretary"
    model = Secretary
    class_permission_name = "Secretary"
    list_columns = show_columns = [
        "id", "member.id", "member.name", "branch.id", "branch.name", "appointed_on", "left_on", "title_rank",
    ]
    add_columns = edit_columns = SECRETARY_FIELDS


class ContactCadreApi(ScopedModelRestApi):
    resource_name = "contactcadre"
    model = ContactCadre
    class_permission_name = "ContactCadre"
    list_columns = show_columns = [
        "id", "name", "position", "level", "general_branch.id", "general_branch.name",
        "branches.id", "branches.name", "attended_meetings",
    ]
    add_columns = edit_columns = CADRE_FIELDS
