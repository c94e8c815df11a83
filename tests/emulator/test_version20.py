"""Odoo 20.0: 19.0's API without the db service and ``check_access_rights``; applicants have a
recruiter employee; attachments take their content from ``raw``."""

from __future__ import annotations

import base64
import xmlrpc.client
from collections.abc import Iterator

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line


@pytest.fixture(scope="module")
def rpc() -> Iterator[Rpc]:
    with OdooEmulator(version="20.0") as emu:
        yield Rpc(emu)


def test_version_and_old_endpoints(rpc: Rpc) -> None:
    assert rpc.common.version()["server_version_info"] == [20, 0, 0, "final", 0, ""]
    assert rpc.ek("res.partner", "search_count", [[["id", "=", 1]]]) == 1
    db = xmlrpc.client.ServerProxy(f"{rpc.emu.url}/xmlrpc/2/db")
    with pytest.raises(xmlrpc.client.Fault) as info:
        db.list()
    assert last_line(info.value) == "KeyError: 'db'"


def test_check_access_rights_is_gone(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "check_access_rights", ["read"])
    assert last_line(fault) == (
        "AttributeError: The method 'res.partner.check_access_rights' does not exist"
    )
    assert rpc.ek("res.partner", "has_access", [[], "read"]) is True
    assert rpc.fault("res.partner", "check_access", [[], "read"]).faultCode == 4


def test_applicants_have_a_recruiter_employee(rpc: Rpc) -> None:
    fields = rpc.ek("hr.applicant", "fields_get", [], {"attributes": ["type", "relation"]})
    assert "user_id" not in fields
    assert fields["recruiter_id"] == {"type": "many2one", "relation": "hr.employee"}
    assert rpc.ek("hr.applicant", "read", [[6], ["recruiter_id"]])[0]["recruiter_id"] is False


def test_attachments_ignore_datas(rpc: Rpc) -> None:
    content = base64.b64encode(b"hello").decode()
    common = {"res_model": "res.partner", "res_id": 3}
    old = rpc.ek("ir.attachment", "create", [{"name": "old.txt", "datas": content, **common}])
    new = rpc.ek("ir.attachment", "create", [{"name": "new.txt", "raw": content, **common}])
    rows = rpc.ek("ir.attachment", "read", [[old, new], ["datas", "file_size"]])
    assert [(r["datas"], r["file_size"]) for r in rows] == [(False, 0), (content, 5)]
