"""The base view and base API every domain view inherits.

Rows are scoped and writes checked below every path by the record-rule guard
(app/security/guard.py): lists, shows, actions, related-field choices, REST payloads and
nested columns all read through it. This module only flushes early so that a refusal is
shown as a message (web) or a 400/403 (API) before FAB commits, and closes /download/.
"""
import copy
import functools

from flask import abort, flash, g, has_request_context, redirect, request
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import BaseModelView
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import get_column_leaf, get_column_root_relation, is_column_dotted
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Float, Numeric, asc, desc, inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm import aliased, contains_eager, selectinload
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.util import _deep_deannotate
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, HTTPException
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import Optional as OptionalValidator
from wtforms.validators import DataRequired

from app.extensions import db
from app.models import label
from app.errors import DomainError, Refused, VersionConflict
from app.security.guard import RULED, ScopeRefused, row_allows
from app.security.scope import current_org, scope_clause
from app.security.audit import audited
from app.services.audit_trail import changes_html, record_trail
from app.services.integrity import check_unique
from app.services.versions import check_version, conflict_of, versioned
from app.services.org import check_deletable
from app.models.labels import COLUMN_LABELS
from app.models.naming import order_keys
from app.models.values import check_object as check_values
from app.views import boundary, openapi, rison_schemas
from app.views.listing import (
    ZhibuFilterConverter, ZhibuFilters, count_rows, fill_derived, related_search_columns, without_derived,
)
from app.views.errors import sentence

VIEW_VERBS = {
    "list": "read", "show": "read", "add": "write", "edit": "write", "delete": "delete",
    "bulk_delete": "delete",
}
API_VERBS = {"get_list": "read", "get": "read", "info": "read", "post": "write", "put": "write", "delete": "delete"}


def _readable_alias(model, name):
    """An alias of model over only the rows the actor may read (the rule, as a subquery), so an
    outer join to it yields nothing for a foreign row; other models get FAB's plain alias."""
    if model not in RULED:
        return aliased(model, name=name)
    cond = _deep_deannotate(scope_clause(model, current_org()))
    return aliased(model, select(model.__table__).where(cond).subquery(name), name=name)


def _preload(model, name):
    """selectinload of a relation a list shows; a target without a name of its own is shown
    through its parents (an assessment as "branch · round"), which are loaded with it."""
    rel = inspect(model).relationships[name]
    option = selectinload(getattr(model, name))
    if "name" in rel.mapper.columns:
        return option
    parents = [r for r in rel.mapper.relationships if r.direction.name == "MANYTOONE"]
    return option.options(*(selectinload(getattr(rel.mapper.class_, r.key)) for r in parents)) if parents else option


class ZhibuInterface(SQLAInterface):
    """FAB's interface, taught that a derived column_property (a secretary's name) is never
    unique, that the aliased joins of nested REST columns (``branches.name``) are scoped too, and how to list
    at city scale (app/views/listing.py): name filters on relations, an estimated count beyond
    a threshold, derived columns for the page's rows only."""

    filter_converter_class = ZhibuFilterConverter
    preload = ()  # relations a web list shows: loaded for the page in one statement each

    def get_filters(self, search_columns=None, search_filters=None):
        return ZhibuFilters(self.filter_converter_class, self, search_columns=search_columns or [],
                            search_filters=search_filters)

    def _preloaded(self, query, select_columns):
        if select_columns:  # REST: FAB joins the dotted columns itself
            return query
        return query.options(*(_preload(self.obj, name) for name in self.preload))

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        """FAB's query (count, one page of rows), with the count strategy and derived columns."""
        select_columns = without_derived(self.obj, select_columns)
        base = self.session.query(self.obj)
        counted = self._apply_inner_all(base, filters, aliases_mapping={})
        count = count_rows(self.session, counted, self.get_pk())
        rows = self._preloaded(self.apply_all(base, filters, order_column, order_direction, page, page_size,
                                              select_columns, outer_default_load), select_columns).all()
        items = [getattr(r, self.obj.__name__) if hasattr(r, self.obj.__name__) else r for r in rows]
        fill_derived(self.session, self.obj, items)
        return count, items

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        item = super().get(id, filters, without_derived(self.obj, select_columns), outer_default_load)
        fill_derived(self.session, self.obj, [item])
        return item

    def delete(self, item, commit: bool = True) -> None:
        """Commit a delete the view already flushed (pre_delete, so the guard refuses first).

        Deleting it again would mark a row that is gone: the guard would find no old row to
        allow and refuse, and a many-to-many row (a cadre's branches) would fail as stale.
        """
        if not inspect(item).deleted:
            return super().delete(item, commit)
        if commit:
            try:
                self.session.commit()
            except SQLAlchemyError as ex:
                self.session.rollback()
                raise DatabaseException from ex
        return None

    def apply_order_by(self, query, order_column, order_direction, aliases_mapping=None,
                       bypass_many_to_many=False, add_pk=False):
        """Chinese names sort by pinyin, a code by the code and then pinyin (models/naming),
        whichever list, REST call or header click asks for it; the id breaks ties."""
        keys = order_keys(self.obj, order_column) if order_column else None
        if keys is None:
            return super().apply_order_by(query, order_column, order_direction, aliases_mapping,
                                          bypass_many_to_many, add_pk)
        direction = asc if order_direction == "asc" else desc
        return query.order_by(*(direction(k) for k in keys), direction(self.obj.id))

    def is_unique(self, col_name: str) -> bool:
        try:
            return super().is_unique(col_name)
        except AttributeError:
            return False

    def _query_join_relation(self, query, root_relation, aliases_mapping=None):
        """FAB's joins for dotted many-to-one columns, the aliased row limited to the read rule."""
        if aliases_mapping is None:
            aliases_mapping = {}
        for model_relation, relation_join in self.get_related_model_and_join(root_relation):
            if not hasattr(relation_join, "clauses"):
                model_relation = _readable_alias(model_relation, root_relation)
                aliases_mapping[root_relation] = model_relation
                relation_pk = self.get_pk(model_relation)
                side = relation_join.left if relation_join.left.foreign_keys else relation_join.right
                relation_join = BinaryExpression(side, relation_pk, relation_join.operator)
            query = query.join(model_relation, relation_join, isouter=True)
        return query

    def apply_outer_select_joins(self, query, select_columns=None, outer_default_load=False,
                                 aliases_mapping=None):
        """FAB's eager joins of dotted columns, each aliased row limited to the actor's read rule.

        The guard scopes entities, not FAB's aliases; the alias is tested against the rule
        through its id, so the rule's SQL needs no adapting."""
        if not select_columns:
            return query
        aliases_mapping = aliases_mapping if aliases_mapping is not None else {}
        joined = set()
        for column in select_columns:
            if not is_column_dotted(column):
                query = self._apply_normal_col_select_option(query, column)
                continue
            root = get_column_root_relation(column)
            related = self.get_related_model(root)
            alias = aliases_mapping.setdefault(root, _readable_alias(related, root))
            attr = getattr(self.obj, root)
            target = attr.of_type(alias)
            if root not in joined:
                query = query.join(target, isouter=True)
                joined.add(root)
            query = query.options(contains_eager(attr.of_type(alias)).load_only(getattr(alias, get_column_leaf(column))))
        return query


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


def run_write_checks(view, item, flush: bool = True) -> None:
    """Every save: unique keys free, the view's own rules, values (app/models/values.py),
    then the record rules (a flush), so refusals surface here, before FAB's commit: the form
    flashes the sentence, the API answers 400/403, and nothing is half-saved.

    A caller checking many items (bulk edit) passes flush=False and flushes them together:
    flushing one would write the others before their checks ran.
    """
    check_unique(item)
    for check in view.write_checks:
        check(item)
    check_values(item)
    if flush and db.session.autoflush:
        flush_checked(item)


def refuse_unknown_related(item) -> None:
    """An id in a REST body that the scoped read did not find is refused, never created.

    marshmallow-sqlalchemy makes a new transient row for a related id it cannot load; the
    guard's read scope hides foreign rows, so such a row means "not yours" (or "no such row").
    """
    for rel in inspect(type(item)).relationships:
        if rel.direction.name == "ONETOMANY":
            continue
        value = getattr(item, rel.key)
        for target in (value if rel.uselist else [value]) or []:
            if target is not None and (inspect(target).transient or inspect(target).pending):
                raise ScopeRefused(_("所选的「%(field)s」不在您的管理范围内。", field=COLUMN_LABELS.get(rel.key, rel.key)))


def flush_checked(item, delete: bool = False) -> None:
    """Add (or delete) and flush now, so the guard's refusal surfaces before FAB's commit;
    nothing stays half-saved on error."""
    try:
        (db.session.delete if delete else db.session.add)(item)
        db.session.flush()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(_("保存失败：与已有记录冲突，未做任何修改。")) from exc
    except StaleDataError as exc:   # another write moved the version between our read and write
        db.session.rollback()
        raise conflict_of(type(item), getattr(item, "id", None)) from exc


def _flush_delete(item) -> None:
    """Delete and flush now, so the guard refuses before FAB's commit (ZhibuInterface.delete commits)."""
    flush_checked(item, delete=True)


def run_delete_checks(view, item) -> None:
    """Every delete: no children left below, then the view's own rules."""
    check_deletable(item)
    for check in view.delete_checks:
        check(item)


class VersionField(HiddenField):
    """The version the edit form was read at; checked on save (services/versions.py), never
    written to the row (the counter moves by itself)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "HiddenField"   # FAB's form renders hidden fields by this name

    def populate_obj(self, obj, name):
        return None


def _submitted_version():
    """The version a web form or an API write was based on (None: the client sent none)."""
    if not has_request_context():
        return None
    if request.is_json:
        return g.get("zhibu_expected_version") or request.headers.get("If-Match")
    return request.form.get("version")


def send_private(found):
    """An uploaded file the rule table let its service find (None: 404), as a download that is
    neither sniffed nor cached."""
    from flask import send_file

    if found is None:
        abort(404)
    response = send_file(found.path, mimetype=found.content_type, as_attachment=True,
                         download_name=found.download_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def plain_value(value):
    """What a page shows for a value: nothing for None, a list of records joined, else itself."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)) or type(value).__name__ == "InstrumentedList":
        return "、".join(str(v) for v in value)
    return value


def audit_panel(model, pk) -> dict:
    """What the show page's 变更记录 panel needs: the record's newest changes, a link to all."""
    from flask import url_for

    from app.models import AuditLog

    def audit_label(row, key):
        return label(AuditLog.__table__.c[key].info["choices"], getattr(row, key))

    url = url_for("AuditLogView.list", _flt_3_table_name=model.__tablename__, _flt_0_record_id=pk)
    return {"audit_rows": record_trail(model, pk), "audit_url": url, "audit_changes": changes_html,
            "audit_label": audit_label}


def _yes_no(value) -> str:
    """是 / 否 instead of Python's True / False in lists and detail pages."""
    return _("是") if value else _("否")


class _PerRequest:
    """An attribute FAB builds once per view object and then fills per request, handed to each
    request as its own copy (kept on flask.g); the template stays for start-up and the spec."""

    def __set_name__(self, owner, name):
        self.name = name

    def __set__(self, view, value):
        view.__dict__[self.name] = value

    def __get__(self, view, owner=None):
        if view is None:
            return self
        template = view.__dict__.get(self.name)
        if template is None or not has_request_context():
            return template
        cache = g.setdefault("zhibu_per_request", {})
        key = (id(view), self.name)
        if key not in cache:
            cache[key] = self.fresh(template)
        return cache[key]

    def fresh(self, template):
        raise NotImplementedError


class _PerRequestSchema(_PerRequest):
    """marshmallow-sqlalchemy's load(instance=...) stores the instance on the schema object;
    one shared schema on a threaded server writes to another request's row (ARCHITECTURE.md
    fact 11): each request gets a new instance of the schema's class."""

    def fresh(self, template):
        return type(template)()


class _PerRequestFilters(_PerRequest):
    """FAB clears and fills a view's one Filters object with each request's search (the web
    list's get_filter_args, the REST list's _handle_filters_args): two users searching at once
    on a threaded server query with each other's filters. Each request gets a copy with its own
    lists of active filters (the column's filter choices are shared, read only)."""

    def fresh(self, template):
        filters = copy.copy(template)
        filters.clear_filters()   # new lists, not the template's
        return filters


# every FAB model view and API, FAB's own security views too, hands each request its own Filters
for _fab_base in (BaseModelView, ModelRestApi):
    _per_request = _PerRequestFilters()
    _per_request.__set_name__(_fab_base, "_filters")
    setattr(_fab_base, "_filters", _per_request)
del _fab_base, _per_request


class ScopedModelView(ModelView):
    """A ModelView limited to the user's organization on every path."""

    model = None  # set by subclasses; datamodel is derived
    write_checks = ()   # service functions(item) raising DomainError, run on add and edit
    delete_checks = ()  # the same on delete
    exclude_route_methods = {"download"}
    # relations a list column's property reads (a count of attendances): loaded with the page
    list_loads = ()
    label_columns = COLUMN_LABELS
    method_permission_name = VIEW_VERBS
    page_size = 20
    show_template = "zhibu/show.html"   # the record, then its 变更记录 panel
    list_template = "zhibu/list.html"   # a quick-search box, then FAB's search form and list
    quick_search = None                 # the column the quick-search box searches; None: guessed

    def __init__(self, **kwargs):
        model = self.model
        self.datamodel = ZhibuInterface(model, db.session)
        # FAB fills label_columns in place with prettified names ("General Branch Id"); a copy
        # keeps the shared COLUMN_LABELS (the audit trail's field names) as written
        self.label_columns = dict(self.label_columns)
        choices = _choice_columns(model)
        shown = set(self.list_columns or []) | set(self.show_columns or [])
        self.formatters_columns = {
            **{name: plain_value for name in shown},
            **{name: _yes_no for name in _boolean_fields(model)},
            **{name: (lambda c: lambda v: label(c, v))(ch) for name, ch in choices.items()},
            **(self.formatters_columns or {}),
        }
        fields = {name: _choice_field(model, name, ch) for name, ch in choices.items()}
        fields.update(_boolean_fields(model))
        self.add_form_extra_fields = {**fields, **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**fields, **(self.edit_form_extra_fields or {})}
        if versioned(model) and self.edit_columns:
            self.edit_form_extra_fields["version"] = VersionField()
            self.edit_columns = [*self.edit_columns, "version"]
        self.search_form_extra_fields = {
            **{name: _choice_field(model, name, ch, search=True) for name, ch in choices.items()},
            # a text box for the related name, not a select of every related row (listing.py)
            **{name: StringField(COLUMN_LABELS.get(name, name), validators=[OptionalValidator()])
               for name in related_search_columns(model, self.search_columns)},
            **(self.search_form_extra_fields or {}),
        }
        super().__init__(**kwargs)
        relations = inspect(model).relationships
        self.datamodel.preload = tuple(c for c in self.list_columns if c in relations) + tuple(self.list_loads)

    def render_template(self, template, **kwargs):
        """The show page of an audited record lists its changes (scoped by the rule table) and
        offers 编辑 where the rules let the user change the row; a list page offers its quick search."""
        if template == self.show_template and str(kwargs.get("pk", "")).isdigit():
            pk = int(kwargs["pk"])   # FAB passes the route's pk as text
            if audited(self.model):
                kwargs.update(audit_panel(self.model, pk))
            kwargs.setdefault("edit_url", self._edit_url(pk))
        if template == self.list_template:
            kwargs.setdefault("quick_search", self._quick_search())
        return super().render_template(template, **kwargs)

    def _edit_url(self, pk):
        """The edit page of this row, if the role has the verb and the rule table lets it write
        the row now (a closed round's rows, a foreign row: no button)."""
        from flask import url_for

        if not self._routed("edit"):
            return None
        verb = self.method_permission_name.get("edit", "edit")
        if not self.appbuilder.sm.has_access(f"can_{verb}", self.class_permission_name):
            return None
        if not row_allows(self.model, pk, "write"):
            return None
        return url_for(f"{self.endpoint}.edit", pk=pk)

    def _routed(self, method):
        """FAB registered a route for this method (include/exclude_route_methods)."""
        if self.include_route_methods is not None and method not in self.include_route_methods:
            return False
        return method not in self.exclude_route_methods

    QUICK_COLUMNS = ("name", "title", "topic", "number", "username", "problems", "label")

    def _quick_search(self):
        """The quick-search box: FAB's "contains" filter on the view's main text column, as the
        URL argument FAB's own search form would send (_flt_<index>_<column>)."""
        searchable = self.search_columns or []
        column = self.quick_search or next((c for c in self.QUICK_COLUMNS if c in searchable), None)
        filters = self._filters.get_search_filters().get(column) if column else None
        index = next((i for i, f in enumerate(filters or []) if "Contains" in type(f).__name__
                      and "Not" not in type(f).__name__), None)
        if index is None:
            return None
        arg = f"_flt_{index}_{column}"
        return {"arg": arg, "value": request.args.get(arg, ""),
                "label": str(self.label_columns.get(column, column))}

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
        check_version(item, _submitted_version())
        run_write_checks(self, item)

    def pre_delete(self, item):
        run_delete_checks(self, item)
        _flush_delete(item)

    @action("bulk_delete", _l("删除所选"), _l("确定删除所选记录吗？"), "fa-trash", single=False)
    def bulk_delete(self, items):
        """Delete the selected rows in one transaction, or none if any is blocked."""
        items = items if isinstance(items, list) else [items]
        try:
            for item in items:
                run_delete_checks(self, item)
                db.session.delete(item)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(self.get_redirect())
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


rison_schemas.install()   # FAB's REST GETs check their `q` schema once, not per request


class ScopedModelRestApi(ModelRestApi):
    """A REST API limited to the user's organization: foreign id 404, foreign parent 400."""

    model = None
    add_model_schema = _PerRequestSchema()
    edit_model_schema = _PerRequestSchema()
    write_checks = ()
    delete_checks = ()
    method_permission_name = API_VERBS
    label_columns = COLUMN_LABELS
    allow_browser_login = True
    # Nested to-many columns (contactcadre branches.name) through relationship loads, which the
    # guard scopes; FAB's default joins an alias of the related table that no read rule sees.
    list_outer_default_load = show_outer_default_load = True

    def __init__(self):
        self.datamodel = ZhibuInterface(self.model, db.session)
        self.label_columns = dict(self.label_columns)   # FAB fills it in place (see ScopedModelView)
        if versioned(self.model) and self.show_columns and "version" not in self.show_columns:
            self.show_columns = [*self.show_columns, "version"]   # the ETag's value, in the body too
        super().__init__()

    @staticmethod
    def _as_http(run, item):
        """Run checks; a Refused is a 403, any other DomainError a 400, nothing half-saved."""
        try:
            run(item)
        except VersionConflict as exc:
            db.session.rollback()
            raise Conflict(str(exc)) from exc
        except Refused as exc:
            db.session.rollback()
            raise Forbidden(str(exc)) from exc
        except DomainError as exc:
            db.session.rollback()
            raise BadRequest(str(exc)) from exc

    def pre_add(self, item):
        self._as_http(lambda i: (refuse_unknown_related(i), run_write_checks(self, i)), item)

    def pre_update(self, item):
        self._as_http(lambda i: (check_version(i, _submitted_version()), refuse_unknown_related(i),
                                 run_write_checks(self, i)), item)

    def pre_delete(self, item):
        self._as_http(lambda i: (run_delete_checks(self, i), _flush_delete(i)), item)

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
        body = request.get_json(silent=True)
        if isinstance(body, dict) and "version" in body and versioned(self.model):
            g.zhibu_expected_version = body.pop("version")   # checked in pre_update, not a field to set
        return self._as_response(super().put_headless, pk, columns=self.edit_columns)

    def get_headless(self, pk, **kwargs):
        """An item with its version as ETag (send it back as If-Match, or as `version`, to write)."""
        response = super().get_headless(pk, **kwargs)
        if response.status_code == 200 and versioned(self.model):
            version = (response.get_json() or {}).get("result", {}).get("version")
            if version is not None:
                response.set_etag(str(version))
        return response

    def delete_headless(self, pk):
        return self._as_response(super().delete_headless, pk)

    def put(self, pk):
        return super().put(pk)

    def delete(self, pk):
        return super().delete(pk)

    def add_api_spec(self, api_spec) -> None:
        """FAB's spec of this API, corrected where FAB's answers differ (app/views/openapi.py)."""
        super().add_api_spec(api_spec)
        decimals = {c.key for c in inspect(self.model).columns
                    if isinstance(c.type, Numeric) and not isinstance(c.type, Float)}
        openapi.correct(api_spec, f"/api/{self.version}/{self.resource_name}/", type(self).__name__, decimals)

    def _get_field_info(self, field, filter_rel_field, page=None, page_size=None):
        """FAB translates a missing label or description as gettext(""): the catalog's header."""
        info = super()._get_field_info(field, filter_rel_field, page=page, page_size=page_size)
        for key, given in (("label", self.label_columns), ("description", self.description_columns)):
            if not given.get(field.name):
                info[key] = ""
        return info

    def _as_response(self, handler, *args, columns=None):
        try:
            if columns is not None:
                boundary.check_body(self.model, columns)
            return handler(*args)
        except HTTPException as exc:
            return self.response(exc.code, message=sentence(exc))


# FAB routes PUT and DELETE as /<pk> but GET as /<int:pk>: GET /-5 or /5x then matched the
# PUT rule and answered 405. Every item route takes an int; anything else is a 404.
for _name in ("put", "delete"):
    _mine, _theirs = getattr(ScopedModelRestApi, _name), getattr(ModelRestApi, _name)
    functools.update_wrapper(_mine, _theirs)
    del _mine.__wrapped__
    _mine._urls = [(url.replace("<pk>", "<int:pk>"), methods) for url, methods in _theirs._urls]
del _name, _mine, _theirs
