"""Injected Odoo failures: retried when safe, never re-sent when the outcome is unknown.

Every assertion checks the emulator's own records, not just what the client says.
"""

from __future__ import annotations

import pytest

from connectors import (
    OdooClient,
    OdooConcurrencyError,
    OdooConnectionError,
    OdooTimeoutError,
    OdooUnavailableError,
    OdooValidationError,
)
from sidecar.emulator import FaultRule, OdooEmulator
from tests.conftest import ClientFactory

SERIALIZATION = (
    'Traceback (most recent call last):\n  File "/odoo/odoo/sql_db.py", line 1, in execute\n'
    "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n"
)


def count(emu: OdooEmulator, model: str, domain: list[object]) -> int:
    return len(emu.env.search(model, domain, context={"active_test": False}))


def sent(emu: OdooEmulator, model: str, method: str) -> int:
    return sum(1 for c in emu.calls if c.model == model and c.model_method == method)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_read_is_retried_through_gateway_errors(
    emu: OdooEmulator, client: OdooClient, status: int
) -> None:
    client.authenticate()
    emu.faults.add(
        FaultRule("http_status", model="res.partner", method="search_count", status=status, times=1)
    )
    assert client.search_count("res.partner", [("id", "=", 3)]) == 1
    assert client.stats.retries == 1


def test_create_is_retried_after_503_and_lands_once(emu: OdooEmulator, client: OdooClient) -> None:
    client.authenticate()
    emu.faults.add(
        FaultRule("http_status", model="res.partner", method="create", status=503, times=2)
    )
    client.create("res.partner", {"name": "Once Only"})
    assert count(emu, "res.partner", [("name", "=", "Once Only")]) == 1


def test_create_after_504_is_not_resent(emu: OdooEmulator, client: OdooClient) -> None:
    client.authenticate()
    emu.faults.add(
        FaultRule("http_status", model="res.partner", method="create", status=504, times=1)
    )
    with pytest.raises(OdooUnavailableError) as raised:
        client.create("res.partner", {"name": "Gateway Timeout"})
    assert raised.value.may_have_applied
    assert client.stats.retries == 0


def test_dropped_answer_after_commit_is_reported_as_maybe_applied_and_not_resent(
    emu: OdooEmulator, client: OdooClient
) -> None:
    client.authenticate()
    emu.reset_calls()
    emu.faults.add(FaultRule("drop_after", model="res.partner", method="create", times=1))
    with pytest.raises(OdooConnectionError) as raised:
        client.create("res.partner", {"name": "Dropped Answer"})
    assert raised.value.may_have_applied
    assert count(emu, "res.partner", [("name", "=", "Dropped Answer")]) == 1
    assert sent(emu, "res.partner", "create") == 1
    # The client recovers: the next call opens a fresh connection.
    assert client.search_count("res.partner", [("name", "=", "Dropped Answer")]) == 1


def test_connection_dropped_before_processing_is_retried_for_reads(
    emu: OdooEmulator, client: OdooClient
) -> None:
    client.authenticate()
    emu.faults.add(FaultRule("drop_before", model="res.partner", method="read", times=2))
    assert client.read("res.partner", [3], ["name"])[0]["id"] == 3
    assert client.stats.retries == 2


def test_timeout_on_a_read_is_retried(emu: OdooEmulator, make_client: ClientFactory) -> None:
    client = make_client(timeout_seconds=0.3)
    client.authenticate()
    emu.faults.add(FaultRule("latency", model="res.partner", method="search", seconds=1.0, times=1))
    assert client.search("res.partner", [("id", "=", 3)]) == [3]
    assert client.stats.retries == 1


def test_timeout_on_a_write_is_not_resent(emu: OdooEmulator, make_client: ClientFactory) -> None:
    client = make_client(timeout_seconds=0.3)
    client.authenticate()
    emu.faults.add(FaultRule("latency", model="res.partner", method="create", seconds=1.0, times=1))
    with pytest.raises(OdooTimeoutError) as raised:
        client.create("res.partner", {"name": "Slow Create"})
    assert raised.value.may_have_applied
    assert client.stats.retries == 0


def test_serialization_failure_is_retried_because_odoo_rolled_it_back(
    emu: OdooEmulator, client: OdooClient
) -> None:
    client.authenticate()
    emu.faults.add(
        FaultRule(
            "fault",
            model="res.partner",
            method="write",
            fault_code=1,
            fault_string=SERIALIZATION,
            times=1,
        )
    )
    assert client.write("res.partner", [3], {"comment": "retried"}) is True
    assert client.stats.retries == 1
    assert emu.env.search_read("res.partner", [("id", "=", 3)], ["comment"])[0]["comment"]


def test_serialization_failure_that_persists_surfaces_as_concurrency_error(
    emu: OdooEmulator, client: OdooClient
) -> None:
    client.authenticate()
    emu.faults.add(
        FaultRule(
            "fault", model="res.partner", method="write", fault_code=1, fault_string=SERIALIZATION
        )
    )
    with pytest.raises(OdooConcurrencyError):
        client.write("res.partner", [3], {"comment": "never"})
    assert client.stats.retries == client.settings.retry.max_attempts - 1


def test_business_error_is_not_retried(emu: OdooEmulator, client: OdooClient) -> None:
    channel = emu.env.search("slide.channel", [], limit=1)[0]
    partner = client.create("res.partner", {"name": "Member"})
    client.create("slide.channel.partner", {"channel_id": channel, "partner_id": partner})
    emu.reset_calls()
    with pytest.raises(OdooValidationError, match="must be unique"):
        client.create("slide.channel.partner", {"channel_id": channel, "partner_id": partner})
    assert sent(emu, "slide.channel.partner", "create") == 1
