"""The OpenAPI spec is served to logged-in users only; the base API's fixes the fuzzing asked for."""


def test_the_spec_is_served_to_every_logged_in_role_and_to_no_one_else(client, api_as):
    assert client.get("/api/v1/_openapi").status_code == 401
    for username in ("committee", "gb01", "gb01-b01"):
        spec = api_as(username).get("/api/v1/_openapi")
        assert spec.status_code == 200, username
        assert "/api/v1/member/{pk}" in spec.json["paths"]
        assert "403" in spec.json["paths"]["/api/v1/member/{pk}"]["put"]["responses"]
    assert "/api/v1/menu/" not in spec.json["paths"]


def test_an_id_that_is_not_a_number_is_not_found_on_every_verb(api_as):
    user = api_as("committee")
    for pk in ("-5", "5x", "1.0"):
        assert user.get(f"/api/v1/branch/{pk}").status_code == 404, pk
        assert user.put(f"/api/v1/branch/{pk}", json={"name": "x"}).status_code == 404, pk
        assert user.delete(f"/api/v1/branch/{pk}").status_code == 404, pk


def test_info_describes_fields_without_the_catalog_header(api_as):
    info = api_as("gb01").get("/api/v1/member/_info").json
    for field in info["add_columns"] + info["edit_columns"]:
        assert "Project-Id-Version" not in field["description"] + field["label"], field["name"]
        assert field["label"], field["name"]
