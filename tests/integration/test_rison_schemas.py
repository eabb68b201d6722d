"""FAB's REST GETs check their rison argument against a schema; the schema itself is checked
against its meta-schema once per process (app/views/rison_schemas.py), not on every request,
and a bad argument is refused exactly as before."""
import jsonschema
import pytest
from flask_appbuilder.api.schemas import get_item_schema, get_list_schema
from jsonschema.validators import validator_for

from app.views.rison_schemas import CheckedOnce

BAD = [{"page": "one"}, {"page_size": -1, "filters": [{"col": "name"}]}, {"order_direction": "up"},
       {"columns": "name"}, {"keys": ["nothing"]}]


@pytest.mark.parametrize("instance", BAD)
@pytest.mark.parametrize("schema", [get_list_schema, get_item_schema], ids=["list", "item"])
def test_the_kept_validator_refuses_what_jsonschema_refuses_with_its_message(schema, instance):
    checked = CheckedOnce()
    try:
        jsonschema.validate(instance=instance, schema=schema)
        expected = None
    except jsonschema.ValidationError as exc:
        expected = str(exc)
    if instance is BAD[0] and schema is get_list_schema:
        assert expected, "a page that is not a number is refused"
    for _ in range(2):   # the first call builds the validator, the second reuses it
        try:
            checked.validate(instance=instance, schema=schema)
            got = None
        except checked.ValidationError as exc:
            got = str(exc)
        assert got == expected


def test_a_rest_list_checks_its_schema_once_and_still_refuses_a_bad_argument(login_as, monkeypatch):
    import flask_appbuilder.api as fab_api

    user = login_as("committee")
    assert isinstance(fab_api.jsonschema, CheckedOnce)
    assert user.get("/api/v1/branch/?q=(page:0,page_size:5)").status_code == 200
    checks = []
    cls = validator_for(get_list_schema)
    original = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s, **kw: (checks.append(s), original(s, **kw))))
    page = user.get("/api/v1/branch/?q=(page:1,page_size:5)")
    assert page.status_code == 200 and len(page.json["result"]) == 5
    assert checks == []
    bad = user.get("/api/v1/branch/?q=(page:one)")
    assert bad.status_code == 400
    assert bad.json["message"].startswith("Not a valid rison schema"), bad.json
    assert checks == []
