"""Certificates, review flags and the outbox of writes to Odoo."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.statuses import OutboxState
from sidecar.store.models.base import Base, utcnow


class Certificate(Base):
    """A signed certificate. `generation` 0 is the one issuance may create; a re-issue adds the
    next generation and marks the previous one superseded, so history is kept and the database
    itself refuses a second automatic certificate for the same (student, program, batch)."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("student_id", "batch_scope", "generation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    # The batch key, or "" for none: NULLs never collide in a unique constraint.
    batch_scope: Mapped[str] = mapped_column(String(64), default="")
    generation: Mapped[int] = mapped_column(Integer, default=0)
    odoo_partner_id: Mapped[int] = mapped_column(Integer, index=True)
    odoo_applicant_id: Mapped[int | None] = mapped_column(Integer)
    participant_name: Mapped[str] = mapped_column(String(300))
    program_name: Mapped[str] = mapped_column(String(200))
    batch_name: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(300))
    issue_date: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    total_assignments: Mapped[int] = mapped_column(Integer, default=0)
    average_score: Mapped[float | None] = mapped_column(Float)
    verify_url: Mapped[str] = mapped_column(String(500))
    # Exactly the bytes that were signed (canonical JSON), their signature and the key's id.
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    pdf_path: Mapped[str] = mapped_column(String(500))  # relative to certificates.output_dir
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]  # every Odoo write of its delivery confirmed
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    # Indexed: a page links back to the certificate it replaced (the one pointing at it).
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)
    superseded_at: Mapped[datetime | None]
    # Its bit in the revocation status list, drawn at random, never another's (docs/credentials.md)
    # and its Open Badges 3.0 credential, signed when it was issued: exactly the JSON served and
    # embedded in the PDF. Both None for a certificate issued before credentials existed.
    status_index: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    credential: Mapped[str | None] = mapped_column(Text)
    # The language its PDF and page are in ("fr"): the trainee's in Odoo when it was issued, or
    # the configured default. None for one issued before languages: the configured default.
    lang: Mapped[str | None] = mapped_column(String(8))
    # The holder's key to their page's privacy: whoever has it may hide or show the page's
    # details, and see them while hidden (docs/credentials.md). Random, 192 bits.
    holder_token: Mapped[str | None] = mapped_column(String(64))
    hidden_at: Mapped[datetime | None]  # when the holder hid the details; None: shown


class StatusList(Base):
    """A revocation status list credential, signed by the jobs or the CLI (which hold the key)
    and served as stored by the verify site (which holds none): docs/credentials.md."""

    __tablename__ = "status_lists"

    list_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    credential: Mapped[str] = mapped_column(Text)  # the signed JSON, exactly as served
    # SHA-256 of the sorted revoked indexes it encodes: a change means it must be signed again
    revoked_digest: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime]


class ReviewFlag(Base):
    """Something a person must look at in Odoo (a To-Do was queued for it), raised once per key."""

    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(
        String(200), unique=True
    )  # e.g. requirements/<student>/<batch>
    kind: Mapped[str] = mapped_column(String(40))  # requirements_not_met | not_eligible | ...
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), index=True)
    odoo_partner_id: Mapped[int | None] = mapped_column(Integer)
    odoo_applicant_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One write to Odoo, recorded in the transaction of the change that calls for it and
    delivered later by `jobs.deliver`. `key` is its idempotency key; `lookup` names the search
    that finds what an earlier, unconfirmed attempt already made, so nothing is written twice."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str | None] = mapped_column(String(200), index=True)  # e.g. certificate:SERIAL
    model: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(100))
    # {"ids": [...] | None, "params": {...}}; rows written before 0.2 hold {"args", "kwargs"}
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    lookup: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"model":..,"domain":[..]}
    depends_on: Mapped[str | None] = mapped_column(String(200))  # key of a message it needs
    summary: Mapped[str] = mapped_column(String(300), default="")  # what a person reads
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING, index=True)
    # pending | delivered | failed (gave up; needs a person) | cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    # Set when an attempt is sent, cleared by a definite answer: until then an attempt whose
    # answer was lost may still be running inside Odoo, where a lookup cannot see it yet.
    in_doubt_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
