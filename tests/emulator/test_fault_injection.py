"""Fault injection as a client sees it."""

from __future__ import annotations

import http.client
import time
import xmlrpc.client

import pytest

from sidecar.emulator import FaultRule

from .conftest import Rpc, last_line

SERIALIZATION = (
    'Traceback (most recent call last):\n  File "odoo/sql_db.py", line 332, in execute\n'
    "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n"
)


def test_http_status_is_not_processed(emu, rpc: Rpc) -> None:
    emu.faults.add(FaultRule("http_status", model="res.partner", method="create", status=503))
    with pytest.raises(xmlrpc.client.ProtocolError) as info:
        rpc.ek("res.partner", "create", [{"name": "Never"}])
    assert info.value.errcode == 503
    assert emu.env.search("res.partner", [["name", "=", "Never"]]) == []


def post_xmlrpc(emu, body: bytes) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    conn.request("POST", "/xmlrpc/2/object", body, {"Content-Type": "text/xml"})
    return conn.getresponse()


def create_call(name: str) -> bytes:
    return xmlrpc.client.dumps(
        ("ojt", 2, "admin", "res.partner", "create", [{"name": name}], {}), "execute_kw"
    ).encode()


def test_drop_before_closes_without_processing(emu) -> None:
    emu.faults.add(FaultRule("drop_before", method="create", times=1))
    with pytest.raises(http.client.RemoteDisconnected):
        post_xmlrpc(emu, create_call("Dropped"))
    assert emu.env.search("res.partner", [["name", "=", "Dropped"]]) == []
    response = post_xmlrpc(emu, create_call("Second try"))  # the one-shot rule is gone
    assert response.status == 200 and b"<int>" in response.read()


def test_drop_after_commits_but_gives_no_answer(emu) -> None:
    emu.faults.add(FaultRule("drop_after", model="res.partner", method="create"))
    with pytest.raises(http.client.RemoteDisconnected):
        post_xmlrpc(emu, create_call("Committed"))
    assert len(emu.env.search("res.partner", [["name", "=", "Committed"]])) == 1


def test_stdlib_xmlrpc_silently_retries_a_dropped_request_once(emu, rpc: Rpc) -> None:
    """Worth knowing for the client: ServerProxy resends after a dropped connection, so a
    drop after commit turns into a duplicate create that the caller never hears about."""
    emu.faults.add(FaultRule("drop_after", model="res.partner", method="create", times=1))
    rpc.ek("res.partner", "search", [[]])  # open the keep-alive connection first
    rpc.ek("res.partner", "create", [{"name": "Twice"}])
    assert len(emu.env.search("res.partner", [["name", "=", "Twice"]])) == 2


def test_injected_fault(emu, rpc: Rpc) -> None:
    emu.faults.add(
        FaultRule("fault", service="object", fault_code=1, fault_string=SERIALIZATION, times=1)
    )
    fault = rpc.fault("res.partner", "create", [{"name": "Serialized"}])
    assert fault.faultCode == 1
    assert last_line(fault) == (
        "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update"
    )
    assert emu.env.search("res.partner", [["name", "=", "Serialized"]]) == []
    emu.faults.add(FaultRule("fault", service="object", fault_string=SERIALIZATION))
    data = rpc.jek("res.partner", "search_count", [[]])
    assert "result" not in data
    assert data["error"]["data"]["name"] == "psycopg2.errors.SerializationFailure"


def test_latency_and_rate(emu, rpc: Rpc) -> None:
    emu.faults.add(FaultRule("latency", service="common", seconds=0.2, times=1))
    start = time.monotonic()
    assert rpc.common.version()["server_version"] == "17.0"
    assert time.monotonic() - start >= 0.2
    emu.faults.seed(7)
    emu.faults.add(FaultRule("http_status", service="common", rate=0.5, status=502))
    outcomes = []
    for _ in range(20):
        try:
            Rpc(emu).common.version()
            outcomes.append("ok")
        except xmlrpc.client.ProtocolError as exc:
            outcomes.append(exc.errcode)
    assert "ok" in outcomes and 502 in outcomes
    emu.faults.clear()
    assert rpc.common.version()["server_version"] == "17.0"
