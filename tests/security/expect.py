"""The status each route should answer, derived from roles.PERMISSIONS and rules.RULES.

Nothing here is typed per case: the role's verbs come from roles.py, the rows from the SQL
conditions of rules.py evaluated on the world's rows, the order of refusals from the guard's
contract (ARCHITECTURE.md; app/security/guard.py's docstring):
  no FAB permission for the route -> 403; row outside the read rule -> 404;
  row with children (services/org.py DELETE_BLOCKERS) -> refused as a DomainError (400);
  role may not do the verb / change the field / the field is frozen -> RuleViolation (403);
  a closed round, or a row of one -> StateRefused (400); row outside the verb's rule -> 403.
"""
from __future__ import annotations

from app.models import AssessmentRound
from app.security import rules
from app.security.roles import PERMISSIONS, ROLE_NAMES
from tests.security.world import round_closed, rule_allows, state_allows

ALLOWED = 200


def has_verb(view_cls, method: str, role: str) -> bool:
    """The role holds the FAB permission of the route (roles.PERMISSIONS)."""
    verb = (view_cls.method_permission_name or {}).get(method, method)
    verbs = PERMISSIONS.get(view_cls.class_permission_name)
    return verbs is not None and verb in verbs[ROLE_NAMES.index(role)]


def exposed(view_cls, method: str) -> bool:
    """FAB registers the route (include_route_methods / exclude_route_methods)."""
    include = view_cls.include_route_methods
    return (include is None or method in include) and method not in (view_cls.exclude_route_methods or ())


def blocked(app, model, pk) -> bool:
    """The row still has children that a delete must not take along."""
    from app.extensions import db
    from app.services.org import delete_blockers

    with app.app_context():
        return bool(delete_blockers(db.session.get(model, pk)))


def outcome(app, model, actor, pk, verb: str, fields=frozenset()) -> int:
    """What the record rules answer to `verb` ('write' of fields, or 'delete') on a readable row:
    200 allowed, 403 refused by the rule table, 400 refused by a state rule or by children."""
    if verb == "delete" and blocked(app, model, pk):
        return 400
    if not rules.may(model, actor, verb):
        return 403
    if verb == "write":
        if fields & rules.FROZEN.get(model, frozenset()):
            return 403
        allowed = rules.writable_fields(model, actor)
        if allowed is not None and not fields <= allowed:
            return 403
    if model is AssessmentRound and round_closed(app, pk):
        return 400   # a closed round only reopens (rules.REOPEN_FIELDS); never deleted
    if not state_allows(app, model, pk):
        return 400
    return ALLOWED if rule_allows(app, model, actor, verb, pk) else 403


def route_status(app, view_cls, method, role, actor, pk=None, verb=None, fields=frozenset()) -> int:
    """The exact status of one route for one role on one row (None: no row)."""
    if not exposed(view_cls, method):
        # a REST item URL is shared by GET/PUT/DELETE (405); a web view's /edit/<pk> is its own (404)
        return 405 if hasattr(view_cls, "resource_name") else 404
    if not has_verb(view_cls, method, role):
        return 403
    model = view_cls.model
    if pk is not None and not rule_allows(app, model, actor, "read", pk):
        return 404
    if verb is None:
        return 200
    return outcome(app, model, actor, pk, verb, frozenset(fields))
