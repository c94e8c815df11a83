"""Auth, version, fields_get and the wire shapes of XML-RPC and JSON-RPC."""

from __future__ import annotations

import http.client
import json
import xmlrpc.client

import odoorpc
import pytest

from sidecar.emulator.registry import REFERENCE_DIR

from .conftest import Rpc, last_line

MODELS = sorted(p.stem for p in (REFERENCE_DIR / "fields").glob("*.json"))


def test_version_answers_the_reference(rpc: Rpc) -> None:
    expected = json.loads((REFERENCE_DIR / "version.json").read_text())
    assert rpc.common.version() == expected


def test_authenticate_and_login(rpc: Rpc) -> None:
    assert rpc.common.authenticate("ojt", "admin", "admin", {}) == 2
    assert rpc.common.authenticate("ojt", "admin", "WRONG", {}) is False
    assert rpc.common.authenticate("ojt", "nosuchuser", "x", {}) is False
    assert rpc.common.login("ojt", "admin", "WRONG") is False


def test_unknown_database_is_a_psycopg_fault(rpc: Rpc) -> None:
    with pytest.raises(xmlrpc.client.Fault) as info:
        rpc.common.authenticate("no_such_db", "admin", "admin", {})
    assert info.value.faultCode == 1
    assert info.value.faultString.startswith("Traceback (most recent call last):")
    assert last_line(info.value) == (
        'psycopg2.OperationalError: connection to server at "127.0.0.1", port 5432 failed: '
        'FATAL:  database "no_such_db" does not exist'
    )


def test_bad_password_and_unknown_uid(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "search", [[["id", "=", 1]]], password="WRONG")
    assert (fault.faultCode, fault.faultString) == (3, "Access Denied")
    fault = rpc.fault("res.partner", "search", [[]], uid=999)
    assert fault.faultCode == 2
    assert fault.faultString == (
        "Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)"
    )


def test_api_key_replaces_the_password(emu, rpc: Rpc) -> None:
    key = emu.new_api_key(2)
    assert len(key) == 40 and int(key, 16) >= 0
    assert rpc.common.authenticate("ojt", "admin", key, {}) == 2
    assert rpc.common.login("ojt", "admin", key) == 2
    assert rpc.ek("res.partner", "search_count", [[]], password=key) > 0


@pytest.mark.parametrize("model", MODELS)
def test_fields_get_equals_the_reference(rpc: Rpc, model: str) -> None:
    expected = json.loads((REFERENCE_DIR / "fields" / f"{model}.json").read_text())
    assert rpc.ek(model, "fields_get", []) == expected


def test_fields_get_filters_attributes(rpc: Rpc) -> None:
    got = rpc.ek(
        "res.partner", "fields_get", [["name", "parent_id"]], {"attributes": ["type", "relation"]}
    )
    assert got == {
        "name": {"type": "char"},
        "parent_id": {"type": "many2one", "relation": "res.partner"},
    }


def test_jsonrpc_error_shape(rpc: Rpc) -> None:
    data = rpc.jek("x.no.such.model", "search", [[]])
    assert "result" not in data
    assert data["id"] == 1 and data["jsonrpc"] == "2.0"
    error = data["error"]
    assert error["code"] == 200 and error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "odoo.exceptions.UserError"
    assert error["data"]["message"] == "Object x.no.such.model doesn't exist"
    assert error["data"]["arguments"] == ["Object x.no.such.model doesn't exist"]
    assert error["data"]["context"] == {}
    assert error["data"]["debug"].startswith("Traceback")
    data = rpc.jek("res.partner", "read", [[1], ["no_such_field"]])
    assert data["error"]["data"]["name"] == "builtins.ValueError"
    data = rpc.jek("hr.applicant", "_get_name", [[1]])
    assert data["error"]["data"]["name"] == "odoo.exceptions.AccessError"


def test_jsonrpc_none_result_has_no_result_key(rpc: Rpc) -> None:
    data = rpc.jek("res.partner", "action_archive", [[16]])
    assert data == {"jsonrpc": "2.0", "id": 1}
    rows = rpc.ek(
        "res.partner",
        "search_read",
        [[["id", "=", 16], ["active", "in", [True, False]]], ["active"]],
    )
    assert rows == [{"id": 16, "active": False}]


def test_jsonrpc_truncates_datetimes_too(rpc: Rpc) -> None:
    data = rpc.jek("res.partner", "read", [[1], ["write_date"]])
    assert len(data["result"][0]["write_date"]) == 19


def test_web_routes(emu, rpc: Rpc) -> None:
    info = rpc.post_json("/web/webclient/version_info", {})
    assert info["result"]["server_version"] == "17.0"
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 3,
            "params": {"db": "ojt", "login": "admin", "password": "admin"},
        }
    )
    conn.request("POST", "/web/session/authenticate", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    assert data["result"]["uid"] == 2
    assert "session_id=" in (response.getheader("Set-Cookie") or "")
    conn.request("GET", "/web/login")
    response = conn.getresponse()
    assert response.status == 200 and b"<form" in response.read()
    conn.request("POST", "/nope", b"")
    response = conn.getresponse()
    response.read()
    assert response.status == 404
    bad = rpc.post_json(
        "/web/session/authenticate", {"db": "ojt", "login": "admin", "password": "nope"}
    )
    assert bad["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_legacy_xmlrpc_string_fault_codes(emu) -> None:
    legacy = xmlrpc.client.ServerProxy(f"{emu.url}/xmlrpc/object")
    with pytest.raises(xmlrpc.client.Fault) as info:
        legacy.execute_kw("ojt", 2, "admin", "x.no.such.model", "search", [[]])
    assert info.value.faultCode == "warning -- UserError\n\nObject x.no.such.model doesn't exist"
    assert info.value.faultString == ""
    with pytest.raises(xmlrpc.client.Fault) as info:
        legacy.execute_kw("ojt", 2, "WRONG", "res.partner", "search", [[]])
    assert (info.value.faultCode, info.value.faultString) == ("AccessDenied", "Access Denied")


@pytest.mark.parametrize("secret", ["password", "api_key"])
def test_odoorpc_works(emu, secret: str) -> None:
    password = "admin" if secret == "password" else emu.new_api_key(2)
    odoo = odoorpc.ODOO("127.0.0.1", port=emu.port)
    odoo.login("ojt", "admin", password)
    assert odoo.env.uid == 2
    count = odoo.execute_kw("res.partner", "search_count", [[]])
    assert count == emu.env.call("res.partner", "search_count", [])
    partner = odoo.env["res.partner"].browse(3)
    assert partner.name == "Mitchell Admin"
    data = odoo.json(
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": ["ojt", 2, password, "res.partner", "search_count", [[]]],
        },
    )
    assert data["result"] == count


def test_calls_are_recorded(emu, rpc: Rpc) -> None:
    emu.reset_calls()
    rpc.ek("res.partner", "search", [[]])
    rpc.jek("res.partner", "search_count", [[]])
    assert [(c.transport, c.service, c.method, c.model, c.model_method) for c in emu.calls] == [
        ("xmlrpc", "object", "execute_kw", "res.partner", "search"),
        ("jsonrpc", "object", "execute_kw", "res.partner", "search_count"),
    ]
