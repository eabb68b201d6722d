"""Views of the organization tree: committees, general branches, branches."""
from flask_babel import lazy_gettext as _l

from app.models import Branch, Committee, GeneralBranch
from app.views.base import VIEW_VERBS, ScopedModelRestApi, ScopedModelView
from app.views.bulk_edit import BRANCH_BULK_FIELDS, BULK_VERBS, BulkEditMixin
from app.views.forms import Annex2ExportMixin


class CommitteeView(ScopedModelView):
    model = Committee
    class_permission_name = "Committee"
    list_title = show_title = _l("党委")
    add_title = _l("新增党委")
    edit_title = _l("编辑党委")
    list_columns = ["name", "short_name"]
    add_columns = edit_columns = show_columns = ["name", "short_name", "health_profile"]
    search_columns = ["name", "short_name"]
    order_columns = ["name", "short_name"]


class GeneralBranchView(ScopedModelView):
    model = GeneralBranch
    class_permission_name = "GeneralBranch"
    list_title = show_title = _l("党总支")
    add_title = _l("新增党总支")
    edit_title = _l("编辑党总支")
    list_columns = ["code", "name", "committee", "phone"]
    add_columns = edit_columns = ["code", "name", "committee", "phone"]
    show_columns = ["code", "name", "committee", "phone"]
    search_columns = ["code", "name", "committee", "phone"]
    order_columns = ["code", "name", "phone"]
    base_order = ("code", "asc")


BRANCH_FIELDS = [
    "code", "name", "general_branch", "category", "is_joint", "founded_on", "elected_on",
    "term_years", "election_exemption", "note",
]


class BranchView(Annex2ExportMixin, BulkEditMixin, ScopedModelView):
    model = Branch
    class_permission_name = "Branch"
    method_permission_name = {**VIEW_VERBS, **BULK_VERBS, "export_annex2": "read"}
    bulk_fields, bulk_noun = BRANCH_BULK_FIELDS, _l("个党支部")
    list_title = show_title = _l("党支部")
    add_title = _l("新增党支部")
    edit_title = _l("编辑党支部")
    list_columns = [
        "code", "name", "general_branch", "category", "is_joint", "formal_count",
        "probationary_count", "secretary_name", "elected_on",
    ]
    add_columns = edit_columns = BRANCH_FIELDS
    show_columns = BRANCH_FIELDS + ["formal_count", "probationary_count", "secretary_name"]
    search_columns = ["code", "name", "general_branch", "category", "is_joint", "elected_on"]
    order_columns = ["code", "name", "category", "is_joint", "elected_on", "formal_count", "probationary_count"]
    base_order = ("code", "asc")


class GeneralBranchApi(ScopedModelRestApi):
    resource_name = "generalbranch"
    model = GeneralBranch
    class_permission_name = "GeneralBranch"
    list_columns = show_columns = ["id", "code", "name", "committee.id", "committee.name", "phone"]
    add_columns = edit_columns = ["code", "name", "committee", "phone"]


class BranchApi(ScopedModelRestApi):
    resource_name = "branch"
    model = Branch
    class_permission_name = "Branch"
    list_columns = show_columns = [
        "id", "code", "name", "general_branch.id", "general_branch.name", "category", "is_joint",
        "founded_on", "elected_on", "term_years", "formal_count", "probationary_count", "secretary_name",
    ]
    add_columns = edit_columns = BRANCH_FIELDS
