"""Who is in which batch of a program (`sidecar.issuance.cohort_of`), as issuance and the
assignments see it: read in two statements, then detached, so callers decide without holding
a session."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.issuance import Cohort, cohort_of
from sidecar.statuses import BatchStatus
from sidecar.store.models import AttendanceRecord, Batch, Student


class Placement:
    """The program's batches (open or done; not archived or cancelled) and their registrations."""

    def __init__(self, session: Session, program_id: int, approval: bool) -> None:
        self.batches = list(
            session.scalars(
                select(Batch)
                .where(
                    Batch.program_id == program_id,
                    Batch.status.not_in([BatchStatus.ARCHIVED, BatchStatus.CANCELLED]),
                )
                .order_by(Batch.id)
            )
        )
        self._registered = registered(session, self.batches, approval)
        self._cohorts = [
            Cohort(b.id, b.odoo_event_id, b.event_ref is not None, b.start_date, b.end_date)
            for b in self.batches
        ]
        for batch in self.batches:
            session.expunge(batch)

    def batch_of(self, student: Student) -> Batch | None:
        return self.batch_for(student.odoo_partner_id, student.created_at.date(), student.batch_id)

    def batch_for(self, partner_id: int, joined: date, recorded: int | None) -> Batch | None:
        """`batch_of` for a trainee known by their partner, join date and recorded batch."""
        found = cohort_of(
            self._cohorts,
            partner_id=partner_id,
            joined=joined,
            registered=self._registered,
            recorded=recorded,
        )
        return next((b for b in self.batches if b.id == found), None)


def registered(session: Session, batches: list[Batch], approval: bool) -> dict[int, set[int]]:
    """Partners registered (not cancelled, not archived) per batch event; with `approval`
    (`programs[].batch_approval`), only those a mentor confirmed (or who attended)."""
    events = [b.odoo_event_id for b in batches if b.odoo_event_id is not None]
    found: dict[int, set[int]] = {}
    if not events:
        return found
    for event_id, partner_id in session.execute(
        select(AttendanceRecord.event_id, AttendanceRecord.partner_id).where(
            AttendanceRecord.event_id.in_(events),
            AttendanceRecord.state.not_in(["cancel", "draft"] if approval else ["cancel"]),
            AttendanceRecord.active.is_(True),
            AttendanceRecord.removed_at.is_(None),
        )
    ):
        if partner_id is not None:
            found.setdefault(event_id, set()).add(partner_id)
    return found
