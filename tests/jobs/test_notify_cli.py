"""`ojt-sidecar notifications send|list|opt-out|opt-in` as an operator meets them, on the
emulator's demo courses."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sidecar.cli import main
from sidecar.emulator import OdooEmulator
from tests.jobs.syncing import SERVER, write_config

CONFIG = """\
programs:
  - key: gardening
    name: Gardening OJT
    include_internal_users: true
    courses:
      - course: Basics of Gardening
certificates:
  signing_key: keys/signing.key
"""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_send_list_and_opt_out(tmp_path: Path, emu: OdooEmulator) -> None:
    write_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}", SERVER + CONFIG)
    config = str(tmp_path / "config.yaml")
    assert invoke("sync", "-c", config)[0] == 0

    code, out = invoke("notifications", "send", "-c", config, "--dry-run")
    assert code == 0 and "Dry run: would queue" in out and "would write to Odoo" in out
    assert invoke("notifications", "list", "-c", config) == (0, "No notifications yet.\n")

    code, out = invoke("notifications", "send", "-c", config)
    assert code == 0, out
    queued = int(out.split("Queued ")[1].split()[0])
    written = int(out.split("Delivery: ")[1].split()[0])  # other queued writes go along
    assert queued >= 1 and written >= queued and "0 failed" in out
    code, out = invoke("notifications", "send", "-c", config)
    assert code == 0 and "Queued 0 notification(s)" in out  # once only

    code, out = invoke("notifications", "list", "-c", config)
    assert code == 0 and "welcome" in out and "delivered" in out
    partner = int(out.split("contact ")[1].split()[0])
    code, out = invoke("notifications", "list", "-c", config, "--partner", str(partner))
    assert code == 0 and all(f"contact {partner} " in line for line in out.splitlines())

    assert invoke("notifications", "opt-out", "-c", config, str(partner), "--note", "asked") == (
        0,
        f"contact {partner} gets no more reminders\n",
    )
    assert invoke("notifications", "opt-out", "-c", config, str(partner))[1] == (
        f"contact {partner} had already opted out\n"
    )
    assert invoke("notifications", "opt-in", "-c", config, str(partner))[1] == (
        f"contact {partner} gets reminders again\n"
    )
    assert invoke("notifications", "opt-in", "-c", config, str(partner))[1] == (
        f"contact {partner} had not opted out\n"
    )


def test_a_bad_partner_id_is_a_usage_error(tmp_path: Path, emu: OdooEmulator) -> None:
    write_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}", SERVER + CONFIG)
    code, out = invoke("notifications", "opt-out", "-c", str(tmp_path / "config.yaml"), "x")
    assert code == 2 and "Traceback" not in out and "'x' is not a valid integer" in out
