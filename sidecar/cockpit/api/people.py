"""The trainee reads of the API, as statements built once: building the reports' general
`trainees()` subquery (every column of `students` proxied, the batch rule) cost more than
running it, for a request that wants one person or one page. Same rules: counted trainees of
active programs, each one's batch by the reports' rule (row by row: a few index look-ups)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from sidecar.store.models import Batch, Program, Student
from sidecar.store.reports.scope import registered_batch_of_student


@functools.cache
def _base() -> Select[Any]:
    batch = func.coalesce(Student.batch_id, registered_batch_of_student())
    columns = [c for c in Student.__table__.c if c.name != "batch_id"]
    return (
        select(
            *columns,
            batch.label("batch_id"),
            Program.key.label("program_key"),
            Batch.key.label("batch_key"),
        )
        .join(Program, Program.id == Student.program_id)
        .outerjoin(Batch, Batch.id == batch)
        .where(Student.excluded.is_(None), Program.active.is_(True))
    )


@functools.cache
def _one_person() -> Select[Any]:
    return (
        _base()
        .where(Student.odoo_partner_id == bindparam("partner"))
        .order_by(Program.key, Student.id)
    )


def person(db: Session, partner_id: int) -> list[Any]:
    """Every program the person is a trainee of, by program key."""
    return list(db.execute(_one_person(), {"partner": partner_id}))


@functools.cache
def _listing(with_status: bool, by_key: bool) -> Select[Any]:
    """A page's statement: the student's id, then only the columns an answer shows
    (`fastjson.TRAINEE_FIELDS`); the batch rule runs once per row, in the join."""
    batch = func.coalesce(Student.batch_id, registered_batch_of_student())
    columns: list[Any] = [
        Student.id,
        Student.odoo_partner_id,
        Student.name,
        Student.email,
        Program.key,
        Batch.key,
        Student.integration_status,
        Student.overall_pct,
        Student.elearning_pct,
        Student.attendance_pct,
        Student.average_score,
        Student.assignment_average,
        Student.complete,
        Student.completed_at,
        Student.certified_at,
        Student.updated_at,
    ]
    query = (
        select(*columns)
        .join(Program, Program.id == Student.program_id)
        .outerjoin(Batch, Batch.id == batch)
        .where(
            Student.excluded.is_(None),
            Program.active.is_(True),
            Student.id > bindparam("after"),
        )
    )
    if by_key:
        query = query.where(Program.key == bindparam("program"))
    if with_status:
        query = query.where(Student.integration_status == bindparam("status"))
    return query.order_by(Student.id).limit(bindparam("n"))


def listing(db: Session, program: str | None, after: int, n: int, status: str | None) -> list[Any]:
    """Up to `n` trainees of the active programs (or the one with the key `program`) after the
    id `after`, by id, as the driver's own rows:
    SQLAlchemy's per-value conversions cost three times the query on a page of 100, so
    `fastjson` converts what needs it (timestamps, which SQLite returns as text)."""
    values: dict[str, Any] = {"program": program, "after": after, "n": n, "status": status}
    statement = _listing(status is not None, program is not None)
    result = db.connection().execute(statement, values)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()
