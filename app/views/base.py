"""The base view and base API every domain view inherits: scope closed once, here.

FAB's base_filters cover list/show/edit/delete and the REST item routes; this module
closes what they miss (ARCHITECTURE.md fact 1): actions, related-field choices,
REST payloads, and the /download/ route.
"""
from flask import abort, flash, g, has_request_context, redirect, request
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, inspect
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional as OptionalValidator
from wtforms.validators import DataRequired

from app.extensions import db
from app.models import label
from app.security.scope import SCOPE_FILTERS, check_related_in_scope
from app.errors import DomainError, Refused
from app.services.integrity import check_unique
from app.services.org import check_deletable
from app.models.labels import COLUMN_LABELS
from app.models.values import check_object as check_values
from app.views import boundary
from app.views.errors import sentence

VIEW_VERBS = {
    "list": "read", "show": "read", "add": "write", "edit": "write", "delete": "delete",
    "bulk_delete": "delete",
}
API_VERBS = {"get_list": "read", "get": "read", "info": "read", "post": "write", "put": "write", "delete": "delete"}


class ZhibuInterface(SQLAInterface):
    """FAB's interface, taught that a derived column_property (counts) is never unique."""

    def is_unique(self, col_name: str) -> bool:
        try:
            return super().is_unique(col_name)
        except AttributeError:
            return False


def _relation_names(model) -> list[str]:
    return [rel.key for rel in inspect(model).relationships if rel.direction.name != "ONETOMANY"]


def _choice_columns(model) -> dict:
    return {
        key: col.info["choices"]
        for key, col in inspect(model).columns.items()
        if "choices" in getattr(col, "info", {})
    }


def _choice_field(model, name, choices, search=False):
    column = inspect(model).columns[name]
    optional = column.nullable or search
    validators = [OptionalValidator()] if optional else [DataRequired()]
    blank = [("", "—")] if optional else []
    return SelectField(
        COLUMN_LABELS.get(name, name),
        choices=blank + list(choices.items()),
        validators=validators,
        coerce=lambda v: v or None,
    )


def _boolean_fields(model) -> dict:
    """Checkboxes that may be left unticked (FAB marks non-null booleans required)."""
    return {
        key: BooleanField(COLUMN_LABELS.get(key, key), validators=[OptionalValidator()])
        for key, col in inspect(model).columns.items()
        if isinstance(getattr(col, "type", None), Boolean)
    }


def run_write_checks(view, item) -> None:
    """Every save: related rows in scope, unique keys free, the view's own rules, values
    (app/models/values.py), then a flush, so refusals surface here, before FAB's commit:
    the form flashes the sentence, the API answers 400, and nothing is half-saved.

    A caller checking many items under no_autoflush (bulk edit) flushes them together
    itself: flushing one would write the others before their checks ran.
    """
    check_related_in_scope(item)
    check_unique(item)
    for check in view.write_checks:
        check(item)
    check_values(item)
    if not db.session.autoflush:
        return
    try:
        db.session.add(item)
        db.session.flush()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(_("保存失败：与已有记录冲突，未做任何修改。")) from exc


def run_delete_checks(view, item) -> None:
    """Every delete: no children left below, then the view's own rules."""
    check_deletable(item)
    for check in view.delete_checks:
        check(item)


def _yes_no(value) -> str:
    """是 / 否 instead of Python's True / False in lists and detail pages."""
    return _("是") if value else _("否")


def _scope_rel_fields(model) -> dict:
    return {name: SCOPE_FILTERS for name in _relation_names(model)}


class ScopedModelView(ModelView):
    """A ModelView limited to the user's organization on every path."""

    model = None  # set by subclasses; datamodel is derived
    write_checks = ()   # service functions(item) raising DomainError, run on add and edit
    delete_checks = ()  # the same on delete
    exclude_route_methods = {"download"}
    label_columns = COLUMN_LABELS
    base_filters = SCOPE_FILTERS
    method_permission_name = VIEW_VERBS
    page_size = 20

    def __init__(self, **kwargs):
        model = self.model
        self.datamodel = ZhibuInterface(model, db.session)
        rel = _scope_rel_fields(model)
        self.add_form_query_rel_fields = {**rel, **(self.add_form_query_rel_fields or {})}
        self.edit_form_query_rel_fields = {**rel, **(self.edit_form_query_rel_fields or {})}
        self.search_form_query_rel_fields = {**rel, **(self.search_form_query_rel_fields or {})}
        choices = _choice_columns(model)
        self.formatters_columns = {
            **{name: _yes_no for name in _boolean_fields(model)},
            **{name: (lambda c: lambda v: label(c, v))(ch) for name, ch in choices.items()},
            **(self.formatters_columns or {}),
        }
        fields = {name: _choice_field(model, name, ch) for name, ch in choices.items()}
        fields.update(_boolean_fields(model))
        self.add_form_extra_fields = {**fields, **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**fields, **(self.edit_form_extra_fields or {})}
        self.search_form_extra_fields = {
            **{name: _choice_field(model, name, ch, search=True) for name, ch in choices.items()},
            **(self.search_form_extra_fields or {}),
        }
        super().__init__(**kwargs)

    # List arguments FAB would pass on unchecked (fact 14): 400, and a capped page size.
    def _list(self, **kwargs):
        boundary.check_list_args(self)
        return super()._list(**kwargs)

    def _get_list_widget(self, *args, page_size=None, **kwargs):
        return super()._get_list_widget(*args, page_size=boundary.capped_page_size(page_size), **kwargs)

    # FAB flashes the message of an exception raised here and saves nothing.
    def pre_add(self, item):
        run_write_checks(self, item)

    def pre_update(self, item):
        run_write_checks(self, item)

    def pre_delete(self, item):
        run_delete_checks(self, item)

    @action("bulk_delete", _l("删除所选"), _l("确定删除所选记录吗？"), "fa-trash", single=False)
    def bulk_delete(self, items):
        """Delete the selected rows in one transaction, or none if any is blocked."""
        items = items if isinstance(items, list) else [items]
        try:
            for item in items:
                run_delete_checks(self, item)
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(self.get_redirect())
        for item in items:
            db.session.delete(item)
        db.session.commit()
        flash(_("已删除 %(count)d 条记录。", count=len(items)), "success")
        return redirect(self.get_redirect())

    def _scoped_items(self, pks):
        """Fetch by pk through the scope filter; a foreign pk is a 404."""
        items = []
        for pk in pks:
            item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
            if item is None:
                abort(404)
            items.append(item)
        return items

    def action(self, name, pk):
        """Single-item action, fetched through the scope (FAB fetches unscoped)."""
        if not self.is_get_mutation_allowed():
            flash(_("访问被拒绝。"), "danger")
            return redirect(self.get_redirect())
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            abort(403)
        return self.actions[name].func(self._scoped_items([pk])[0])

    def action_post(self):
        """Multi-select action, every row fetched through the scope."""
        name = request.form.get("action", "")
        if name not in self.actions:
            abort(404)
        if not self.appbuilder.sm.has_access(self.get_action_permission_name(name), self.class_permission_name):
            abort(403)
        return self.actions[name].func(self._scoped_items(request.form.getlist("rowid")))


# FAB registers routes from the methods' attributes; keep the decorators of the originals.
for _name in ("action", "action_post"):
    _mine, _theirs = getattr(ScopedModelView, _name), getattr(ModelView, _name)
    _mine._urls = _theirs._urls
del _name, _mine, _theirs


class _PerRequestSchema:
    """A schema attribute that hands each request its own copy (ARCHITECTURE.md fact 11).

    marshmallow-sqlalchemy's load(instance=...) stores the instance on the schema object;
    one shared schema on a threaded server writes to another request's row. FAB builds the
    schema once (the template, also used for the OpenAPI spec); each request gets a new
    instance of its class, kept on flask.g for the request's load and dump.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __set__(self, api, schema):
        api.__dict__[self.name] = schema

    def __get__(self, api, owner=None):
        if api is None:
            return self
        template = api.__dict__.get(self.name)
        if template is None or not has_request_context():
            return template
        cache = g.setdefault("zhibu_schemas", {})
        key = (id(api), self.name)
        if key not in cache:
            cache[key] = type(template)()
        return cache[key]


class ScopedModelRestApi(ModelRestApi):
    """A REST API limited to the user's organization: foreign id 404, foreign parent 400."""

    model = None
    add_model_schema = _PerRequestSchema()
    edit_model_schema = _PerRequestSchema()
    write_checks = ()
    delete_checks = ()
    base_filters = SCOPE_FILTERS
    method_permission_name = API_VERBS
    label_columns = COLUMN_LABELS
    allow_browser_login = True

    def __init__(self):
        self.datamodel = ZhibuInterface(self.model, db.session)
        rel = _scope_rel_fields(self.model)
        self.add_query_rel_fields = {**rel, **(self.add_query_rel_fields or {})}
        self.edit_query_rel_fields = {**rel, **(self.edit_query_rel_fields or {})}
        super().__init__()

    @staticmethod
    def _as_http(run, item):
        """Run checks; a Refused is a 403, any other DomainError a 400, nothing half-saved."""
        try:
            run(item)
        except Refused as exc:
            db.session.rollback()
            raise Forbidden(str(exc)) from exc
        except DomainError as exc:
            db.session.rollback()
            raise BadRequest(str(exc)) from exc

    def pre_add(self, item):
        self._as_http(lambda i: run_write_checks(self, i), item)

    def pre_update(self, item):
        self._as_http(lambda i: run_write_checks(self, i), item)

    def pre_delete(self, item):
        self._as_http(lambda i: run_delete_checks(self, i), item)

    def create_blueprint(self, appbuilder, *args, **kwargs):
        """FAB's blueprint, with the rison check before FAB's own parsing (boundary)."""
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(boundary.check_rison_arg)
        return blueprint

    # FAB's @safe maps BadRequest to "400 Bad Request: ..." and nothing else; here a
    # Forbidden is a 403 and every refusal (any HTTPException) answers its sentence alone.
    def post_headless(self):
        return self._as_response(super().post_headless, columns=self.add_columns)

    def put_headless(self, pk):
        return self._as_response(super().put_headless, pk, columns=self.edit_columns)

    def delete_headless(self, pk):
        return self._as_response(super().delete_headless, pk)

    def _as_response(self, handler, *args, columns=None):
        try:
            if columns is not None:
                boundary.check_body(self.model, columns)
            return handler(*args)
        except HTTPException as exc:
            return self.response(exc.code, message=sentence(exc))
