"""LinkedIn's "Add to profile" link carries what the certificate says, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

from sidecar.certificates.sharing import linkedin_add_url


@dataclass
class Shared:
    serial: str = "ABCD-EFGH-JKMN-PQRS-T"
    program_name: str = "Junior Developers & Testers"
    issuer: str = "Acme Training, Inc."
    issue_date: date = date(2026, 6, 30)
    expires_on: date | None = date(2028, 1, 31)
    verify_url: str = "https://verify.example.com/c/ABCD-EFGH-JKMN-PQRS-T"


def fields(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = parse_qs(parts.query, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values())
    return {k: v[0] for k, v in query.items()}


def test_the_form_is_filled_with_the_certificates_name_issuer_months_id_and_page() -> None:
    assert fields(linkedin_add_url(Shared(), Shared().verify_url)) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Junior Developers & Testers",
        "organizationName": "Acme Training, Inc.",
        "issueYear": "2026",
        "issueMonth": "6",
        "expirationYear": "2028",
        "expirationMonth": "1",
        "certUrl": "https://verify.example.com/c/ABCD-EFGH-JKMN-PQRS-T",
        "certId": "ABCD-EFGH-JKMN-PQRS-T",
    }


def test_a_certificate_without_expiry_leaves_the_expiry_out() -> None:
    found = fields(linkedin_add_url(Shared(expires_on=None), Shared().verify_url))
    assert "expirationYear" not in found and "expirationMonth" not in found
