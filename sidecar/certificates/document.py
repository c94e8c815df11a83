"""What a certificate says, and its signed payload form.

The payload carries ``"v": 2`` and every field; dates are ISO strings, a missing average,
expiry or batch date stays ``null``. Format 1 (before a batch's dates were printed) has no
``batch_start`` and ``batch_end``; certificates in it still verify.

The key id is deliberately *not* inside the signed payload: it travels
beside the signature (in the PDF's embedded JSON and in the store). Putting it inside would add
nothing — an Ed25519 signature verifies only under the one key that made it, so a swapped kid
just fails verification — and keeping it out lets the same payload bytes be described
independently of which key signed them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sidecar.i18n import format_span as format_span  # where the certificate's texts take it

FORMAT_VERSION = 2
KNOWN_VERSIONS = (1, 2)

_TEXT_FIELDS = ("serial", "participant", "program", "program_key", "issuer", "verify_url")
_KEYS = frozenset(
    {
        "v",
        *_TEXT_FIELDS,
        "batch",
        "issue_date",
        "expires_on",
        "total_assignments",
        "average_score",
    }
)
_BATCH_DATES = ("batch_start", "batch_end")  # format 2


@dataclass(frozen=True)
class CertificateFields:
    serial: str
    participant: str
    program: str
    program_key: str
    batch: str | None
    issue_date: date
    expires_on: date | None
    total_assignments: int
    average_score: float | None
    issuer: str
    verify_url: str
    batch_start: date | None = None
    batch_end: date | None = None

    def to_payload(self) -> dict[str, Any]:
        """The dict that is signed (through `signing.canonical_json`)."""
        return {
            "v": FORMAT_VERSION,
            "serial": self.serial,
            "participant": self.participant,
            "program": self.program,
            "program_key": self.program_key,
            "batch": self.batch,
            "batch_start": self.batch_start.isoformat() if self.batch_start else None,
            "batch_end": self.batch_end.isoformat() if self.batch_end else None,
            "issue_date": self.issue_date.isoformat(),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "total_assignments": self.total_assignments,
            "average_score": self.average_score,
            "issuer": self.issuer,
            "verify_url": self.verify_url,
        }

    @classmethod
    def from_payload(cls, payload: Any) -> CertificateFields:
        """Validate a payload dict and build the fields; ValueError with a plain sentence on
        anything unexpected (missing or unknown keys, wrong types, bad dates)."""
        if not isinstance(payload, dict):
            raise ValueError("the certificate payload is not a JSON object.")
        version = payload.get("v")
        if isinstance(version, bool) or version not in KNOWN_VERSIONS:
            raise ValueError(
                "the certificate payload is not format version "
                + " or ".join(str(v) for v in KNOWN_VERSIONS)
                + "."
            )
        keys = _KEYS | (set(_BATCH_DATES) if version >= 2 else set())
        missing = sorted(keys - payload.keys())
        if missing:
            raise ValueError(f"the certificate payload lacks {', '.join(missing)}.")
        unknown = sorted(str(k) for k in payload.keys() - keys)
        if unknown:
            raise ValueError(f"the certificate payload has unknown keys: {', '.join(unknown)}.")
        for name in _TEXT_FIELDS:
            if not isinstance(payload[name], str) or not payload[name].strip():
                raise ValueError(f"the certificate's {name} is not a non-empty text.")
        batch = payload["batch"]
        if batch is not None and not isinstance(batch, str):
            raise ValueError("the certificate's batch is neither a text nor null.")
        total = payload["total_assignments"]
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ValueError("the certificate's total_assignments is not a whole number ≥ 0.")
        average = payload["average_score"]
        if average is not None and (
            isinstance(average, bool)
            or not isinstance(average, int | float)
            or not math.isfinite(average)
        ):
            raise ValueError("the certificate's average_score is neither a number nor null.")
        return cls(
            serial=payload["serial"],
            participant=payload["participant"],
            program=payload["program"],
            program_key=payload["program_key"],
            batch=batch,
            issue_date=_date(payload["issue_date"], "issue_date"),
            expires_on=(
                None
                if payload["expires_on"] is None
                else _date(payload["expires_on"], "expires_on")
            ),
            total_assignments=total,
            average_score=None if average is None else float(average),
            issuer=payload["issuer"],
            verify_url=payload["verify_url"],
            batch_start=_optional_date(payload.get("batch_start"), "batch_start"),
            batch_end=_optional_date(payload.get("batch_end"), "batch_end"),
        )


def _optional_date(value: Any, name: str) -> date | None:
    return None if value is None else _date(value, name)


def _date(value: Any, name: str) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"the certificate's {name} is not a date like 2024-05-31.")


def format_average(avg: float | None) -> str:
    """ "—" when there is no average, else e.g. "87.5 %" (one decimal at most)."""
    if avg is None:
        return "—"
    text = f"{avg:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text} %"
