"""Who gets in: a bearer token (401 without one, or with an unknown or revoked one), its
scopes (403), its own rate limit (429 with Retry-After); and every error is JSON, never the
cockpit's HTML pages, whatever goes wrong."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

from sidecar.cockpit.api import queries, tokens
from sidecar.store.models import ApiToken
from tests.cockpit.api.data import NOW, Api

ENDPOINTS = {
    "/api/v1/programs": "programs",
    "/api/v1/batches": "batches",
    "/api/v1/trainees": "trainees",
    "/api/v1/trainees/{tA}": "trainees",
    "/api/v1/progress": "progress",
    "/api/v1/attendance": "attendance",
    "/api/v1/scores": "scores",
    "/api/v1/certificates": "certificates",
}


def _path(api: Api, route: str) -> str:
    return route.format(tA=api.world.partners["trainee.a@example.com"])


def _error(answer: TestResponse, status: int, code: str) -> dict[str, str]:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/json"
    body: dict[str, str] = answer.get_json()
    assert body["error"] == code and body["message"].endswith("."), body
    return body


def test_no_token_or_a_wrong_one_is_401_with_a_bearer_challenge(api: Api) -> None:
    for route in ENDPOINTS:
        path = _path(api, route)
        for headers in (
            {},
            {"Authorization": "Basic YWRtaW46YWRtaW4="},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer ojt_not-a-token"},
        ):
            answer = api.world.app.test_client().get(path, headers=headers)
            _error(answer, 401, "unauthorized")
            assert answer.headers["WWW-Authenticate"].startswith("Bearer"), path


def test_a_revoked_token_is_refused_and_its_name_is_free_again(api: Api) -> None:
    token = api.token("all", name="erp")
    assert api.get("/api/v1/programs", token).status_code == 200
    with api.world.store.sessions() as db, db.begin():
        tokens.revoke(db, "erp", NOW)
    answer = api.get("/api/v1/programs", token)
    _error(answer, 401, "unauthorized")
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    again = api.token("programs", name="erp")
    assert again != token and api.get("/api/v1/programs", again).status_code == 200


def test_each_scope_opens_its_own_addresses_only(api: Api) -> None:
    for scope in tokens.SCOPES:
        token = api.token(scope)
        for route, needs in ENDPOINTS.items():
            answer = api.get(_path(api, route), token)
            if needs == scope:
                assert answer.status_code == 200, (scope, route)
            else:
                body = _error(answer, 403, "forbidden")
                assert f"'{needs}'" in body["message"]
    everything = api.token("all")
    assert all(api.get(_path(api, r), everything).status_code == 200 for r in ENDPOINTS)
    two = api.token("scores", "certificates")
    assert api.get("/api/v1/scores", two).status_code == 200
    assert api.get("/api/v1/certificates", two).status_code == 200
    assert api.get("/api/v1/trainees", two).status_code == 403


def test_each_token_has_its_own_rate_limit(api: Api) -> None:
    slow = api.token("all", name="slow", rate=3)
    other = api.token("all", name="other", rate=3)
    assert [api.get("/api/v1/programs", slow).status_code for _ in range(3)] == [200] * 3
    answer = api.get("/api/v1/programs", slow)
    body = _error(answer, 429, "rate_limited")
    assert "3 requests a minute" in body["message"]
    assert int(answer.headers["Retry-After"]) >= 1
    assert api.get("/api/v1/programs", other).status_code == 200  # not the same count


def test_a_token_records_when_it_was_last_used(api: Api) -> None:
    token = api.token("programs", name="used")
    with api.world.store.sessions() as db:
        assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "used")) is None
    api.get("/api/v1/programs", token)
    with api.world.store.sessions() as db:
        row = db.scalar(select(ApiToken).where(ApiToken.name == "used"))
        assert row is not None and row.last_used_at is not None
        assert row.token_hash == tokens.token_hash(token) and token not in row.token_hash


def test_the_openapi_document_needs_no_token(api: Api) -> None:
    answer = api.get("/api/v1/openapi.json", None)
    assert answer.status_code == 200 and answer.get_json()["openapi"] == "3.1.0"


def test_errors_under_api_are_json_never_html(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    token = api.token("all")
    client = api.world.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    _error(client.get("/api/v1/nothing-here", headers=headers), 404, "not_found")
    _error(client.get("/api/v2/programs", headers=headers), 404, "not_found")
    _error(client.get("/api/v1/trainees/-3", headers=headers), 404, "not_found")
    _error(client.get(f"/api/v1/trainees/{2**70}", headers=headers), 404, "not_found")
    for method in ("post", "put", "delete", "patch"):
        answer = getattr(client, method)("/api/v1/programs", headers=headers, data="{}")
        _error(answer, 405, "method_not_allowed")
        assert "GET" in answer.headers["Allow"]

    def broken(*args: object) -> object:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(queries, "program_page", broken)
    answer = client.get("/api/v1/programs", headers=headers)
    body = _error(answer, 500, "server_error")
    assert "store went away" not in body["message"]
    outside = client.get("/nothing-here")  # the cockpit's own pages keep their HTML
    assert outside.status_code == 404 and outside.mimetype == "text/html"
