"""Many2one display names as the reference samples show them."""

from __future__ import annotations

import json
import xmlrpc.client
from pathlib import Path

from sidecar.emulator import OdooEmulator

SAMPLES = Path(__file__).resolve().parents[2] / "sidecar/emulator/reference/17.0/samples"


def test_many2one_display_names_match_the_reference_samples() -> None:
    sample = json.loads((SAMPLES / "slide.channel.json").read_text())
    with OdooEmulator(demo=True) as emu:
        models = xmlrpc.client.ServerProxy(f"{emu.url}/xmlrpc/2/object")
        for record in sample["records"]:
            got = models.execute_kw(
                emu.db, 2, "admin", "slide.channel", "read", [[record["id"]], ["user_id"]]
            )
            assert got[0]["user_id"] == record["user_id"]


def test_a_user_shows_its_name_and_its_partner_the_company_prefix() -> None:
    with OdooEmulator(demo=True) as emu:
        users = emu.env.search_read("res.users", [("id", "=", 2)], ["display_name", "partner_id"])
    assert users[0]["display_name"] == "Mitchell Admin"
    assert users[0]["partner_id"] == [3, "YourCompany, Mitchell Admin"]
