"""Certificates from the operator's seat: issue, list, show, revoke, re-issue, verify-pdf — and
what the public page says after each (Flask's test client on the same store)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader

from sidecar.certificates.document import CertificateFields
from sidecar.certificates.pdf import EMBEDDED_NAME, PdfStyle, render_certificate
from sidecar.certificates.signing import (
    SignedPayload,
    Signer,
    canonical_json,
    generate_key,
    load_public_keys,
)
from sidecar.certificates.verify_pdf import verify_pdf
from sidecar.cli import main
from sidecar.cli.demo.runner import simulate_completions, write_demo_config
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from tests.certificates.conftest import STYLE, make_fields
from tests.config.samples import MINIMAL
from tests.jobs.syncing import client_for
from verify_site.app import create_app


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path, emu: OdooEmulator) -> str:
    path = write_demo_config(tmp_path, emu.url, emu.db)
    cfg = load_config(path)
    assert invoke("sync", "-c", str(path))[0] == 0
    with client_for(emu) as client:
        simulate_completions(client, "junior-developers", cfg, count=1)
    assert invoke("sync", "-c", str(path))[0] == 0
    return str(path)


def page(config: str, serial: str) -> str:
    app = create_app(load_config(Path(config)))
    response = app.test_client().get(f"/c/{serial}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def forged_copy(pdf: bytes, **changes: object) -> bytes:
    """The same certificate with changed fields, carrying the original signature."""
    envelope = json.loads(PdfReader(io.BytesIO(pdf)).attachments[EMBEDDED_NAME][0])
    fields = replace(CertificateFields.from_payload(json.loads(envelope["payload"])), **changes)
    forged = SignedPayload(
        canonical_json(fields.to_payload()), envelope["signature"], envelope["kid"]
    )
    return render_certificate(fields, forged, PdfStyle("Certificate", "Well done", fields.issuer))


def test_issue_needs_a_signing_key_and_says_how_to_make_one(config: str) -> None:
    code, out, err = invoke("issue", "-c", config)
    assert code == 1
    assert "keys generate" in err and "Traceback" not in out + err


def test_issue_dry_run_shows_the_certificate_and_its_writes_and_keeps_nothing(config: str) -> None:
    code, out, err = invoke("issue", "-c", config, "--dry-run")
    assert code == 0, err
    assert "Dry run: would issue a certificate to " in out
    assert "would write to Odoo: " in out and "ir.attachment.create" in out
    assert "none made" in out
    assert not load_config(Path(config)).certificates.output_dir.exists()
    code, out, _ = invoke("cert", "list", "-c", config, "--json")
    assert code == 0 and json.loads(out) == []


def test_issue_revoke_reissue_and_verify(config: str, tmp_path: Path, emu: OdooEmulator) -> None:
    assert invoke("keys", "generate", "-c", config)[0] == 0
    code, out, err = invoke("issue", "-c", config)
    assert code == 0, err
    assert "1 certificate(s) issued" in out

    code, out, _ = invoke("cert", "list", "-c", config, "--json")
    (cert,) = json.loads(out)
    serial = cert["serial"]
    assert cert["status"]["state"] == "valid" and cert["delivered"]
    assert "valid" in page(config, serial).lower()

    pdf = load_config(Path(config)).certificates.output_dir / cert["pdf"]
    code, out, _ = invoke("verify-pdf", "-c", config, "--json", str(pdf))
    checked = json.loads(out)
    assert code == 0 and checked["ok"]
    # What a phone camera reads off the page leads to the page that says "valid".
    qr_path = urlsplit(checked["qr_url"]).path
    assert qr_path == f"/c/{serial}"
    assert "Valid certificate" in page(config, qr_path.removeprefix("/c/"))
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(forged_copy(pdf.read_bytes(), participant="Somebody Else"))
    code, out, _ = invoke("verify-pdf", "-c", config, str(tampered))
    assert code == 1 and "NOT VALID" in out

    code, out, _ = invoke("cert", "revoke", "-c", config, serial, "--reason", "issued in error")
    assert code == 0
    html = page(config, serial)
    assert "revoked" in html.lower() and "issued in error" in html
    code, out, _ = invoke("cert", "show", "-c", config, serial, "--json")
    assert json.loads(out)["status"]["reason"] == "issued in error"

    code, out, err = invoke("cert", "reissue", "-c", config, serial)
    assert code == 0, err
    code, out, _ = invoke("cert", "list", "-c", config, "--json")
    states = {c["serial"]: c["status"]["state"] for c in json.loads(out)}
    assert states[serial] == "revoked"  # revocation outranks supersession
    (new,) = [s for s in states if s != serial]
    assert states[new] == "valid"

    assert invoke("issue", "-c", config)[1].startswith("0 certificate(s) issued")
    # The revocation reached the contact's chatter in Odoo once (delivered by reissue's delivery).
    notes = emu.env.search_read(
        "mail.message", [("body", "ilike", serial), ("body", "ilike", "was revoked")], []
    )
    assert len(notes) == 1 and "issued in error" in notes[0]["body"]
    code, out, _ = invoke("status", "-c", config)
    assert "Certificates: 2 issued, 2 delivered, 1 revoked, 1 re-issued" in out
    assert "Odoo writes: 0 waiting, 0 failed" in out


@pytest.mark.parametrize(
    ("serial", "says"),
    [("not-a-serial", "is not a certificate serial"), ("0000-0000-0000-0000-0", "")],
)
def test_bad_serials_are_one_line_and_exit_2(config: str, serial: str, says: str) -> None:
    code, _, err = invoke("cert", "show", "-c", config, serial)
    assert code == 2
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


def test_verify_pdf_of_garbage_is_not_valid(config: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"hello")
    code, out, _ = invoke("verify-pdf", "-c", config, str(junk))
    assert code == 1 and "NOT VALID" in out
    code, _, err = invoke("verify-pdf", "-c", config, str(tmp_path / "missing.pdf"))
    assert code == 2 and "cannot read" in err


# verify-pdf without the Odoo emulator: a key, a PDF it signed, and configs that know the key,
# another key, or none at all.


def keyed_config(folder: Path, *, key: bool = True) -> Path:
    """A config in `folder` whose certificates.signing_key is `folder/keys/signing.key`."""
    folder.mkdir(parents=True, exist_ok=True)
    if key:
        generate_key(folder / "keys" / "signing.key")
    path = folder / "config.yaml"
    data = {**MINIMAL, "certificates": {"signing_key": "keys/signing.key"}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def issuer(tmp_path: Path) -> Path:
    return keyed_config(tmp_path / "issuer")


def signed_pdf(config: Path, where: Path, **changes: object) -> Path:
    fields = make_fields(**changes)
    signer = Signer.load(config.parent / "keys" / "signing.key")
    where.write_bytes(render_certificate(fields, signer.sign(fields.to_payload()), STYLE))
    return where


@pytest.fixture
def no_config_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder without config.yaml and no OJT_SIDECAR_CONFIG: no keys are known."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("OJT_SIDECAR_CONFIG", raising=False)
    return folder


def test_verify_pdf_without_keys_says_unchecked_not_forged_and_how_to_check(
    issuer: Path, tmp_path: Path, no_config_here: Path
) -> None:
    pdf = signed_pdf(issuer, tmp_path / "genuine.pdf")
    code, out, err = invoke("verify-pdf", str(pdf))
    assert code == 1 and err == ""
    assert "NOT VALID" not in out and "not among the known keys" not in out
    assert "problem:" not in out
    assert (
        "  signature: not checked — no public keys known; "
        "pass -c config.yaml (the config whose certificates.signing_key signed it) or --keys "
        "keys.json (the issuer's https://…/.well-known/ojt-sidecar/keys.json, saved)\n"
    ) in out
    assert out.endswith(
        f"{pdf}: could not be verified — payload, serial, QR code and page agree, "
        "but the signature was not checked\n"
    )

    code, out, _ = invoke("verify-pdf", "--json", str(pdf))
    checked = json.loads(out)
    assert code == 1
    assert checked["ok"] is False and checked["problems"] == []
    assert checked["verdict"] == "could not be verified"
    assert checked["signature"] == "unchecked"
    assert "pass -c config.yaml" in checked["hint"]

    code, out, _ = invoke("verify-pdf", "-c", str(issuer), str(pdf))
    assert code == 0 and out.endswith(f"{pdf}: VALID signature, payload and QR agree\n")
    assert "signature: not checked" not in out


def test_verify_pdf_with_a_config_whose_key_file_is_missing_names_where_it_looked(
    issuer: Path, tmp_path: Path
) -> None:
    pdf = signed_pdf(issuer, tmp_path / "genuine.pdf")
    keyless = keyed_config(tmp_path / "keyless", key=False)
    code, out, _ = invoke("verify-pdf", "-c", str(keyless), str(pdf))
    where = keyless.parent / "keys" / "signing.key.public.json"
    assert code == 1 and "NOT VALID" not in out
    assert f"  signature: not checked — no public keys at {where}; pass -c config.yaml" in out
    assert "could not be verified" in out


def test_verify_pdf_with_keys_known_but_not_the_signers_stays_not_valid(
    issuer: Path, tmp_path: Path
) -> None:
    pdf = signed_pdf(issuer, tmp_path / "genuine.pdf")
    other = keyed_config(tmp_path / "other")
    code, out, _ = invoke("verify-pdf", "-c", str(other), str(pdf))
    assert code == 1 and out.endswith(f"{pdf}: NOT VALID\n")
    assert "which is not among the known keys" in out
    assert "  hint: only the keys at " in out and "could not be verified" not in out
    code, out, _ = invoke("verify-pdf", "-c", str(other), "--json", str(pdf))
    checked = json.loads(out)
    assert checked["verdict"] == "not valid" and checked["signature"] == "unknown_key"


def test_verify_pdf_without_keys_still_calls_a_visibly_broken_certificate_not_valid(
    issuer: Path, tmp_path: Path, no_config_here: Path
) -> None:
    pdf = signed_pdf(issuer, tmp_path / "elsewhere.pdf", verify_url="https://evil.example/x")
    code, out, _ = invoke("verify-pdf", str(pdf))
    assert code == 1 and out.endswith(f"{pdf}: NOT VALID\n")
    assert "problem: The verification address does not end with /c/" in out
    assert "signature: not checked" in out  # still says why the signature was not checked
    # The library: no keys is no problem of the PDF, but not "ok" either.
    genuine = signed_pdf(issuer, tmp_path / "genuine.pdf").read_bytes()
    result = verify_pdf(genuine, [])
    assert result.problems == [] and result.signature == "unchecked"
    assert not result.ok and result.unverified


def test_verify_pdf_trusts_the_keys_a_verify_site_publishes(
    issuer: Path, tmp_path: Path, no_config_here: Path
) -> None:
    pdf = signed_pdf(issuer, tmp_path / "genuine.pdf")
    published = {"keys": load_public_keys(issuer.parent / "keys" / "signing.key")}
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(published), encoding="utf-8")
    code, out, _ = invoke("verify-pdf", "--keys", str(keys), str(pdf))
    assert code == 0 and out.endswith(f"{pdf}: VALID signature, payload and QR agree\n")

    other = keyed_config(tmp_path / "other")
    published = {"keys": load_public_keys(other.parent / "keys" / "signing.key")}
    keys.write_text(json.dumps(published), encoding="utf-8")
    code, out, _ = invoke("verify-pdf", "--keys", str(keys), str(pdf))
    assert code == 1 and out.endswith(f"{pdf}: NOT VALID\n")
    assert f"  hint: only the keys at {keys} were known" in out


def test_verify_pdf_keys_given_two_ways_or_unreadable_is_one_plain_error(
    issuer: Path, tmp_path: Path, no_config_here: Path
) -> None:
    pdf = signed_pdf(issuer, tmp_path / "genuine.pdf")
    keys = tmp_path / "keys.json"
    keys.write_text("<html>not keys</html>", encoding="utf-8")
    code, _, err = invoke("verify-pdf", "--keys", str(keys), "-c", str(issuer), str(pdf))
    assert code == 2 and "-c and --keys exclude each other" in err
    code, _, err = invoke("verify-pdf", "--keys", str(keys), str(pdf))
    assert code == 1 and err == f"error: the public keys at {keys} are not valid JSON.\n"
