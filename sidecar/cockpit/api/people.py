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


@functools.cache
def _page(with_status: bool) -> Select[Any]:
    query = _base().where(
        Student.program_id.in_(bindparam("programs", expanding=True)),
        Student.id > bindparam("after"),
    )
    if with_status:
        query = query.where(Student.integration_status == bindparam("status"))
    return query.order_by(Student.id).limit(bindparam("n"))


def person(db: Session, partner_id: int) -> list[Any]:
    """Every program the person is a trainee of, by program key."""
    return list(db.execute(_one_person(), {"partner": partner_id}))


def page(db: Session, programs: list[int], after: int, n: int, status: str | None) -> list[Any]:
    """Up to `n` trainees of `programs` after the id `after`, by id."""
    values: dict[str, Any] = {"programs": programs, "after": after, "n": n}
    if status is not None:
        values["status"] = status
    return list(db.execute(_page(status is not None), values))
