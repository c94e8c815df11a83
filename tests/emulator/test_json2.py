"""JSON-2 (19.0 and 20.0): requests by name, bare results, errors as HTTP statuses."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from sidecar.emulator import FaultRule, OdooEmulator

from .conftest import Rpc


class Json2:
    def __init__(self, emu: OdooEmulator) -> None:
        self.emu = emu
        self.key = emu.new_api_key(2)

    def raw(
        self, path: str, body: bytes | None, headers: dict[str, str], method: str = "POST"
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def call(self, model: str, method: str, key: str | None = None, **params: Any) -> tuple:
        headers = {
            "Authorization": f"bearer {key or self.key}",
            "X-Odoo-Database": "ojt",
            "Content-Type": "application/json",
        }
        body = json.dumps(params).encode()
        status, head, data = self.raw(f"/json/2/{model}/{method}", body, headers)
        return status, json.loads(data), head

    def ok(self, model: str, method: str, **params: Any) -> Any:
        status, result, head = self.call(model, method, **params)
        assert status == 200, result
        assert head["content-type"] == "application/json; charset=utf-8"
        return result

    def error(self, status: int, model: str, method: str, **params: Any) -> tuple[str, str]:
        got, body, _ = self.call(model, method, **params)
        assert got == status, body
        assert set(body) == {"name", "message", "arguments", "context", "debug"}
        assert body["context"] == {} and body["message"] in body["arguments"]
        return body["name"], body["message"]


@pytest.fixture(scope="module", params=["19.0", "20.0"])
def j2(request: pytest.FixtureRequest) -> Iterator[Json2]:
    with OdooEmulator(version=request.param) as emu:
        yield Json2(emu)


def test_requests_by_name_and_bare_results(j2: Json2) -> None:
    rows = j2.ok("res.partner", "search_read", domain=[["id", "<", 3]], fields=["name"], order="id")
    assert rows == [{"id": 1, "name": "YourCompany"}, {"id": 2, "name": "OdooBot"}]
    assert j2.ok("res.partner", "search", domain=[["id", "<", 4]], order="id") == [1, 2, 3]
    assert j2.ok("res.partner", "search_count", domain=[["id", "=", 1]]) == 1
    assert j2.ok("res.partner", "read", ids=[1, 999999], fields=["name"]) == [
        {"id": 1, "name": "YourCompany"}
    ]
    plain = j2.ok(
        "slide.channel.partner", "read", ids=[1], fields=["channel_id", "partner_id"], load=None
    )
    assert plain == [{"id": 1, "channel_id": 1, "partner_id": 3}]
    pair = j2.ok("slide.channel.partner", "read", ids=[1], fields=["channel_id"])
    assert pair[0]["channel_id"] == [1, "Basics of Gardening"]
    assert j2.ok("res.users", "context_get") == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}


def test_records_come_back_as_lists_of_ids(j2: Json2) -> None:
    created = j2.ok("res.partner", "create", vals_list=[{"name": "JSON2 Probe"}])
    assert isinstance(created, list) and len(created) == 1
    assert len(j2.ok("res.partner", "create", vals_list={"name": "one dict"})) == 1
    assert j2.ok("res.partner", "write", ids=created, vals={"comment": "via json2"}) is True
    assert j2.ok("res.partner", "action_archive", ids=created) is None
    posted = j2.ok(
        "res.partner",
        "message_post",
        ids=created,
        body="<p>Hello <b>JSON-2</b></p>",
        body_is_html=True,
        message_type="comment",
        subtype_xmlid="mail.mt_note",
    )
    assert isinstance(posted, list) and len(posted) == 1
    assert j2.ok("slide.channel", "action_grant_access", ids=[5], partner_id=created[0]) is None
    row = j2.ok(
        "slide.channel.partner",
        "search_read",
        domain=[["partner_id", "=", created[0]]],
        fields=["member_status"],
    )
    assert [r["member_status"] for r in row] == ["joined"]


def test_error_statuses(j2: Json2) -> None:
    assert j2.error(404, "x.no.such.model", "search_read") == (
        "werkzeug.exceptions.NotFound",
        "the model 'x.no.such.model' does not exist",
    )
    assert j2.error(404, "res.partner", "no_such_method") == (
        "werkzeug.exceptions.NotFound",
        "The method 'res.partner.no_such_method' does not exist",
    )
    assert j2.error(403, "res.partner", "_get_name", ids=[1]) == (
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner._get_name') cannot be called remotely.",
    )
    name, message = j2.error(422, "res.partner.category", "create", vals_list=[{"color": 1}])
    assert name == "odoo.exceptions.ValidationError"
    assert message.startswith("The operation cannot be completed: Missing required value")
    assert j2.error(
        422, "slide.channel.partner", "create", vals_list=[{"channel_id": 1, "partner_id": 3}]
    ) == (
        "odoo.exceptions.ValidationError",
        "The operation cannot be completed: A partner membership to a channel must be unique!",
    )
    assert j2.error(404, "res.partner", "write", ids=[999999], vals={"name": "x"}) == (
        "odoo.exceptions.MissingError",
        "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)",
    )
    assert j2.error(422, "res.partner", "search_read", ids=[1], domain=[]) == (
        "werkzeug.exceptions.UnprocessableEntity",
        "cannot call res.partner.search_read with ids",
    )
    name, message = j2.error(500, "res.partner", "search_read", domain=[], no_such_kwarg=1)
    assert name == "builtins.TypeError" and "unexpected keyword argument 'no_such_kwarg'" in message
    assert j2.error(500, "res.partner", "search_read", domain=[["no_such_field", "=", 1]]) == (
        "builtins.ValueError",
        "Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)",
    )
    name, message = j2.error(
        500, "res.partner", "search_read", domain=[["write_date", ">", "2026-01-01 00:00:00+02:00"]]
    )
    assert (name, message[:43]) == (
        "builtins.ValueError",
        "expecting only datetimes with no timezone: ",
    )
    assert j2.error(422, "res.partner", "search_count", domain=[], context={"lang": "fr_FR"}) == (
        "odoo.exceptions.UserError",
        "Invalid language code: fr_FR",
    )


def test_access_errors_follow_the_key_owner(j2: Json2) -> None:
    demo_key = j2.emu.new_api_key(6)
    status, body, _ = j2.call("hr.applicant", "search_read", key=demo_key, domain=[])
    assert status == 403 and body["name"] == "odoo.exceptions.AccessError"
    assert body["message"].startswith("You are not allowed to access 'Applicant' (hr.applicant)")


def test_authentication(j2: Json2) -> None:
    status, body, head = j2.call("res.partner", "search_count", key="0" * 40, domain=[])
    assert (status, body["name"], body["message"]) == (
        401,
        "werkzeug.exceptions.Unauthorized",
        "Invalid apikey",
    )
    assert body["arguments"] == ["Invalid apikey", 401]
    assert head["www-authenticate"] == "Bearer "
    headers = {"Content-Type": "application/json"}
    status, _, data = j2.raw("/json/2/res.partner/search_count", b"{}", headers)
    assert status == 401
    assert json.loads(data)["message"] == (
        "User not authenticated, use an API Key with a Bearer Authorization header."
    )
    # the key works on XML-RPC as a password, too
    assert Rpc(j2.emu).common.authenticate("ojt", "admin", j2.key, {}) == 2


def test_transport_errors(j2: Json2) -> None:
    auth = {"Authorization": f"bearer {j2.key}"}
    path = "/json/2/res.partner/search_count"
    status, head, data = j2.raw(path, b"{not json", {**auth, "Content-Type": "application/json"})
    assert status == 400 and json.loads(data)["name"] == "werkzeug.exceptions.BadRequest"
    assert json.loads(data)["message"].startswith("could not parse the body as json: ")
    status, head, data = j2.raw(path, None, auth, method="GET")
    assert status == 404
    assert json.loads(data)["message"] == "Did you mean POST /json/2/<model>/<method>?"
    status, head, data = j2.raw(path, b"{}", {**auth, "Content-Type": "text/plain"})
    assert status == 415 and head["content-type"].startswith("text/html")
    assert b"type='json2'" in data
    other_db = {**auth, "Content-Type": "application/json", "X-Odoo-Database": "no_such_db"}
    status, head, data = j2.raw(path, b"{}", other_db)
    assert status == 404 and head["content-type"].startswith("text/html")
    assert b"No database is selected" in data


def test_one_transaction_per_call(j2: Json2) -> None:
    before = j2.ok("res.partner.category", "search_count", domain=[])
    j2.error(422, "res.partner.category", "create", vals_list=[{"name": "ok"}, {"color": 2}])
    assert j2.ok("res.partner.category", "search_count", domain=[]) == before


def test_calls_are_recorded_and_faults_injected(j2: Json2) -> None:
    j2.emu.reset_calls()
    j2.ok("res.partner", "search_count", domain=[])
    record = j2.emu.calls[-1]
    assert (record.transport, record.model, record.model_method) == (
        "json2",
        "res.partner",
        "search_count",
    )
    j2.emu.faults.add(FaultRule("http_status", model="res.partner", status=503, times=1))
    status, _, _ = j2.raw(
        "/json/2/res.partner/search_count",
        b"{}",
        {"Authorization": f"bearer {j2.key}", "Content-Type": "application/json"},
    )
    assert status == 503
    j2.emu.faults.add(
        FaultRule(
            "fault",
            model="res.partner",
            fault_code=2,
            times=1,
            fault_string="odoo.exceptions.UserError: injected",
        )
    )
    assert j2.error(422, "res.partner", "search_count", domain=[]) == (
        "odoo.exceptions.UserError",
        "injected",
    )
    assert j2.ok("res.partner", "search_count", domain=[]) > 0


def test_older_versions_have_no_json2() -> None:
    with OdooEmulator(version="18.0", demo=False) as emu:
        conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
        conn.request(
            "POST", "/json/2/res.partner/search_count", b"{}", {"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        assert response.status == 404 and response.getheader("Content-Type").startswith("text/html")
        response.read()
        conn.close()
