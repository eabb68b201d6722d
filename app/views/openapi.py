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
INTEGER_ID = {"type": "integer", "description": "The item id"}


def _schemas(operation):
    for status in ("200", "201"):
        yield (operation.get("responses", {}).get(status, {}).get("content", {})
               .get("application/json", {}).get("schema", {}))


def correct(api_spec, prefix: str, api_name: str) -> None:
    """Correct the operations under `prefix` (one API's paths), its nested schemas and the
    shared 422 answer."""
    for path, operations in api_spec._paths.items():
        if not path.startswith(prefix):
            continue
        for verb, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, ref in REFUSALS.items():
                operation["responses"].setdefault(status, ref)
            for schema in _schemas(operation):
                properties = schema.get("properties", {})
                if "ids" in properties:
                    properties["ids"] = {"type": "array", "items": {"type": "integer"}}  # FAB: string
                if "id" in properties:
                    properties["id"] = INTEGER_ID  # FAB: string; our keys are integers
                for key in ("add_columns", "edit_columns"):
                    if key in properties:
                        properties[key] = COLUMNS_INFO  # FAB: object; the answer is a list of fields
    # A nested related row ("branch": {"id": 1}) is null where the relation is empty.
    for name, schema in api_spec.components.schemas.items():
        if name.startswith(f"{api_name}.") and name.count(".") >= 2 and schema.get("type") == "object":
            schema["nullable"] = True
    response_422 = api_spec.components.responses.get("422")
    if response_422 is not None:
        # A body that fails the schema answers {"message": {"field": ["..."]}} (marshmallow).
        response_422["content"]["application/json"]["schema"] = MESSAGE_OR_FIELDS
