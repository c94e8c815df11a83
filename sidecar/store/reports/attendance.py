"""`report attendance`: per batch that has an event (the session is the batch's
`event.event`), its program's trainees registered (not cancelled), attended (registration
`done`), cancelled, and the attendance rate (attended of registered). Registered counts as
`ojt-sidecar batches` does. Until someone registers for one of them, there are no rows.
Archived batches are left out; `--from`/`--to` filter on the batch's start date (a batch
without one is then left out)."""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from sidecar.statuses import BatchStatus
from sidecar.store.models import AttendanceRecord, Batch, Program, Student
from sidecar.store.reports.result import Report
from sidecar.store.reports.scope import Scope, rate

COLUMNS = (
    "program",
    "batch",
    "name",
    "start",
    "status",
    "registered",
    "attended",
    "cancelled",
    "attendance_pct",
)


def attendance(session: Session, scope: Scope) -> Report:
    state = AttendanceRecord.state
    partner = AttendanceRecord.partner_id
    counts = (
        select(
            AttendanceRecord.event_id,
            Student.program_id,
            func.count(func.distinct(case((state != "cancel", partner)))).label("registered"),
            func.count(func.distinct(case((state == "done", partner)))).label("attended"),
            func.count(func.distinct(case((state == "cancel", partner)))).label("cancelled"),
        )
        .join(Student, Student.odoo_partner_id == partner)
        .where(
            AttendanceRecord.active.is_(True),
            AttendanceRecord.removed_at.is_(None),
            Student.program_id.in_(scope.program_ids),
            Student.excluded.is_(None),
        )
        .group_by(AttendanceRecord.event_id, Student.program_id)
        .subquery("counts")
    )
    query = (
        select(
            Program.key,
            Batch.key,
            Batch.name,
            Batch.start_date,
            Batch.status,
            func.coalesce(counts.c.registered, 0),
            func.coalesce(counts.c.attended, 0),
            func.coalesce(counts.c.cancelled, 0),
        )
        .join(Program, Program.id == Batch.program_id)
        .outerjoin(
            counts,
            and_(
                counts.c.event_id == Batch.odoo_event_id,
                counts.c.program_id == Batch.program_id,
            ),
        )
        .where(
            Batch.program_id.in_(scope.program_ids),
            Batch.odoo_event_id.is_not(None),
            Batch.status != BatchStatus.ARCHIVED,
            *scope.within_days(Batch.start_date),
        )
        .order_by(Program.key, Batch.start_date.is_(None), Batch.start_date, Batch.key)
    )
    if scope.batch is not None:
        query = query.where(Batch.id == scope.batch.id)
    for program, batches in scope.only_batches:
        query = query.where(or_(Batch.program_id != program, Batch.id.in_(batches)))
    rows = [
        (*row[:5], int(row[5]), int(row[6]), int(row[7]), rate(int(row[6]), int(row[5])))
        for row in session.execute(query)
    ]
    if not any(row[5] or row[7] for row in rows):
        rows = []  # batches written in the config, nobody registered yet: no data yet
    return Report("attendance", COLUMNS, rows, empty="no registrations for a batch's event yet")
