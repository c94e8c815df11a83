"""Read-side query for `ojt-sidecar batches`: every batch with its participants and certificates."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidecar.statuses import BatchStatus
from sidecar.store.models import AttendanceRecord, Batch, Certificate, Program, Student


@dataclass(frozen=True)
class BatchRow:
    program: str
    key: str
    name: str
    start: date | None
    end: date | None
    origin: str  # config | odoo
    status: str
    odoo_event_id: int | None
    registered: int  # trainees of the program registered for its event (not cancelled)
    certified: int  # certificates naming the batch, neither superseded nor revoked

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["start"] = self.start.isoformat() if self.start else None
        found["end"] = self.end.isoformat() if self.end else None
        return found


def batch_rows(
    session: Session, program_key: str | None = None, *, archived: bool = False
) -> list[BatchRow]:
    """Batches of active programs (of one, with `program_key`), newest start first; archived
    ones only when asked."""
    query = (
        select(Batch, Program.key)
        .join(Program, Batch.program_id == Program.id)
        .where(Program.active.is_(True))
    )
    if program_key is not None:
        query = query.where(Program.key == program_key)
    if not archived:
        query = query.where(Batch.status != BatchStatus.ARCHIVED)
    rows = session.execute(query).all()
    certified = dict(
        session.execute(
            select(Certificate.batch_id, func.count(Certificate.id))
            .where(
                Certificate.superseded_at.is_(None),
                Certificate.revoked_at.is_(None),
                Certificate.batch_id.is_not(None),
            )
            .group_by(Certificate.batch_id)
        ).all()
    )
    found = [
        BatchRow(
            program=key,
            key=batch.key,
            name=batch.name,
            start=batch.start_date,
            end=batch.end_date,
            origin=batch.origin,
            status=batch.status,
            odoo_event_id=batch.odoo_event_id,
            registered=_registered(session, batch),
            certified=int(certified.get(batch.id, 0)),
        )
        for batch, key in rows
    ]
    return sorted(found, key=lambda r: (r.program, -(r.start or date.min).toordinal(), r.key))


def _registered(session: Session, batch: Batch) -> int:
    if batch.odoo_event_id is None:
        return 0
    students = select(Student.odoo_partner_id).where(
        Student.program_id == batch.program_id, Student.excluded.is_(None)
    )
    count = session.scalar(
        select(func.count(func.distinct(AttendanceRecord.partner_id))).where(
            AttendanceRecord.event_id == batch.odoo_event_id,
            AttendanceRecord.state != "cancel",
            AttendanceRecord.active.is_(True),
            AttendanceRecord.removed_at.is_(None),
            AttendanceRecord.partner_id.in_(students),
        )
    )
    return int(count or 0)
