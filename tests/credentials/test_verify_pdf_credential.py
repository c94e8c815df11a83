"""`verify-pdf` checks the Open Badges credential a PDF carries: its proof under the known keys,
and that it names the same certificate and holder as the signed payload. A PDF with the genuine
payload but a doctored credential is not valid."""

from __future__ import annotations

import json
from typing import Any

from sidecar.certificates.document import CertificateFields
from sidecar.certificates.pdf import PdfStyle, render_certificate
from sidecar.certificates.signing import SignedPayload, load_public_keys
from sidecar.certificates.verify_pdf import verify_pdf
from sidecar.store.models import Certificate
from tests.credentials.conftest import World


def rebuilt(world: World, cert: Certificate, credential: bytes | None) -> bytes:
    """The certificate's PDF drawn again with its genuine signed payload and `credential`."""
    fields = CertificateFields.from_payload(json.loads(cert.payload))
    signed = SignedPayload(cert.payload.encode("utf-8"), cert.signature, cert.key_id)
    return render_certificate(fields, signed, PdfStyle("Certificate", "", "Test"), credential)


def test_a_genuine_credential_is_checked_and_a_doctored_one_fails(world: World) -> None:
    cert = world.issue("Jane Doe")
    keys = load_public_keys(world.cfg.certificates.signing_key)
    issued = (world.cfg.certificates.output_dir / cert.pdf_path).read_bytes()
    result = verify_pdf(issued, keys)
    assert result.ok and result.credential == "valid", result.problems

    credential: dict[str, Any] = world.credential(cert)

    def with_change(path: tuple[str, ...], value: Any) -> bytes:
        doctored = json.loads(json.dumps(credential))
        target = doctored
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return json.dumps(doctored).encode()

    cases = {
        "a later expiry": (("validUntil",), "2099-12-31T23:59:59Z"),
        "another holder": (("credentialSubject", "name"), "John Roe"),
        "another certificate": (("id",), "https://verify.example.org/c/0000-0000-0000-0000-0"),
    }
    for what, (path, value) in cases.items():
        result = verify_pdf(rebuilt(world, cert, with_change(path, value)), keys)
        assert not result.ok and result.credential == "invalid", what
        assert any("credential" in problem for problem in result.problems), what

    garbage = verify_pdf(rebuilt(world, cert, b"\xff not json"), keys)
    assert not garbage.ok and "is not a JSON credential" in " ".join(garbage.problems)
    # Without any key the proof cannot be checked: unchecked, as the payload's signature is.
    assert verify_pdf(issued, []).credential == "unchecked"


def test_a_pdf_from_before_credentials_still_verifies(world: World) -> None:
    cert = world.issue("Jane Doe")
    keys = load_public_keys(world.cfg.certificates.signing_key)
    result = verify_pdf(rebuilt(world, cert, None), keys)
    assert result.ok and result.credential == "absent", result.problems
