"""The JSON twin, the PDF and the public keys."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flask.testing import FlaskClient

from sidecar.certificates.serial import new_serial
from sidecar.certificates.signing import load_public_keys, verify_signature
from tests.verify_site.conftest import PDF_BYTES, AddCert, MakeApp, at


def test_json_twin_carries_the_signed_payload_and_status(
    client: FlaskClient, add_cert: AddCert
) -> None:
    cert = add_cert()
    response = client.get(f"/c/{cert.serial}.page.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["serial"] == cert.serial
    assert body["status"] == {"state": "valid", "since": None, "reason": None}
    assert body["payload"] == cert.payload
    assert body["payload_parsed"] == json.loads(cert.payload)
    assert body["signature"] == cert.signature
    assert body["key_id"] == cert.key_id
    assert body["pdf_url"] == f"/c/{cert.serial}.pdf"
    assert body["certificate"]["participant"] == "Jane Doe"
    assert body["certificate"]["issue_date"] == "2025-03-14"
    assert body["certificate"]["average_score"] == 87.5


def test_json_twin_signature_verifies_with_the_published_key(
    client: FlaskClient, add_cert: AddCert, signing_key: Path
) -> None:
    cert = add_cert()
    body = client.get(f"/c/{cert.serial}.page.json").get_json()
    keys = client.get("/.well-known/ojt-sidecar/keys.json").get_json()["keys"]
    assert verify_signature(
        body["payload"].encode("utf-8"), body["signature"], keys, body["key_id"]
    )


def test_json_twin_of_a_revoked_certificate(
    client: FlaskClient, add_cert: AddCert, update_cert
) -> None:
    cert = add_cert()
    update_cert(cert, revoked_at=at(date(2025, 5, 2)), revoked_reason="Fraud")
    body = client.get(f"/c/{cert.serial}.page.json").get_json()
    assert body["status"] == {"state": "revoked", "since": "2025-05-02", "reason": "Fraud"}


def test_initials_mode_withholds_the_signed_payload_and_pdf(
    make_app: MakeApp, add_cert: AddCert
) -> None:
    cert = add_cert()
    client = make_app(name_display="initials").test_client()
    body = client.get(f"/c/{cert.serial}.page.json").get_json()
    assert body["certificate"]["participant"] == "J. D."
    assert body["payload"] is None and body["payload_parsed"] is None
    assert body["signature"] is None and body["pdf_url"] is None
    assert "withheld" in body
    pdf = client.get(f"/c/{cert.serial}.pdf")
    assert pdf.status_code == 404
    assert b"%PDF" not in pdf.data and b"Jane" not in pdf.data


def test_pdf_is_served_inline_with_its_serial_as_name(
    client: FlaskClient, add_cert: AddCert
) -> None:
    cert = add_cert()
    response = client.get(f"/c/{cert.serial}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == PDF_BYTES
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline")
    assert f"certificate-{cert.serial}.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_missing_pdf_file_is_a_404(client: FlaskClient, add_cert: AddCert) -> None:
    cert = add_cert(pdf=False)
    response = client.get(f"/c/{cert.serial}.pdf")
    assert response.status_code == 404
    assert "not available" in response.get_data(as_text=True)


def test_pdf_path_outside_the_output_folder_is_never_served(
    client: FlaskClient, add_cert: AddCert, update_cert, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF secret")
    for stored in ("../secret.pdf", str(secret), "../../../../etc/passwd"):
        cert = add_cert()
        update_cert(cert, pdf_path=stored)
        response = client.get(f"/c/{cert.serial}.pdf")
        assert response.status_code == 404, stored
        assert b"secret" not in response.data


def test_keys_json_lists_the_public_keys(client: FlaskClient, signing_key: Path) -> None:
    response = client.get("/.well-known/ojt-sidecar/keys.json")
    assert response.status_code == 200
    keys = response.get_json()["keys"]
    assert keys == load_public_keys(signing_key)
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"
    assert "d" not in keys[0]  # never the private half


def test_keys_json_without_a_key_file_is_an_empty_list(make_app: MakeApp, tmp_path: Path) -> None:
    client = make_app(signing_key=tmp_path / "none" / "signing.key").test_client()
    assert client.get("/.well-known/ojt-sidecar/keys.json").get_json() == {"keys": []}


def test_unknown_serial_json_is_a_json_404(client: FlaskClient) -> None:
    response = client.get(f"/c/{new_serial()}.json")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "Certificate not found"
