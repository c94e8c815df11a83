"""What happened since the last look, as webhook events: certificates issued and revoked,
trainees who completed a program or joined one. Each kind keeps a mark in the store; a look
goes back `OVERLAP` before it, for rows a slower transaction committed late (a first sync of a
large program stamps its rows when it starts and commits minutes later), and an event made
once under its key is never made again. The first look only sets the marks: receivers hear of
what happens after they were configured, not of the store's history."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.config import Config
from sidecar.store.models import (
    Certificate,
    Program,
    Student,
    WebhookDelivery,
    WebhookEvent,
    WebhookMark,
)

OVERLAP = timedelta(days=1)
CHUNK = 500  # keys asked about per query
Found = tuple[str, dict[str, Any]]  # (key, data)


def announce(session: Session, cfg: Config, now: datetime) -> int:
    """Make the events new since the marks, each with a delivery per receiver that wants it;
    how many events were made. The caller commits."""
    made = 0
    for kind in sorted({kind for hook in cfg.webhooks for kind in hook.events}):
        mark = session.get(WebhookMark, kind)
        if mark is None:
            session.add(WebhookMark(type=kind, stamp=now))
            continue
        found = list(FINDERS[kind](session, mark.stamp - OVERLAP, now))
        known = _known(session, [key for key, _ in found])
        for key, data in found:
            if key not in known:
                made += 1
                _event(session, cfg, kind, key, data, now)
        mark.stamp = now
    return made


def _known(session: Session, keys: list[str]) -> set[str]:
    """Of these keys, those an event was made under (asked in chunks, not every key ever)."""
    known: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        known.update(session.scalars(select(WebhookEvent.key).where(WebhookEvent.key.in_(chunk))))
    return known


def _event(
    session: Session, cfg: Config, kind: str, key: str, data: dict[str, Any], now: datetime
) -> None:
    event = WebhookEvent(
        id=f"msg_{secrets.token_hex(12)}", key=key, type=kind, payload=data, created_at=now
    )
    session.add(event)
    session.flush()  # before its deliveries, which refer to it
    for hook in cfg.webhooks:
        if kind in hook.events:
            session.add(WebhookDelivery(event_id=event.id, url=hook.url, next_attempt_at=now))
    session.flush()


def _certificate(cert: Certificate) -> dict[str, Any]:
    return {
        "serial": cert.serial,
        "program": cert.program_name,
        "batch": cert.batch_name,
        "participant": cert.participant_name,
        "partner_id": cert.odoo_partner_id,
        "issue_date": cert.issue_date.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "verify_url": cert.verify_url,
    }


def _issued(session: Session, since: datetime, now: datetime) -> Iterator[Found]:
    for cert in session.scalars(
        select(Certificate).where(Certificate.issued_at > since, Certificate.issued_at <= now)
    ):
        yield f"certificate.issued:{cert.serial}", _certificate(cert)


def _revoked(session: Session, since: datetime, now: datetime) -> Iterator[Found]:
    for cert in session.scalars(
        select(Certificate).where(Certificate.revoked_at > since, Certificate.revoked_at <= now)
    ):
        data = {**_certificate(cert), "reason": cert.revoked_reason}
        yield f"certificate.revoked:{cert.serial}", data


def _students(session: Session, column: Any, since: datetime, now: datetime) -> Iterator[Any]:
    yield from session.execute(
        select(Student, Program.key)
        .join(Program, Program.id == Student.program_id)
        .where(column > since, column <= now, Student.excluded.is_(None))
    )


def _trainee(student: Student, program: str) -> dict[str, Any]:
    return {"partner_id": student.odoo_partner_id, "program": program, "name": student.name}


def _completed(session: Session, since: datetime, now: datetime) -> Iterator[Found]:
    for student, program in _students(session, Student.completed_at, since, now):
        data = {**_trainee(student, program), "completed_at": student.completed_at.isoformat()}
        yield f"trainee.completed:{student.id}", data


def _enrolled(session: Session, since: datetime, now: datetime) -> Iterator[Found]:
    for student, program in _students(session, Student.created_at, since, now):
        data = {**_trainee(student, program), "enrolled_at": student.created_at.isoformat()}
        yield f"trainee.enrolled:{student.id}", data


FINDERS = {
    "certificate.issued": _issued,
    "certificate.revoked": _revoked,
    "trainee.completed": _completed,
    "trainee.enrolled": _enrolled,
}
