"""What every report is filtered by (`ReportFilter`, as the operator gives it), resolved against
the store into a `Scope`; and the trainees in scope as one subquery that each report reads.

Dates are whole UTC days, both ends included: `--from 2026-03-01 --to 2026-03-31` is every
instant from 2026-03-01 00:00 UTC up to, not including, 2026-04-01 00:00 UTC.

A trainee's batch is the one recorded on them (`students.batch_id`, set when their certificate
is issued), else the first batch of their program (by id) whose event they are registered for
(not cancelled). The `trainees` report shows it and `--batch` filters on it, so the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Subquery, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from sidecar.statuses import BatchStatus
from sidecar.store.models import AttendanceRecord, Batch, Program, Student


class ReportInputError(ValueError):
    """A filter that names nothing in the store, or dates the wrong way round: one sentence."""


@dataclass(frozen=True)
class ReportFilter:
    program: str | None = None  # a program's key
    batch: str | None = None  # a batch's key
    date_from: date | None = None  # first day included (UTC)
    date_to: date | None = None  # last day included (UTC)

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.program, self.batch, self.date_from, self.date_to))

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "batch": self.batch,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass(frozen=True)
class ProgramRef:
    id: int
    key: str
    name: str


@dataclass(frozen=True)
class BatchRef:
    id: int
    key: str
    program_id: int


@dataclass(frozen=True)
class Scope:
    """A resolved filter: the active programs in scope (by key), the batch, UTC bounds."""

    programs: tuple[ProgramRef, ...]
    batch: BatchRef | None
    first_day: date | None
    last_day: date | None
    filtered: bool
    # Programs seen only through some of their batches (a mentor's, in the cockpit): program id
    # → those batch ids. Their trainees are those batches' only.
    only_batches: tuple[tuple[int, tuple[int, ...]], ...] = ()
    # The students of `batch`, or of the `only_batches`, found once (`batch_students`): every
    # report reads them by id instead of working out each trainee's batch again.
    members: tuple[int, ...] = ()

    @property
    def program_ids(self) -> list[int]:
        return [p.id for p in self.programs]

    def key_of(self, program_id: int) -> str:
        return next(p.key for p in self.programs if p.id == program_id)

    def within(self, column: Any) -> list[ColumnElement[bool]]:
        """A timestamp `column` inside the days (nothing when no date was given): from the
        first day's midnight UTC, up to the midnight after the last day."""
        found = []
        if self.first_day is not None:
            found.append(column >= datetime.combine(self.first_day, time(0), tzinfo=UTC))
        if self.last_day is not None:
            after = self.last_day + timedelta(days=1)
            found.append(column < datetime.combine(after, time(0), tzinfo=UTC))
        return found

    def within_days(self, column: Any) -> list[ColumnElement[bool]]:
        """A date `column` inside the days, both included."""
        found = []
        if self.first_day is not None:
            found.append(column >= self.first_day)
        if self.last_day is not None:
            found.append(column <= self.last_day)
        return found


def resolve(session: Session, wanted: ReportFilter) -> Scope:
    """The scope `wanted` names, or ReportInputError with the sentence to show."""
    if wanted.date_from and wanted.date_to and wanted.date_from > wanted.date_to:
        raise ReportInputError(
            f"--from {wanted.date_from.isoformat()} is after --to {wanted.date_to.isoformat()}"
        )
    programs = [
        ProgramRef(p.id, p.key, p.name)
        for p in session.scalars(
            select(Program).where(Program.active.is_(True)).order_by(Program.key)
        )
    ]
    if wanted.program is not None:
        chosen = [p for p in programs if p.key == wanted.program]
        if not chosen:
            known = ", ".join(p.key for p in programs) or "none yet"
            raise ReportInputError(f"no program {wanted.program!r} (programs: {known})")
        programs = chosen
    batch = None if wanted.batch is None else _batch(session, wanted.batch, programs)
    if batch is not None:
        programs = [p for p in programs if p.id == batch.program_id]
    return Scope(
        programs=tuple(programs),
        batch=batch,
        first_day=wanted.date_from,
        last_day=wanted.date_to,
        filtered=wanted.any,
        members=batch_students(session, [batch.id]) if batch is not None else (),
    )


def _batch(session: Session, key: str, programs: list[ProgramRef]) -> BatchRef:
    ids = [p.id for p in programs]
    found = session.execute(
        select(Batch.id, Batch.key, Batch.program_id).where(
            Batch.key == key, Batch.program_id.in_(ids)
        )
    ).all()
    if not found:
        where = f" in program {programs[0].key!r}" if len(programs) == 1 else ""
        raise ReportInputError(f"no batch {key!r}{where} (see: ojt-sidecar batches --all)")
    if len(found) > 1:
        keys = ", ".join(sorted(p.key for p in programs if p.id in {r[2] for r in found}))
        raise ReportInputError(
            f"batch {key!r} is in several programs ({keys}): name one with --program"
        )
    return BatchRef(*found[0])


def registered_batches() -> Subquery:
    """(partner, program) → the first batch (by id) of the program whose event they are
    registered for, not cancelled."""
    return (
        select(
            AttendanceRecord.partner_id.label("partner_id"),
            Batch.program_id.label("program_id"),
            func.min(Batch.id).label("batch_id"),
        )
        .join(Batch, Batch.odoo_event_id == AttendanceRecord.event_id)
        .where(
            AttendanceRecord.state != "cancel",
            AttendanceRecord.active.is_(True),
            AttendanceRecord.removed_at.is_(None),
            AttendanceRecord.partner_id.is_not(None),
            Batch.status != BatchStatus.ARCHIVED,
        )
        .group_by(AttendanceRecord.partner_id, Batch.program_id)
        .subquery("registered")
    )


def registered_batch_of_student() -> Any:
    """`registered_batches` for the one student of the enclosing query, as a correlated
    subquery: a few index look-ups per row, for a page of rows, where the grouped subquery
    would read every registration for each request."""
    return (
        select(func.min(Batch.id))
        .join(AttendanceRecord, Batch.odoo_event_id == AttendanceRecord.event_id)
        .where(
            AttendanceRecord.partner_id == Student.odoo_partner_id,
            Batch.program_id == Student.program_id,
            AttendanceRecord.state != "cancel",
            AttendanceRecord.active.is_(True),
            AttendanceRecord.removed_at.is_(None),
            Batch.status != BatchStatus.ARCHIVED,
        )
        .correlate(Student)
        .scalar_subquery()
    )


def batch_students(session: Session, batch_ids: Sequence[int]) -> tuple[int, ...]:
    """The students whose batch (the rule above) is one of `batch_ids`: only those who carry
    one of them, or carry none and registered for one of their events, are looked at."""
    if not batch_ids:
        return ()
    events = select(Batch.odoo_event_id).where(Batch.id.in_(batch_ids))
    registered_here = select(AttendanceRecord.partner_id).where(
        AttendanceRecord.event_id.in_(events),
        AttendanceRecord.state != "cancel",
        AttendanceRecord.active.is_(True),
        AttendanceRecord.removed_at.is_(None),
    )
    rows = session.execute(
        select(Student.id, func.coalesce(Student.batch_id, registered_batch_of_student())).where(
            Student.program_id.in_(select(Batch.program_id).where(Batch.id.in_(batch_ids))),
            or_(
                Student.batch_id.in_(batch_ids),
                and_(Student.batch_id.is_(None), Student.odoo_partner_id.in_(registered_here)),
            ),
        )
    )
    wanted = set(batch_ids)
    return tuple(sorted(student for student, batch in rows if batch in wanted))


def trainees(
    scope: Scope, *, dated: str = "created_at", with_batch: bool = False, per_row: bool = False
) -> Subquery:
    """The students in scope, every column of `students`, `batch_id` being the trainee's batch
    (above) when asked for or filtered on. `dated` names the column the dates filter.
    `per_row`: the batch found row by row (`registered_batch_of_student`), for queries that
    read a page or a person rather than everyone."""
    columns: list[Any] = [c for c in Student.__table__.c if c.name != "batch_id"]
    query = select(*columns)
    batch_column: Any = Student.batch_id
    if scope.batch is not None:
        batch_column = literal(scope.batch.id, Integer)  # everyone in scope is in it
    elif with_batch and per_row:
        batch_column = func.coalesce(Student.batch_id, registered_batch_of_student())
    elif with_batch:
        registered = registered_batches()
        batch_column = func.coalesce(Student.batch_id, registered.c.batch_id)
        query = query.outerjoin(
            registered,
            and_(
                registered.c.partner_id == Student.odoo_partner_id,
                registered.c.program_id == Student.program_id,
            ),
        )
    partial = {program for program, _ in scope.only_batches}
    whole = [p for p in scope.program_ids if p not in partial]
    programs: ColumnElement[bool] = Student.program_id.in_(whole)
    if scope.batch is not None:
        programs = Student.id.in_(scope.members)
    elif partial:
        programs = or_(programs, Student.id.in_(scope.members))
    query = query.add_columns(batch_column.label("batch_id")).where(
        programs,
        Student.excluded.is_(None),  # members who are no trainees (product-rules §12)
        *scope.within(getattr(Student, dated)),
    )
    return query.subquery("trainees")


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, to one decimal; None when `whole` is 0."""
    return None if whole == 0 else round(100.0 * part / whole, 1)
