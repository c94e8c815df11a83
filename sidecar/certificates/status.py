"""What a certificate's status is on a given day: one rule for the verify site, the CLI and the
JSON twin, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

State = Literal["valid", "revoked", "expired", "superseded"]


class _Certificate(Protocol):
    revoked_at: datetime | None
    revoked_reason: str | None
    superseded_at: datetime | None
    expires_on: date | None


@dataclass(frozen=True)
class Status:
    state: State
    since: date | None = None  # revoked, superseded or expired on
    reason: str | None = None  # revocation reason
    hidden: bool = False  # the holder hid the page's details (it says less, whatever the state)

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


def certificate_status(cert: _Certificate, today: date) -> Status:
    """Revoked beats superseded beats expired: a revoked certificate must never read as merely
    replaced or out of date. A certificate expires at the end of its `expires_on` day."""
    hidden = getattr(cert, "hidden_at", None) is not None
    if cert.revoked_at is not None:
        return Status("revoked", cert.revoked_at.date(), cert.revoked_reason or None, hidden)
    if cert.superseded_at is not None:
        return Status("superseded", cert.superseded_at.date(), hidden=hidden)
    if cert.expires_on is not None and today > cert.expires_on:
        return Status("expired", cert.expires_on, hidden=hidden)
    return Status("valid", hidden=hidden)
