"""A program's or a batch's certificates in one ZIP file: `ojt-sidecar cert export` and the
cockpit's download. It holds each current certificate's PDF, its Open Badges credential when it
has one (docs/credentials.md), and `manifest.csv`, one row per certificate with its status and
the files' names.

A revoked certificate is listed in the manifest and its files are left out, so a bulk download
never hands on a document that no longer holds. A superseded one is left out altogether: its
successor stands for it. A PDF that is missing or no longer matches the hash the store kept is a
problem the caller is told about, and `problems.txt` in the ZIP says it too (the others are
still written)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.certificates.status import certificate_status
from sidecar.store.models import Batch, Certificate, Program
from sidecar.store.reports.result import spreadsheet_safe

MANIFEST = "manifest.csv"
PROBLEMS = "problems.txt"
COLUMNS = (
    "serial",
    "participant",
    "program",
    "batch",
    "issue_date",
    "expires_on",
    "status",
    "verify_url",
    "pdf",
    "pdf_sha256",
    "credential",
)
# Characters no file system or unzip tool takes in a name, and runs of space.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')

# The credential's JSON for a certificate, or None when it has none (issued before credentials).
CredentialOf = Callable[[Certificate], bytes | None]


def stored_credential(cert: Certificate) -> bytes | None:
    """The Open Badges credential signed at issue (docs/credentials.md), as served and embedded."""
    return cert.credential.encode("utf-8") if cert.credential else None


class BundleProblem(ValueError):
    """What was asked names nothing: one sentence."""


@dataclass(frozen=True)
class BundleResult:
    certificates: int  # rows in the manifest
    files: int  # PDFs and credentials written
    problems: tuple[str, ...]  # files that could not be included, one sentence each


def certificates_of(session: Session, program: str, batch: str | None) -> list[Certificate]:
    """The current (not superseded) certificates of the program with this key or name, and of
    its batch with this key when one is given, oldest first."""
    found = session.scalar(select(Program).where(Program.key == program))
    if found is None:
        found = session.scalar(select(Program).where(Program.name == program))
    if found is None:
        raise BundleProblem(f"no program has the key or name {program[:100]!r}")
    chosen = None
    if batch is not None:
        chosen = session.scalar(
            select(Batch).where(Batch.program_id == found.id, Batch.key == batch)
        )
        if chosen is None:
            raise BundleProblem(f"program {found.key!r} has no batch with the key {batch[:100]!r}")
    return current_certificates(session, found.id, chosen.id if chosen else None)


def current_certificates(
    session: Session, program_id: int, batch_id: int | None
) -> list[Certificate]:
    """The program's (or its batch's) certificates that no re-issue replaced, oldest first."""
    query = select(Certificate).where(
        Certificate.program_id == program_id, Certificate.superseded_at.is_(None)
    )
    if batch_id is not None:
        query = query.where(Certificate.batch_id == batch_id)
    return list(session.scalars(query.order_by(Certificate.issued_at, Certificate.id)))


def write_bundle(
    out: IO[bytes],
    certificates: Sequence[Certificate],
    output_dir: Path,
    today: date,
    credential_of: CredentialOf = stored_credential,
) -> BundleResult:
    """Write the ZIP of `certificates` (PDFs read from `output_dir`) to `out`."""
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    files = 0
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for cert in certificates:
            status = certificate_status(cert, today).state
            row = _row(cert, status)
            if status != "revoked":
                stem = _unique(_stem(cert), used)
                pdf = _pdf_bytes(cert, output_dir, problems)
                if pdf is not None:
                    row["pdf"] = f"certificates/{stem}.pdf"
                    bundle.writestr(str(row["pdf"]), pdf)
                    files += 1
                credential = credential_of(cert)
                if credential is not None:
                    row["credential"] = f"credentials/{stem}.json"
                    bundle.writestr(str(row["credential"]), credential)
                    files += 1
            rows.append(row)
        bundle.writestr(MANIFEST, _manifest(rows))
        if problems:  # said inside too, for whoever opens a download from the cockpit
            bundle.writestr(PROBLEMS, "".join(f"{p}\n" for p in problems))
    return BundleResult(len(rows), files, tuple(problems))


def _row(cert: Certificate, status: str) -> dict[str, object]:
    return {
        "serial": cert.serial,
        "participant": cert.participant_name,
        "program": cert.program_name,
        "batch": cert.batch_name or "",
        "issue_date": cert.issue_date.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else "",
        "status": status,
        "verify_url": cert.verify_url,
        "pdf": "",
        "pdf_sha256": cert.pdf_sha256,
        "credential": "",
    }


def _stem(cert: Certificate) -> str:
    """`<name> - <serial>`: what a person looks for in a folder, and unique by its serial."""
    name = _UNSAFE.sub(" ", cert.participant_name).strip(" .")[:80] or "certificate"
    return f"{name} - {cert.serial}"


def _unique(stem: str, used: set[str]) -> str:
    # Serials are unique; this only guards against a case-insensitive file system.
    candidate, n = stem, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n})"
    used.add(candidate.casefold())
    return candidate


def _pdf_bytes(cert: Certificate, output_dir: Path, problems: list[str]) -> bytes | None:
    path = output_dir / cert.pdf_path
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(f"{cert.serial}: its PDF {path} cannot be read ({exc.strerror or exc})")
        return None
    if hashlib.sha256(data).hexdigest() != cert.pdf_sha256:
        problems.append(f"{cert.serial}: its PDF {path} is not the one that was issued")
        return None
    return data


def _manifest(rows: list[dict[str, object]]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return text.getvalue()
