"""FAB's OpenAPI spec, corrected where FAB's own answers differ from it.

schemathesis fuzzes the REST API against this spec (tests/fuzz); every correction here is
one of its findings (tests/fuzz/FINDINGS.md), made once for every API of the base class.
"""

MESSAGE_OR_FIELDS = {
    "type": "object",
    "properties": {"message": {"oneOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    ]}},
}
COLUMNS_INFO = {"type": "array", "items": {"type": "object"}}
# Refusals FAB lists nowhere: a verb the role lacks (403); a scope, state or value refusal,
# or a delete that would orphan records (400).
REFUSALS = {"400": {"$ref": "#/components/responses/400"}, "403": {"$ref": "#/components/responses/403"}}
# A PUT based on an older version of the record (If-Match, or version in the body) is refused.
STALE = {"description": "The record was changed by someone else since it was read",
         "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}}}
INTEGER_ID = {"type": "integer", "description": "The item id"}
# Times are stored and answered without an offset (UTC, "2026-12-01T13:24:39.742104"); RFC 3339's
# date-time, which FAB declares, requires one.
NAIVE_DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
                  "description": "UTC date and time, ISO 8601 without an offset"}


def _schemas(operation):
    for status in ("200", "201"):
        yield (operation.get("responses", {}).get(status, {}).get("content", {})
               .get("application/json", {}).get("schema", {}))


DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "a decimal number, as text"}


def correct(api_spec, prefix: str, api_name: str, decimals=frozenset()) -> None:
    """Correct the operations under `prefix` (one API's paths), its schemas (`decimals`: the
    model's Numeric columns, answered as text) and the shared 422 answer."""
    for path, operations in api_spec._paths.items():
        if not path.startswith(prefix):
            continue
        for verb, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, ref in REFUSALS.items():
                operation["responses"].setdefault(status, ref)
            if verb == "put":
                operation["responses"].setdefault("409", STALE)
            for schema in _schemas(operation):
                properties = schema.get("properties", {})
                if "ids" in properties:
                    properties["ids"] = {"type": "array", "items": {"type": "integer"}}  # FAB: string
                if "id" in properties:
                    properties["id"] = INTEGER_ID  # FAB: string; our keys are integers
                for key in ("add_columns", "edit_columns"):
                    if key in properties:
                        properties[key] = COLUMNS_INFO  # FAB: object; the answer is a list of fields
    for name, schema in api_spec.components.schemas.items():
        if not name.startswith(f"{api_name}."):
            continue
        # A nested related row ("branch": {"id": 1}) is null where the relation is empty.
        if name.count(".") >= 2 and schema.get("type") == "object":
            schema["nullable"] = True
        for key, prop in schema.get("properties", {}).items():
            nullable = {"nullable": True} if isinstance(prop, dict) and prop.get("nullable") else {}
            if isinstance(prop, dict) and prop.get("format") == "date-time":
                schema["properties"][key] = {**NAIVE_DATETIME, **nullable}
            elif key in decimals and isinstance(prop, dict) and prop.get("type") == "number":
                schema["properties"][key] = {**DECIMAL, **nullable}  # FAB: number; "5830.00"
    response_422 = api_spec.components.responses.get("422")
    if response_422 is not None:
        # A body that fails the schema answers {"message": {"field": ["..."]}} (marshmallow).
        response_422["content"]["application/json"]["schema"] = MESSAGE_OR_FIELDS
