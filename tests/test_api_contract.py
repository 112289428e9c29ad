"""The OpenAPI document is a contract: it validates, each case action has its own
request schema generated from action_inputs.INPUTS, every documented field is accepted
and every other one refused with 422, and every refusal has one body shape."""

import pytest
from openapi_spec_validator import validate

from app.domain.lifecycle import CASE_ACTIONS
from app.services import action_inputs

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def spec(world, login):
    return login("admin").get("/api/v1/_openapi").get_json()


def _full_body(action):
    schema = action_inputs.json_schema(action)
    return {name: prop["example"] for name, prop in schema["properties"].items()
            if name != "version"}


def test_the_spec_validates(spec):
    validate(spec)


def test_each_action_has_its_own_schema_from_the_declaration(spec):
    schemas = spec["components"]["schemas"]
    for action in CASE_ACTIONS:
        post = spec["paths"][f"/api/v1/cases/{{pk}}/{action}"]["post"]
        ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = schemas[ref.rsplit("/", 1)[1]]
        fields = action_inputs.api_fields(action)
        assert set(schema["properties"]) == {f.name for f in fields} | {"version"}
        assert schema["additionalProperties"] is False
        assert set(schema.get("required", [])) == {f.name for f in fields if f.required}
        for f in fields:
            if f.choices:
                assert schema["properties"][f.name]["enum"] == list(f.choices)
        assert "example" in schema
        result = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert result.endswith("/CaseActionResult")
    put = spec["paths"]["/api/v1/cases/{pk}"]["put"]["requestBody"]
    assert put["content"]["application/json"]["schema"]["$ref"].endswith(
        "CaseActionEditDetailsInput")


@pytest.mark.parametrize("action", [*CASE_ACTIONS, "edit_details"])
def test_every_documented_field_parses(action):
    """The schema's own example of every field is what the parser accepts."""
    body = _full_body(action)
    parsed = action_inputs.parse(action, body, strict=True)
    assert set(parsed) == set(body) - {"version"}


def test_documented_fields_accepted_others_refused_over_http(world, login):
    client = login("admin")
    case_id = world.cases["A"].id
    for action in CASE_ACTIONS:
        answer = client.post(f"/api/v1/cases/{case_id}/{action}", json=_full_body(action))
        assert answer.get_json().get("code") != "unknown_field", (action, answer.get_json())
        refused = client.post(f"/api/v1/cases/{case_id}/{action}",
                              json={**_full_body(action), "surprise": 1})
        assert refused.status_code == 422, action
        assert refused.get_json() == {
            "code": "unknown_field", "field": "surprise",
            "message": "This field is not accepted here: surprise."}
    # the page's file upload is not part of the JSON contract
    scan = client.post(f"/api/v1/cases/{case_id}/accept", json={"entrustment_scan": "x"})
    assert scan.get_json()["field"] == "entrustment_scan"
    put = client.put(f"/api/v1/cases/{case_id}", json={"state": "concluded"})
    assert put.status_code == 422 and put.get_json()["code"] == "unknown_field"


def test_one_error_shape_everywhere(world, login, db_app):
    agent = login("agentA")
    case_id = world.cases["A"].id
    answers = {
        "missing field": agent.post(f"/api/v1/cases/{case_id}/decline", json={}),
        "not found": agent.get(f"/api/v1/cases/{world.cases['B'].id}"),
        "role": login("mediatorA").post(f"/api/v1/cases/{case_id}/decline",
                                         json={"reason": "x"}),
        "bad rison": agent.get("/api/v1/cases/?q=(((("),
        "signed out": db_app.test_client().get("/api/v1/cases/"),
        "bulletin": login("leader").get("/api/v1/bulletin/?date=soon"),
        "cockpit": login("leader").get("/api/v1/cockpit/summary?from=soon"),
    }
    for name, answer in answers.items():
        body = answer.get_json()
        assert answer.status_code >= 400, name
        assert set(body) == {"code", "message", "field"}, (name, body)
        assert body["message"], name
    assert answers["missing field"].get_json()["field"] == "reason"
    assert answers["not found"].get_json()["code"] == "not_found"
    assert answers["role"].get_json()["code"] == "forbidden"
    assert answers["signed out"].status_code == 401


def test_resource_writes_are_described_as_the_page_checks_them(spec):
    """Each writable resource's payload schema names the page's required fields, its
    coded choices as enums and its relations as integer ids."""
    from app.api_resources import RESOURCE_APIS, WriteApi

    schemas = spec["components"]["schemas"]
    writable = [api for api in RESOURCE_APIS if issubclass(api, WriteApi)]
    assert len(writable) >= 10
    for api in writable:
        for method in ("post", "put"):
            schema = schemas[f"{api.__name__}.{method}"]
            assert set(api.required_columns) <= set(schema.get("required", [])), api
            for column, choices in api.choice_columns.items():
                # a choice the page may leave blank takes null too
                enum = [v for v in schema["properties"][column]["enum"] if v is not None]
                assert enum == list(choices), (api, column)
            for column in api.add_columns:
                if column in ("place", "person", "leader", "department", "site"):
                    assert schema["properties"][column]["type"] == "integer", (api, column)
        path = spec["paths"][f"/api/v1/{api.resource_name}/"]
        assert {"get", "post"} <= set(path), api


def test_a_query_its_schema_refuses_is_a_400_in_the_users_language(world, login,
                                                                    monkeypatch):
    """A ``q`` that parses but does not fit the endpoint's schema (a page that is not a
    number, a key that does not exist) is a 400 on ``q`` in the user's language. The
    schema is checked by a validator built once: ``jsonschema.validate``, which FAB
    calls, checks the schema itself against its meta-schema first, on every request
    (most of an API list's time)."""
    import jsonschema

    def per_request(*args, **kwargs):
        raise AssertionError("jsonschema.validate while serving a request")

    monkeypatch.setattr(jsonschema, "validate", per_request)
    agent = login("agentA")
    case_id = world.cases["A"].id
    for path in ("/api/v1/cases/", f"/api/v1/cases/{case_id}", "/api/v1/cases/_info",
                 "/api/v1/places/?q=(page_size:2)"):
        assert agent.get(path).status_code == 200, path
    refused = ["/api/v1/cases/?q=(page:x)", f"/api/v1/cases/{case_id}?q=(keys:!(nosuch))",
               "/api/v1/cases/_info?q=(keys:!(nosuch))"]
    for language, start in (("en", "The query (q) is not valid here: "),
                            ("zh", "查询参数 q 在此无效：")):
        for path in refused:
            answer = agent.get(f"{path}&_l_={language}")
            assert answer.status_code == 400, path
            body = answer.get_json()
            assert (body["code"], body["field"]) == ("bad_request", "q"), body
            assert body["message"].startswith(start), body
