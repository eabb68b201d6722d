"""Bulk edit on the list views: select rows -> one form -> a confirmation naming the count.

FAB's multi-select action is the entry point; ScopedModelView.action_post fetches the
selected rows through the scope (a foreign id is a 404). Every later step re-fetches
the rows the same way, and the offered choices come from the scope rule, so a target
outside the user's organization is refused even when typed into the request by hand.
"""
from dataclasses import dataclass
from typing import Callable

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import BRANCH_CATEGORIES, MEMBER_TYPES, Branch, GeneralBranch
from app.security.scope import current_org, scope_clause
from app.services.bulk_edit import BulkEditError, bulk_update
from app.views.base import run_write_checks

BULK_VERBS = {"bulk_edit": "write", "bulk_edit_post": "write"}


@dataclass(frozen=True)
class BulkField:
    """One field the bulk form may set; choices are (value, label) pairs for an org."""

    name: str
    label: object
    choices: Callable
    convert: Callable = lambda value: value
    committee_only: bool = False


def branch_choices(org) -> list:
    """The branches in scope, labelled '党总支 / 党支部'."""
    rows = db.session.execute(
        select(Branch.id, GeneralBranch.name, Branch.name)
        .join(GeneralBranch, Branch.general_branch_id == GeneralBranch.id)
        .where(scope_clause(Branch, org))
        .order_by(*GeneralBranch.by_name(), *Branch.by_name())
    )
    return [(str(bid), f"{gb} / {name}") for bid, gb, name in rows]


def general_branch_choices(org) -> list:
    """The general branches in scope."""
    rows = db.session.execute(
        select(GeneralBranch.id, GeneralBranch.name)
        .where(scope_clause(GeneralBranch, org))
        .order_by(*GeneralBranch.by_name())
    )
    return [(str(gid), name) for gid, name in rows]


def _labels(choices: dict):
    return lambda org: [(code, str(label)) for code, label in choices.items()]


MEMBER_BULK_FIELDS = [
    BulkField("branch", _l("移至党支部"), branch_choices, lambda v: db.session.get(Branch, int(v))),
    BulkField("member_type", _l("党员类型"), _labels(MEMBER_TYPES)),
]

BRANCH_BULK_FIELDS = [
    BulkField("category", _l("类别"), _labels(BRANCH_CATEGORIES)),
    BulkField("is_joint", _l("联合党支部"), lambda org: [("1", _("是")), ("0", _("否"))], lambda v: v == "1"),
    BulkField("general_branch", _l("所属党总支"), general_branch_choices,
              lambda v: db.session.get(GeneralBranch, int(v)), committee_only=True),
]


class BulkEditMixin:
    """Adds the bulk_edit action and its form to a ScopedModelView."""

    bulk_fields: list = []
    bulk_noun = _l("条记录")

    def _bulk_fields_for(self, org) -> list:
        return [f for f in self.bulk_fields if not f.committee_only or (org is not None and org.kind == "committee")]

    def _bulk_render(self, items, step, values=None, changes=None, errors=None, status=200):
        org = current_org()
        fields = [(f, f.choices(org)) for f in self._bulk_fields_for(org)]
        page = self.render_template(
            "imports/bulk_edit.html", step=step, fields=fields, values=values or {},
            changes=changes or [], errors=errors or [], pks=[str(item.id) for item in items],
            count=len(items), noun=self.bulk_noun, title=_("批量修改"),
            post_url=url_for(f"{self.endpoint}.bulk_edit_post"),
            list_url=url_for(f"{self.endpoint}.list"),
        )
        return page, status

    @action("bulk_edit", _l("批量修改所选"), "", "fa-pencil-square-o", single=False)
    def bulk_edit(self, items):
        """The bulk form for the selected rows."""
        items = items if isinstance(items, list) else [items]
        return self._bulk_render(items, "form")

    def _bulk_changes(self, form, org):
        """(attribute -> value, [(label, shown value)], [errors]) from the posted form."""
        changes, shown, errors = {}, [], []
        allowed = {f.name for f in self._bulk_fields_for(org)}
        for field in self.bulk_fields:
            raw = form.get(field.name, "")
            if raw == "":
                continue
            if field.name not in allowed:
                abort(403)
            choices = dict(field.choices(org))
            if raw not in choices:
                errors.append(_("所选的「%(field)s」不在您的管理范围内。", field=field.label))
                continue
            changes[field.name] = field.convert(raw)
            shown.append((field.label, choices[raw]))
        return changes, shown, errors

    @expose("/bulk_edit", methods=["POST"])
    @has_access
    def bulk_edit_post(self):
        """step=review: the confirmation naming the count; step=apply: one transaction."""
        items = self._scoped_items(request.form.getlist("rowid"))
        if not items:
            flash(_("请先勾选要修改的记录。"), "warning")
            return redirect(url_for(f"{self.endpoint}.list"))
        org = current_org()
        values = {f.name: request.form.get(f.name, "") for f in self.bulk_fields}
        changes, shown, errors = self._bulk_changes(request.form, org)
        if errors:
            return self._bulk_render(items, "form", values, errors=errors, status=400)
        if not changes:
            return self._bulk_render(items, "form", values, errors=[_("请至少选择一项要修改的内容。")], status=400)
        if request.form.get("step") != "apply":
            return self._bulk_render(items, "review", values, changes=shown)
        try:
            count = bulk_update(items, changes, lambda item: run_write_checks(self, item, flush=False))
        except BulkEditError as exc:
            return self._bulk_render(self._scoped_items(request.form.getlist("rowid")), "form", values,
                                     errors=[str(exc)], status=400)
        flash(_("已批量修改 %(count)d %(noun)s。", count=count, noun=self.bulk_noun), "success")
        return redirect(url_for(f"{self.endpoint}.list"))
