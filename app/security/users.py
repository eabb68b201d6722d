"""FAB's user administration with zhibu's organization: the operator sets 所属组织 in the add and
edit forms with the same checks as `zhibu create-user` (services/accounts.resolve_org); the list
and show pages print it; roles carry their Chinese names; 姓 may stay empty."""
from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2ManyWidget
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional, ValidationError

from app.extensions import db
from app.models import ORG_KINDS, UserOrg, label
from app.security.roles import ROLE_ORG_KIND

ROLE_LABELS = {"committee": _l("党委"), "general_branch": _l("党总支"), "branch": _l("党支部"),
               "Admin": _l("系统管理员"), "Public": _l("访客")}


def role_label(role) -> str:
    return str(ROLE_LABELS.get(role.name, role.name))


def _yes_no(value) -> str:
    return _("是") if value else _("否")


def _roles(items) -> str:
    return "、".join(role_label(r) for r in items or [])


def _org(link) -> str:
    """所属组织: the organization's name and kind, or empty for an operator."""
    if link is None or link.org is None:
        return ""
    return f"{link.org.name}（{label(ORG_KINDS, link.kind)}）"


def _zhibu_role(roles):
    """The one organization role among the chosen roles (None for Admin-only users)."""
    names = [r.name for r in roles or [] if r.name in ROLE_ORG_KIND]
    return names[0] if names else None


def org_for_form(form):
    """The organization the form names for its role, or ValidationError with the reason."""
    from app.security.orgs import AccountError, resolve_org

    names = [r.name for r in form.roles.data or [] if r.name in ROLE_ORG_KIND]
    if len(names) > 1:
        raise ValidationError(_("一个用户只能属于一个组织，请只选一个党委、党总支或党支部角色。"))
    text = (form.org_name.data or "").strip()
    if not names:
        if text:
            raise ValidationError(_("只有党委、党总支、党支部角色的用户才属于组织；系统管理员请留空。"))
        return None
    if not text:
        raise ValidationError(_("请填写所属组织（组织全称；同名党支部写成“党总支名称/党支部名称”）。"))
    try:
        return resolve_org(names[0], text)
    except AccountError as exc:
        raise ValidationError(str(exc)) from None


class _OrgMatchesRole:
    """所属组织 exists and is of the kind the chosen role needs (as `create-user` checks)."""

    def __call__(self, form, field):
        org_for_form(form)


def _roles_query():
    from flask import current_app

    return db.session.query(current_app.appbuilder.sm.role_model)


_ORG_FIELD = StringField(
    _l("所属组织"), validators=[_OrgMatchesRole()], widget=BS3TextFieldWidget(),
    description=_l("组织全称；同名党支部写成“党总支名称/党支部名称”。系统管理员留空。"))
_ROLES_FIELD = QuerySelectMultipleField(
    _l("角色"), query_func=_roles_query, get_pk_func=lambda role: role.id,
    get_label=role_label, widget=Select2ManyWidget())
_LAST_NAME_FIELD = StringField(_l("姓"), validators=[Optional()], widget=BS3TextFieldWidget())


class ZhibuUserDBModelView(UserDBModelView):
    """The operator's user list and pages, formatted like the rest of the console."""

    list_columns = ["username", "first_name", "last_name", "org_link", "roles", "active"]
    show_fieldsets = [
        (_l("账号"), {"fields": ["username", "active", "roles", "org_link", "login_count"]}),
        (_l("个人信息"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (_l("审计信息"), {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"],
                        "expanded": False}),
    ]
    add_columns = ["username", "first_name", "last_name", "email", "roles", "org_name", "active",
                   "password", "conf_password"]
    edit_columns = ["username", "first_name", "last_name", "email", "roles", "org_name", "active"]
    search_columns = ["username", "first_name", "last_name", "email", "active", "roles"]
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields, "org_name": _ORG_FIELD,
                             "roles": _ROLES_FIELD, "last_name": _LAST_NAME_FIELD}
    edit_form_extra_fields = {"org_name": _ORG_FIELD, "roles": _ROLES_FIELD,
                              "last_name": _LAST_NAME_FIELD}
    label_columns = {**UserDBModelView.label_columns, "org_link": _l("所属组织"),
                     "org_name": _l("所属组织"), "roles": _l("角色"), "first_name": _l("名"),
                     "last_name": _l("姓"), "username": _l("用户名"), "active": _l("启用"),
                     "email": _l("电子邮箱")}
    formatters_columns = {"active": _yes_no, "roles": _roles, "org_link": _org}

    def prefill_form(self, form, pk):
        link = db.session.get(UserOrg, int(pk))
        if link is not None and link.org is not None:
            form.org_name.data = _full_name(link)

    def pre_add(self, item):
        super().pre_add(item)
        self._bind(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._bind(item)

    def _bind(self, item):
        """Put the organization on the user, in the same transaction as the user (the form's
        validator has already checked it: _OrgMatchesRole)."""
        from app.security.orgs import org_link_for, resolve_org

        item.last_name = item.last_name or ""
        role = _zhibu_role(item.roles)
        org = resolve_org(role, (getattr(item, "org_name", "") or "").strip()) if role else None
        item.org_link = org_link_for(item, org) if org is not None else None


def _full_name(link) -> str:
    """The name `resolve_org` finds again: a branch as 'general branch/branch'."""
    if link.kind == "branch":
        return f"{link.branch.general_branch.name}/{link.branch.name}"
    return link.org.name
