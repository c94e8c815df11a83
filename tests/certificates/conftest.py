"""A signing key, certificate fields and a style for the certificate tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sidecar.certificates.document import CertificateFields
from sidecar.certificates.pdf import PdfStyle, render_certificate
from sidecar.certificates.serial import new_serial
from sidecar.certificates.signing import Signer, generate_key, load_public_keys


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "signing.key"
    generate_key(path)
    return path


@pytest.fixture
def signer(key_file: Path) -> Signer:
    return Signer.load(key_file)


@pytest.fixture
def public_keys(key_file: Path) -> list[dict[str, Any]]:
    return load_public_keys(key_file)


def make_fields(**changes: Any) -> CertificateFields:
    serial = changes.pop("serial", None) or new_serial()
    fields = CertificateFields(
        serial=serial,
        participant="Maria Fernanda Oliveira",
        program="Warehouse Safety & Forklift Operation",
        program_key="wh-safety",
        batch="Spring 2024 cohort",
        issue_date=date(2024, 5, 31),
        expires_on=date(2026, 5, 31),
        total_assignments=12,
        average_score=87.5,
        issuer="Acme Logistics Training Centre",
        verify_url=f"https://certs.example.org/c/{serial}",
    )
    return dataclasses.replace(fields, **changes)


STYLE = PdfStyle(
    title="Certificate of Completion",
    message="Congratulations on completing your on-the-job training.",
    issuer_name="Acme Logistics",
)


@pytest.fixture
def render(signer: Signer) -> Callable[..., bytes]:
    def render(fields: CertificateFields | None = None, style: PdfStyle = STYLE) -> bytes:
        fields = fields or make_fields()
        return render_certificate(fields, signer.sign(fields.to_payload()), style)

    return render
