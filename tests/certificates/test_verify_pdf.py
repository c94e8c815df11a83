import dataclasses
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen.canvas import Canvas

from sidecar.certificates.pdf import render_certificate
from sidecar.certificates.signing import (
    SignedPayload,
    Signer,
    canonical_json,
    generate_key,
    load_public_keys,
)
from sidecar.certificates.verify_pdf import verify_pdf
from tests.certificates.conftest import STYLE, make_fields

Render = Callable[..., bytes]
Keys = list[dict[str, Any]]


def test_a_good_pdf_verifies(render: Render, public_keys: Keys, signer: Signer) -> None:
    fields = make_fields()
    result = verify_pdf(render(fields), public_keys)
    assert result.problems == []
    assert result.ok
    assert result.fields == fields
    assert result.kid == signer.kid
    assert result.qr_url == fields.verify_url


def test_unusual_names_verify(render: Render, public_keys: Keys) -> None:
    for name in ["<b>Bob</b> & Co", "Zoë Łukasz Δημήτρης", "王小明 Wang", "A" * 70]:
        result = verify_pdf(render(make_fields(participant=name)), public_keys)
        assert result.ok, (name, result.problems)


def test_a_changed_embedded_payload_fails(signer: Signer, public_keys: Keys) -> None:
    fields = make_fields()
    signed = signer.sign(fields.to_payload())
    forged = make_fields(serial=fields.serial, average_score=99.0)
    tampered = SignedPayload(canonical_json(forged.to_payload()), signed.signature, signed.kid)
    result = verify_pdf(render_certificate(forged, tampered, STYLE), public_keys)
    assert not result.ok
    assert any("signature does not match" in p for p in result.problems)


def test_an_unknown_key_fails(tmp_path: Path, public_keys: Keys) -> None:
    other = tmp_path / "other.key"
    kid = generate_key(other)
    fields = make_fields()
    data = render_certificate(fields, Signer.load(other).sign(fields.to_payload()), STYLE)
    result = verify_pdf(data, public_keys)
    assert not result.ok
    assert result.problems == [
        f"The certificate is signed with key {kid}, which is not among the known keys."
    ]


def test_after_rotation_an_old_pdf_still_verifies(key_file: Path, render: Render) -> None:
    data = render()
    generate_key(key_file, rotate=True)
    assert verify_pdf(data, load_public_keys(key_file)).ok


def test_a_page_that_shows_another_name_fails(signer: Signer, public_keys: Keys) -> None:
    fields = make_fields()
    shown = dataclasses.replace(fields, participant="Somebody Else")
    data = render_certificate(shown, signer.sign(fields.to_payload()), STYLE)
    result = verify_pdf(data, public_keys)
    assert not result.ok
    assert any("participant name" in p for p in result.problems)


def test_a_qr_code_to_elsewhere_fails(signer: Signer, public_keys: Keys) -> None:
    fields = make_fields()
    shown = dataclasses.replace(fields, verify_url="https://evil.example/c/" + fields.serial)
    data = render_certificate(shown, signer.sign(fields.to_payload()), STYLE)
    result = verify_pdf(data, public_keys)
    assert not result.ok
    assert any("QR code points to https://evil.example" in p for p in result.problems)


def test_a_bad_serial_check_fails(signer: Signer, public_keys: Keys) -> None:
    good = make_fields().serial
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    fields = make_fields(serial=bad)
    result = verify_pdf(
        render_certificate(fields, signer.sign(fields.to_payload()), STYLE), public_keys
    )
    assert any("check fails" in p for p in result.problems)


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"%PDF-1.7\n garbage", b"%PDF-" + bytes(range(256)) * 40, b"\x00" * 100],
)
def test_garbage_is_not_a_pdf(data: bytes, public_keys: Keys) -> None:
    result = verify_pdf(data, public_keys)
    assert not result.ok
    assert result.problems and "PDF" in result.problems[0]


def test_a_truncated_pdf_fails(render: Render, public_keys: Keys) -> None:
    data = render()
    for cut in (len(data) // 4, len(data) // 2, len(data) - 40):
        assert not verify_pdf(data[:cut], public_keys).ok


def test_a_pdf_without_the_attachment_fails(public_keys: Keys) -> None:
    buf = io.BytesIO()
    c = Canvas(buf)
    c.drawString(100, 100, "Hello")
    c.save()
    result = verify_pdf(buf.getvalue(), public_keys)
    assert not result.ok
    assert any("carries no signed certificate data" in p for p in result.problems)
