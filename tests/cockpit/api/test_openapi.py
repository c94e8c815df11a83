"""The OpenAPI 3.1 document: valid (openapi-spec-validator), made from the routes (every API
route is in it, with its scope and parameters), and true (schemathesis sends what it
describes, and some of what it forbids, and finds no server error and no answer that
differs from it)."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

from tests.cockpit.api.data import Api

EXAMPLES = 25  # per address and mode: seconds in all


def _document(api: Api) -> dict[str, Any]:
    answer = api.get("/api/v1/openapi.json", None)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    found: dict[str, Any] = answer.get_json()
    return found


def test_the_document_is_valid_openapi_3_1(api: Api) -> None:
    document = _document(api)
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `ojt-sidecar api-token create` (ojt_...).",
    }


def test_every_route_is_in_the_document_with_its_scope_and_parameters(api: Api) -> None:
    document = _document(api)
    routes = {
        rule.rule.replace("<int:partner_id>", "{partner_id}")
        for rule in api.world.app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(document["paths"])
    trainees = document["paths"]["/api/v1/trainees"]["get"]
    assert trainees["security"] == [{"bearer": ["trainees"]}]
    params = {p["name"]: p for p in trainees["parameters"]}
    assert set(params) == {"limit", "cursor", "program", "batch", "status"}
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100,
    }
    assert params["status"]["schema"] == {"$ref": "#/components/schemas/StudentStatus"}
    assert all(p["in"] == "query" and not p["required"] for p in params.values())
    one = document["paths"]["/api/v1/trainees/{partner_id}"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in one] == [("partner_id", "path", True)]
    answer = trainees["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/TraineePage"}
    trainee = document["components"]["schemas"]["Trainee"]
    assert {"overall_pct", "status", "batch", "certified_at"} <= set(trainee["required"])
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    certificate = document["components"]["schemas"]["Certificate"]["properties"]
    assert not {"signature", "payload", "pdf_path"} & set(certificate)


def test_schemathesis_finds_no_server_error_and_no_mismatch(api: Api) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.world.app)
    headers = {"Authorization": f"Bearer {api.token('all', rate=100_000)}"}
    checks = [not_a_server_error, response_schema_conformance]
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation of the document loads
        operations.append(result.ok())
    assert len(operations) == 8  # schemathesis leaves out the document it was read from
    for operation in operations:
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=checks)

            run()
