"""FAB's ``@rison(schema)`` checks the ``q`` argument of every REST GET (list, item, info,
related) with ``jsonschema.validate(instance, schema)``, which first validates the schema itself
against its meta-schema and builds a new validator: for the list's schema that is more work than
the request's own SQL at city scale (benchmarks/RESULTS.md). FAB's schemas are constants of its
module, so here each one is checked once and its validator kept; what a request's argument is
checked against, and the error it gets, stay jsonschema's (``validate`` does exactly this after
``check_schema``). Installed once by ``install`` (app/views/base.py, beside the base API)."""
from __future__ import annotations

import flask_appbuilder.api as fab_api
import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for


class CheckedOnce:
    """Stands in for the jsonschema module inside flask_appbuilder.api: validate, ValidationError."""

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators: dict[int, tuple] = {}   # two threads may both build one: the same, either kept

    def validator(self, schema):
        """The kept validator of this schema object (checked against its meta-schema once)."""
        # keyed by id: each decorated endpoint passes the same dict, kept alive here with its validator
        found = self._validators.get(id(schema))
        if found is None:
            cls = validator_for(schema)
            cls.check_schema(schema)
            found = (schema, cls(schema))
            self._validators[id(schema)] = found
        return found[1]

    def validate(self, instance, schema):
        error = best_match(self.validator(schema).iter_errors(instance))
        if error is not None:
            raise error


def install() -> None:
    if not isinstance(fab_api.jsonschema, CheckedOnce):
        fab_api.jsonschema = CheckedOnce()
