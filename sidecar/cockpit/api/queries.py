"""What the API reads of programs, batches and trainees: plain SQL over the store, one page at
a time in the order of a stable id (keyset paging), only active programs and counted trainees
(`students.excluded` empty). The filters are resolved here, each naming what it cannot find."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Subquery, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from sidecar.cockpit.api import fastjson, people
from sidecar.cockpit.api import models as out
from sidecar.cockpit.api.errors import ApiError
from sidecar.cockpit.api.params import BatchArgs, ProgramArgs, TraineeArgs, after, cursor_of
from sidecar.statuses import CourseStatus
from sidecar.store.models import Batch, Program
from sidecar.store.reports.scope import BatchRef, ProgramRef, Scope, batch_students, trainees

M = TypeVar("M")


def active_programs(db: Session, key: str | None) -> list[Program]:
    """The active programs, or the one `key` names (ApiError 400 when none does)."""
    query = select(Program).where(Program.active.is_(True)).order_by(Program.id)
    if key is not None:
        query = query.where(Program.key == key)
    found = list(db.scalars(query))
    if key is not None and not found:
        raise ApiError(400, f"No active program has the key {key!r}.")
    return found


def scope_of(db: Session, program: str | None, batch: str | None) -> Scope:
    """The reports' scope for these filters: the programs, and the batch (ApiError 400 when a
    key names nothing, or a batch key is in several programs)."""
    programs = active_programs(db, program)
    chosen: Batch | None = None
    if batch is not None:
        found = list(
            db.scalars(
                select(Batch).where(
                    Batch.key == batch, Batch.program_id.in_([p.id for p in programs])
                )
            )
        )
        if not found:
            where = f" in program {program!r}" if program is not None else ""
            raise ApiError(400, f"No batch has the key {batch!r}{where}.")
        if len(found) > 1:
            raise ApiError(400, f"Batch {batch!r} is in several programs; add program=KEY.")
        chosen = found[0]
        programs = [p for p in programs if p.id == chosen.program_id]
    return Scope(
        programs=tuple(ProgramRef(p.id, p.key, p.name) for p in programs),
        batch=None if chosen is None else BatchRef(chosen.id, chosen.key, chosen.program_id),
        first_day=None,
        last_day=None,
        filtered=program is not None or batch is not None,
        members=batch_students(db, [chosen.id]) if chosen is not None else (),
    )


def keyset(columns: Sequence[Any], cursor: str | None) -> list[ColumnElement[bool]]:
    """The rows after the cursor in the order of `columns` (one id, or an id and a tiebreak)."""
    start = after(cursor, len(columns))
    if start is None:
        return []
    if len(columns) == 1:
        return [columns[0] > start[0]]
    first, second = columns
    return [or_(first > start[0], and_(first == start[0], second > start[1]))]


def page(
    db: Session,
    query: Select[*tuple[Any, ...]],
    limit: int,
    key: Callable[[Any], tuple[int, ...]],
    build: Callable[[Any], M],
) -> tuple[list[M], str | None]:
    """One page of `query` (already ordered and cut by `keyset`) and the next page's cursor."""
    return cut(list(db.execute(query.limit(limit + 1))), limit, key, build)


def cut(
    rows: list[Any], limit: int, key: Callable[[Any], tuple[int, ...]], build: Callable[[Any], M]
) -> tuple[list[M], str | None]:
    """The page of `limit + 1` rows read: the first `limit` built, and the next page's cursor
    when the extra row says there is one."""
    more = len(rows) > limit
    rows = rows[:limit]
    return [build(r) for r in rows], cursor_of(*key(rows[-1])) if more else None


def program_page(db: Session, args: ProgramArgs) -> out.ProgramPage:
    query = (
        select(Program)
        .options(selectinload(Program.courses))
        .where(Program.active.is_(True), *keyset([Program.id], args.cursor))
        .order_by(Program.id)
    )
    data, following = page(db, query, args.limit, lambda r: (r[0].id,), lambda r: _program(r[0]))
    return out.ProgramPage(data=data, next_cursor=following)


def _program(row: Program) -> out.Program:
    return out.Program(
        key=row.key,
        name=row.name,
        issue_on=row.issue_on,
        courses=[
            out.Course(
                name=c.course_name or c.course_ref,
                odoo_channel_id=c.odoo_channel_id,
                required=c.required,
                completion_threshold=c.completion_threshold,
            )
            for c in row.courses
            if c.status == CourseStatus.ACTIVE
        ],
    )


def batch_page(db: Session, args: BatchArgs) -> out.BatchPage:
    programs = active_programs(db, args.program)
    query = (
        select(Batch, Program.key)
        .join(Program, Program.id == Batch.program_id)
        .where(Program.id.in_([p.id for p in programs]), *keyset([Batch.id], args.cursor))
        .order_by(Batch.id)
    )
    if args.status is not None:
        query = query.where(Batch.status == args.status)
    data, following = page(db, query, args.limit, lambda r: (r[0].id,), _batch)
    return out.BatchPage(data=data, next_cursor=following)


def _batch(row: Any) -> out.Batch:
    batch, program = row
    return out.Batch(
        key=batch.key,
        name=batch.name,
        program=program,
        status=batch.status,
        origin=batch.origin,
        start_date=batch.start_date,
        end_date=batch.end_date,
        odoo_event_id=batch.odoo_event_id,
    )


def _trainees(found: Subquery) -> Select[*tuple[Any, ...]]:
    return (
        select(found, Program.key.label("program_key"), Batch.key.label("batch_key"))
        .select_from(found)
        .join(Program, Program.id == found.c.program_id)
        .outerjoin(Batch, Batch.id == found.c.batch_id)
    )


def trainee_page(db: Session, args: TraineeArgs) -> out.TraineePage | bytes:
    """A page of trainees: without a batch filter, the common case, read as plain rows and
    written straight to JSON (`fastjson`); with one, through the reports' scope."""
    if args.batch is None:
        start = after(args.cursor, 1)
        rows = people.listing(
            db, args.program, start[0] if start else 0, args.limit + 1, args.status
        )
        if not rows and args.program is not None:
            active_programs(db, args.program)  # an unknown key is a 400, not an empty page
        more = len(rows) > args.limit
        rows = rows[: args.limit]
        following = cursor_of(rows[-1][0]) if more else None
        return fastjson.trainee_page([r[1:] for r in rows], following)
    found = trainees(scope_of(db, args.program, args.batch), with_batch=True, per_row=True)
    query = _trainees(found).where(*keyset([found.c.id], args.cursor)).order_by(found.c.id)
    if args.status is not None:
        query = query.where(found.c.integration_status == args.status)
    data, following = page(db, query, args.limit, lambda r: (r.id,), _trainee)
    return out.TraineePage(data=data, next_cursor=following)


def trainee_detail(db: Session, partner_id: int) -> out.TraineeDetail | None:
    rows = people.person(db, partner_id)
    if not rows:
        return None
    programs = [_trainee(r) for r in rows]
    return out.TraineeDetail(partner_id=partner_id, name=programs[0].name, programs=programs)


def _trainee(row: Any) -> out.Trainee:
    return out.Trainee(
        partner_id=row.odoo_partner_id,
        name=row.name,
        email=row.email,
        program=row.program_key,
        batch=row.batch_key,
        status=row.integration_status,
        overall_pct=row.overall_pct,
        elearning_pct=row.elearning_pct,
        attendance_pct=row.attendance_pct,
        average_score=row.average_score,
        assignment_average=row.assignment_average,
        complete=row.complete,
        completed_at=row.completed_at,
        certified_at=row.certified_at,
        updated_at=row.updated_at,
    )
