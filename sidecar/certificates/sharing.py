"""Links a holder shares a certificate with: LinkedIn's "Add to profile" form, filled in, and
their own link (with their token). One rule for the verify page, the cockpit and the
certificate e-mail, so all offer the same entries."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from urllib.parse import urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


class _Shared(Protocol):  # read-only, as a frozen dataclass's fields are
    @property
    def serial(self) -> str: ...
    @property
    def program_name(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def issue_date(self) -> date: ...
    @property
    def expires_on(self) -> date | None: ...


def holder_link(page: str, token: str) -> str:
    """The holder's own address of `page` (the certificate page or its privacy page): with
    their token it shows the details even while they are hidden (docs/credentials.md)."""
    return f"{page}?t={token}"


def linkedin_add_url(cert: _Shared, page: str) -> str:
    """LinkedIn's "Add to profile" address for a certification: its name, the organization,
    the issue (and expiry) month, the credential id and the page that proves it (`page`, the
    address the QR code holds). LinkedIn opens the form filled in; nothing is sent until the
    holder saves it there."""
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
    fields["certUrl"] = page
    fields["certId"] = cert.serial
    return f"{LINKEDIN_ADD}?{urlencode(fields)}"
