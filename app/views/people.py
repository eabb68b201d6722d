"""Views of the people: roster, secretaries, contact cadres."""
from flask_babel import lazy_gettext as _l

from app.models import ContactCadre, GeneralBranchCommitteeMember, Member, Secretary, SecretaryViolation
from app.services import people
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
    show_columns = MEMBER_FIELDS + ["appraisals", "trainings"]
    # 民主评议党员 results, newest first: "2024：优秀；2023：合格" (none: a dash); training
    # hours per year, derived from the events that credit the member: "2024：42 学时"
    formatters_columns = {"appraisals": lambda rows: "；".join(str(a) for a in rows) if rows else "—",
                          "trainings": people.hours_text}
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
    formatters_columns = {"violations": people.violations_text}
    search_columns = ["member", "branch", "appointed_on", "left_on", "title_rank"]
    order_columns = ["appointed_on", "left_on", "title_rank"]
    base_order = ("appointed_on", "desc")


CADRE_FIELDS = ["name", "position", "level", "general_branch", "branches"]


class ContactCadreView(ScopedModelView):
    """联系干部: of a general branch, or of the committee itself (校领导, 机关干部: no general branch)."""

    model = ContactCadre
    class_permission_name = "ContactCadre"
    list_title = show_title = _l("联系干部")
    add_title = _l("新增联系干部")
    edit_title = _l("编辑联系干部")
    list_columns = ["name", "position", "level", "general_branch", "branches"]
    add_columns = edit_columns = CADRE_FIELDS
    show_columns = CADRE_FIELDS + ["committee", "attended_meetings"]
    search_columns = ["name", "position", "level", "general_branch", "branches"]
    order_columns = ["name", "position", "level"]
    base_order = ("name", "asc")
    write_checks = (people.set_cadre_committee,)


VIOLATION_FIELDS = ["secretary", "occurred_on", "description", "major"]


class SecretaryViolationView(ScopedModelView):
    """违纪违法记录 (V1's input): entered by the general branch or the committee."""

    model = SecretaryViolation
    class_permission_name = "SecretaryViolation"
    list_title = show_title = _l("支部书记违纪违法记录")
    add_title = _l("新增违纪违法记录")
    edit_title = _l("编辑违纪违法记录")
    list_columns = add_columns = show_columns = VIOLATION_FIELDS
    edit_columns = ["occurred_on", "description", "major"]
    search_columns = ["secretary", "occurred_on", "major"]
    order_columns = ["occurred_on"]
    base_order = ("occurred_on", "desc")
    write_checks = (people.check_violation,)


GB_COMMITTEE_FIELDS = ["general_branch", "name", "position", "member", "branches"]


class GeneralBranchCommitteeMemberView(ScopedModelView):
    """党总支委员 and the branches each contacts (五、(二): at least one student branch)."""

    model = GeneralBranchCommitteeMember
    class_permission_name = "GBCommittee"
    list_title = show_title = _l("党总支委员")
    add_title = _l("新增党总支委员")
    edit_title = _l("编辑党总支委员")
    list_columns = ["general_branch", "name", "position", "branches"]
    add_columns = edit_columns = show_columns = GB_COMMITTEE_FIELDS
    search_columns = ["general_branch", "name", "position", "branches"]
    order_columns = ["name", "position"]
    base_order = ("name", "asc")


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
        "branches.id", "branches.name", "committee.id",
    ]
    add_columns = edit_columns = CADRE_FIELDS
    write_checks = (people.set_cadre_committee,)


class SecretaryViolationApi(ScopedModelRestApi):
    resource_name = "secretaryviolation"
    model = SecretaryViolation
    class_permission_name = "SecretaryViolation"
    list_columns = show_columns = ["id", "secretary.id", "occurred_on", "description", "major"]
    add_columns = VIOLATION_FIELDS
    edit_columns = ["occurred_on", "description", "major"]
    write_checks = (people.check_violation,)


class GeneralBranchCommitteeMemberApi(ScopedModelRestApi):
    resource_name = "gbcommitteemember"
    model = GeneralBranchCommitteeMember
    class_permission_name = "GBCommittee"
    list_columns = show_columns = ["id", "general_branch.id", "general_branch.name", "name", "position",
                                   "member.id", "branches.id", "branches.name"]
    add_columns = edit_columns = GB_COMMITTEE_FIELDS
