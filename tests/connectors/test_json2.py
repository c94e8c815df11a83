"""JSON-2 (Odoo 19+) and `transport: auto` against the emulator over real HTTP: the same calls
and the same typed errors as the other transports; the API key is the login."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors import (
    OdooAccessError,
    OdooAuthenticationError,
    OdooClient,
    OdooProtocolError,
    OdooSettings,
)
from sidecar.emulator import OdooEmulator
from tests.conftest import FAST_RETRY
from tests.connectors.test_client_over_http import TYPED_ERRORS


@pytest.fixture(scope="module")
def odoo19() -> Iterator[OdooEmulator]:
    with OdooEmulator(version="19.0") as emulator:
        yield emulator


def client(emu: OdooEmulator, transport: str, secret: str, **changes: Any) -> OdooClient:
    values: dict[str, Any] = {
        "url": emu.url,
        "database": emu.db,
        "username": "admin",
        "secret": secret,
        "transport": transport,
        "api_key": secret != "admin",
        "retry": FAST_RETRY,
        **changes,
    }
    return OdooClient(OdooSettings(**values))


def calls_of(emu: OdooEmulator, model: str, method: str) -> int:
    return sum(1 for c in emu.calls if c.model == model and c.model_method == method)


def test_reads_and_writes_as_over_xml_rpc(odoo19: OdooEmulator) -> None:
    with client(odoo19, "json2", odoo19.new_api_key()) as odoo:
        assert odoo.authenticate() == 2
        assert odoo.version().major == 19
        partner = odoo.create("res.partner", {"name": "JSON-2 trainee", "email": "j2@x.org"})
        assert isinstance(partner, int)
        assert odoo.write("res.partner", [partner], {"comment": "via json2"})
        (row,) = odoo.read("res.partner", [partner], ["name", "comment"])
        assert (row["name"], row["comment"]) == ("JSON-2 trainee", "via json2")
        message = odoo.message_post("res.partner", partner, "<b>escaped</b>")
        assert "&lt;b&gt;" in odoo.read("mail.message", [message], ["body"])[0]["body"]
        assert odoo.check_access_rights("hr.applicant", "read") is True
        assert odoo.call("res.partner", "action_archive", ids=[partner]) is None
        assert odoo.search("res.partner", [("id", "=", partner)]) == []


@pytest.mark.parametrize(("model", "method", "args", "error"), TYPED_ERRORS)
def test_statuses_become_the_same_typed_errors_sent_once(
    odoo19: OdooEmulator, model: str, method: str, args: dict[str, Any], error: type[Exception]
) -> None:
    with client(odoo19, "json2", odoo19.new_api_key()) as odoo:
        odoo.authenticate()
        odoo19.reset_calls()
        with pytest.raises(error) as raised:
            odoo.call(model, method, **args)
        assert calls_of(odoo19, model, method) == 1
        assert not getattr(raised.value, "may_have_applied", False)


def test_a_wrong_key_is_refused_in_one_sentence(odoo19: OdooEmulator) -> None:
    with client(odoo19, "json2", "0" * 40) as odoo, pytest.raises(OdooAuthenticationError) as e:
        odoo.authenticate()
    assert "refused the login 'admin'" in str(e.value)


def test_a_user_without_rights_gets_an_access_error(odoo19: OdooEmulator) -> None:
    uid = odoo19.create_user("Limited", "limited19", "limited123", groups=("internal",))
    with client(odoo19, "json2", odoo19.new_api_key(uid=uid), username="limited19") as odoo:
        with pytest.raises(OdooAccessError, match=r"hr\.applicant"):
            odoo.search_read_list("hr.applicant", [], ["partner_name"], limit=1)
        assert odoo.check_access_rights("hr.applicant", "read") is False


def test_an_odoo_before_19_is_named() -> None:
    with (
        OdooEmulator(version="17.0") as odoo17,
        client(odoo17, "json2", odoo17.new_api_key()) as odoo,
        pytest.raises(OdooProtocolError, match="JSON-2 needs Odoo 19"),
    ):
        odoo.search("res.partner", [])


@pytest.mark.parametrize(
    ("version", "with_key", "spoken"),
    [("19.0", True, "json2"), ("19.0", False, "xmlrpc"), ("17.0", True, "xmlrpc")],
)
def test_auto_speaks_json2_where_odoo_has_it_and_a_key_is_given(
    version: str, with_key: bool, spoken: str
) -> None:
    with OdooEmulator(version=version) as emu:
        secret = emu.new_api_key() if with_key else "admin"
        with client(emu, "auto", secret) as odoo:
            assert odoo.transport.name == "auto"  # nothing asked of Odoo yet
            assert odoo.search_count("res.partner", [("id", "=", 3)]) == 1
            assert odoo.transport.name == spoken
            emu.reset_calls()
            odoo.search_count("res.partner", [("id", "=", 3)])
            assert {c.transport for c in emu.calls} == {spoken}
