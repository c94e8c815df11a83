"""`ojt-sidecar check` against every emulated Odoo version: it names the version and the
transport, says in one sentence what the version does differently where the config uses it, and
fails only for what blocks the configured programs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecar.certificates.signing import generate_key
from sidecar.cli import main
from sidecar.emulator import OdooEmulator
from tests.jobs.enrolling import CONFIG


def check(tmp_path: Path, version: str, transport: str | None) -> tuple[int, str]:
    """`check` on a config for that emulator: XML-RPC with the password, JSON-2 (or the default,
    auto, when `transport` is None) with an API key."""
    with OdooEmulator(version=version) as emu:
        text = CONFIG.format(url=emu.url, db=emu.db, store=f"sqlite:///{tmp_path / 's.db'}")
        if transport != "xmlrpc":
            text = text.replace("password: admin", f"api_key: {emu.new_api_key()}")
        if transport is not None:
            text = text.replace(
                "  username: admin\n", f"  username: admin\n  transport: {transport}\n"
            )
        key = tmp_path / "signing.key"
        generate_key(key)
        text += f"certificates:\n  signing_key: {key}\n  output_dir: {tmp_path / 'certs'}\n"
        (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["check", "-c", str(tmp_path / "config.yaml")])
    return result.exit_code, result.stdout


@pytest.mark.parametrize(
    ("version", "transport", "spoken", "says", "warns"),
    [
        ("16.0", "xmlrpc", "xmlrpc", "derived from its completion, as Odoo 16 does", True),
        ("17.0", "xmlrpc", "xmlrpc", None, False),
        ("17.0", None, "xmlrpc", None, False),  # auto with a key: no JSON-2 before 19
        ("18.0", "xmlrpc", "xmlrpc", "contact on its candidate (hr.candidate)", False),
        ("19.0", "xmlrpc", "xmlrpc", "deprecates XML-RPC and JSON-RPC", True),
        ("19.0", "json2", "json2", None, False),
        ("20.0", None, "json2", None, False),
    ],
)
def test_check_names_the_version_transport_and_gaps(
    tmp_path: Path,
    version: str,
    transport: str | None,
    spoken: str,
    says: str | None,
    warns: bool,
) -> None:
    code, out = check(tmp_path, version, transport)
    assert code == 0, out
    assert f"OK    Odoo {version} at http://127.0.0.1:" in out
    assert f") over {spoken}" in out
    if says is not None:
        assert says in out
    assert ("WARN" in out) is warns, out
    assert "FAIL" not in out and "Traceback" not in out


@pytest.mark.parametrize(("days", "warned"), [(5, True), (60, False)])
def test_check_warns_of_an_api_key_that_expires_within_14_days(
    tmp_path: Path, days: int, warned: bool
) -> None:
    with OdooEmulator(version="19.0") as emu:
        expires = emu.clock() + timedelta(days=days)
        emu.new_api_key(name="sidecar key", expiration=expires)
        text = CONFIG.format(url=emu.url, db=emu.db, store=f"sqlite:///{tmp_path / 's.db'}")
        text = text.replace("password: admin", "api_key: ${KEY}")
        (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
        key = emu.new_api_key(name="other key", expiration=emu.clock() + timedelta(days=80))
        result = CliRunner().invoke(
            main, ["check", "-c", str(tmp_path / "config.yaml")], env={"KEY": key}
        )
    line = f"WARN  the API key 'sidecar key' of admin expires on {expires:%Y-%m-%d %H:%M} UTC"
    assert (line in result.stdout) is warned, result.stdout
    assert "'other key'" not in result.stdout
