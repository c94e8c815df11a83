"""A read whose answer holds a None (a property an older record never stored, Odoo 16.0-18.0)
cannot travel over XML-RPC: Odoo faults after reading. The XML-RPC transport asks the same read
over JSON-RPC, which carries it (recorded on a real 17.0: an applicant made before its job
defined properties)."""

from __future__ import annotations

import xmlrpc.client

import pytest

from connectors import OdooClient, OdooSettings
from sidecar.emulator import OdooEmulator

DEFINITION = [{"name": "seniority", "string": "Seniority", "type": "char"}]


@pytest.mark.parametrize("version", ["17.0", "18.0"])  # 16.0: no applicant properties
def test_a_read_with_a_none_inside_comes_over_json_rpc(version: str) -> None:
    with OdooEmulator(version=version) as emu:
        settings = OdooSettings(
            url=emu.url, database=emu.db, username="admin", secret="admin", transport="xmlrpc"
        )
        with OdooClient(settings) as client:
            (applicant,) = client.search("hr.applicant", [("job_id", "!=", False)], limit=1)
            (row,) = client.read("hr.applicant", [applicant], ["job_id"], names=False)
            client.write("hr.job", [row["job_id"]], {"applicant_properties_definition": DEFINITION})
            # Odoo itself refuses this answer over XML-RPC:
            raw = xmlrpc.client.ServerProxy(f"{emu.url}/xmlrpc/2/object")
            with pytest.raises(xmlrpc.client.Fault, match="cannot marshal None"):
                raw.execute_kw(
                    emu.db, 2, "admin", "hr.applicant", "read", [[applicant]],
                    {"fields": ["applicant_properties"]},
                )  # fmt: skip
            (read,) = client.read("hr.applicant", [applicant], ["applicant_properties"])
    assert read["applicant_properties"] == [{**DEFINITION[0], "value": None}]
