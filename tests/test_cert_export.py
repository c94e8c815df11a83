"""`ojt-sidecar cert export`: a program's certificates as one ZIP with a manifest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from sidecar.cli.demo.runner import simulate_completions, write_demo_config
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from tests.jobs.syncing import client_for
from tests.test_cert_cli import invoke

PROGRAM = "junior-developers"


@pytest.fixture
def issued(tmp_path: Path, emu: OdooEmulator) -> str:
    """A config whose store holds three certificates of the demo's program."""
    path = write_demo_config(tmp_path, emu.url, emu.db)
    assert invoke("sync", "-c", str(path))[0] == 0
    with client_for(emu) as client:
        simulate_completions(client, PROGRAM, load_config(path), count=3)
    assert invoke("sync", "-c", str(path))[0] == 0
    assert invoke("keys", "generate", "-c", str(path))[0] == 0
    code, out, err = invoke("issue", "-c", str(path))
    assert code == 0 and "3 certificate(s) issued" in out, err
    return str(path)


def certificates(config: str) -> list[dict[str, object]]:
    code, out, _ = invoke("cert", "list", "-c", config, "--json")
    assert code == 0
    found: list[dict[str, object]] = json.loads(out)
    return found


def manifest(bundle: zipfile.ZipFile) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode("utf-8"))))


def test_export_holds_each_pdf_as_issued_and_a_manifest_row(issued: str, tmp_path: Path) -> None:
    target = tmp_path / "out" / "bundle.zip"
    target.parent.mkdir()
    code, out, err = invoke(
        "cert", "export", "-c", issued, "--program", PROGRAM, "--zip", str(target)
    )
    assert code == 0, err
    assert "3 certificate(s) in the manifest, 6 file(s)" in out  # each PDF and credential
    output_dir = load_config(Path(issued)).certificates.output_dir
    with zipfile.ZipFile(target) as bundle:
        rows = {r["serial"]: r for r in manifest(bundle)}
        assert set(rows) == {c["serial"] for c in certificates(issued)}
        for cert in certificates(issued):
            row = rows[str(cert["serial"])]
            assert row["status"] == "valid" and row["participant"] == cert["participant"]
            data = bundle.read(row["pdf"])
            assert data == (output_dir / str(cert["pdf"])).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row["pdf_sha256"]
            assert row["pdf"].endswith(f" - {cert['serial']}.pdf")
            # The Open Badges credential, as signed at issue and embedded in the PDF.
            credential = bundle.read(row["credential"])
            embedded = PdfReader(io.BytesIO(data)).attachments["ojt-credential.json"][0]
            assert credential == embedded
            assert "OpenBadgeCredential" in json.loads(credential)["type"]
    assert not list(target.parent.glob(".bundle.zip.*"))  # no temporary file left behind


def test_a_revoked_certificate_is_listed_without_its_files_and_superseded_ones_left_out(
    issued: str, tmp_path: Path
) -> None:
    first, second, _ = (str(c["serial"]) for c in certificates(issued))
    assert invoke("cert", "revoke", "-c", issued, first, "--reason", "wrong person")[0] == 0
    assert invoke("cert", "reissue", "-c", issued, second)[0] == 0
    target = tmp_path / "bundle.zip"
    code, _, err = invoke(
        "cert", "export", "-c", issued, "--program", PROGRAM, "--zip", str(target)
    )
    assert code == 0, err
    with zipfile.ZipFile(target) as bundle:
        rows = {r["serial"]: r for r in manifest(bundle)}
        names = bundle.namelist()
    assert rows[first]["status"] == "revoked" and rows[first]["pdf"] == ""
    assert not any(first in name for name in names)
    assert second not in rows and len(rows) == 3  # the re-issued one stands for it


def test_a_damaged_pdf_is_named_left_out_and_exits_1(issued: str, tmp_path: Path) -> None:
    cert = certificates(issued)[0]
    pdf = load_config(Path(issued)).certificates.output_dir / str(cert["pdf"])
    pdf.write_bytes(pdf.read_bytes() + b"%")
    target = tmp_path / "bundle.zip"
    code, out, err = invoke(
        "cert", "export", "-c", issued, "--program", PROGRAM, "--zip", str(target)
    )
    assert code == 1
    assert f"warning: {cert['serial']}: its PDF" in err and "not the one that was issued" in err
    assert "Traceback" not in out + err
    with zipfile.ZipFile(target) as bundle:
        assert len([n for n in bundle.namelist() if n.endswith(".pdf")]) == 2
        assert "not the one that was issued" in bundle.read("problems.txt").decode()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--program", "nope"], "no program has the key or name 'nope'"),
        (["--program", PROGRAM, "--batch", "nope"], "has no batch with the key 'nope'"),
    ],
)
def test_unknown_program_or_batch_is_one_sentence_and_exit_2(
    issued: str, tmp_path: Path, args: list[str], says: str
) -> None:
    target = tmp_path / "bundle.zip"
    code, out, err = invoke("cert", "export", "-c", issued, *args, "--zip", str(target))
    assert code == 2 and says in err and "Traceback" not in out + err
    assert not target.exists()


def test_a_zip_in_a_missing_folder_is_refused(issued: str, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "bundle.zip"
    code, _, err = invoke(
        "cert", "export", "-c", issued, "--program", PROGRAM, "--zip", str(target)
    )
    assert code == 2 and "does not exist" in err


def test_cert_renew_makes_a_new_serial_and_refuses_a_revoked_one(issued: str) -> None:
    first, second, _ = (str(c["serial"]) for c in certificates(issued))
    code, out, err = invoke("cert", "renew", "-c", issued, first)
    assert code == 0, err
    assert out.startswith(f"renewed {first} as ")
    states = {str(c["serial"]): c["status"]["state"] for c in certificates(issued)}  # type: ignore[index]
    assert states[first] == "superseded" and list(states.values()).count("valid") == 3
    assert invoke("cert", "revoke", "-c", issued, second, "--reason", "fraud")[0] == 0
    code, out, err = invoke("cert", "renew", "-c", issued, second)
    assert code == 1 and "is revoked, and a revoked certificate is not renewed" in err
    assert "Traceback" not in out + err


def test_a_name_corrected_in_odoo_reaches_the_reissued_certificate_and_history_stays(
    issued: str, emu: OdooEmulator
) -> None:
    from tests.test_cert_cli import page

    cert = certificates(issued)[0]
    old = str(cert["serial"])
    partner = emu.env.search_read("res.partner", [("name", "=", cert["participant"])], ["id"])
    emu.env.write("res.partner", [partner[0]["id"]], {"name": "Zoë Ångström-Núñez"})
    code, out, err = invoke("cert", "reissue", "-c", issued, old)
    assert code == 0, err
    (new,) = [c for c in certificates(issued) if c["participant"] == "Zoë Ångström-Núñez"]
    assert out.startswith(f"re-issued {old} as {new['serial']} for Zoë Ångström-Núñez")
    history = page(issued, old)
    assert "superseded" in history.lower() and f"/c/{new['serial']}" in history
    assert str(cert["participant"]) in history  # the old page still names who it was issued to
