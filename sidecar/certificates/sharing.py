"""Links a holder shares a certificate with: LinkedIn's "Add to profile" form, filled in. One
rule for the verify page and the cockpit, so both offer the same entry."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from urllib.parse import urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


class _Shared(Protocol):
    serial: str
    program_name: str
    issuer: str
    issue_date: date
    expires_on: date | None
    verify_url: str


def linkedin_add_url(cert: _Shared) -> str:
    """LinkedIn's "Add to profile" address for a certification: its name, the organization,
    the issue (and expiry) month, the credential id and the page that proves it. LinkedIn opens
    the form filled in; nothing is sent until the holder saves it there."""
    fields: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": cert.program_name,
        "organizationName": cert.issuer,
        "issueYear": cert.issue_date.year,
        "issueMonth": cert.issue_date.month,
    }
    if cert.expires_on is not None:
        fields["expirationYear"] = cert.expires_on.year
        fields["expirationMonth"] = cert.expires_on.month
    fields["certUrl"] = cert.verify_url
    fields["certId"] = cert.serial
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"
