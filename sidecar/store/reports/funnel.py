"""`report funnel` and `report trainees`, both filtered on the enrolment date
(`students.created_at`; for the funnel's applicants, `enrollments.created_at`).

Funnel, per program: applicants (every `enrollments` row of the program, whatever its state)
→ enrolled (trainees) → started (`overall_pct > 0`) → half way (`overall_pct >= 50`) →
completed → certified, each with its count and its share of the enrolled. An applicant row
belongs to no batch, so with `--batch` the applicants are not counted (shown empty).

Trainees: one row per trainee with every figure the store keeps on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidecar.store.models import Batch, Enrollment
from sidecar.store.reports.result import Report, counted, stamp_read
from sidecar.store.reports.scope import Scope, rate, trainees

STAMPS = ("created_at", "completed_at", "certified_at")
FUNNEL = ("program", "stage", "count", "pct_of_enrolled")
STAGES = ("applicants", "enrolled", "started", "half_way", "completed", "certified")
TRAINEES = (
    "program",
    "partner_id",
    "applicant_id",
    "name",
    "email",
    "status",
    "elearning_pct",
    "attendance_pct",
    "average_score",
    "graded_done",
    "graded_total",
    "assignment_average",
    "overall_pct",
    "complete",
    "enrolled_at",
    "completed_at",
    "certified_at",
    "batch",
)


def funnel(session: Session, scope: Scope) -> Report:
    found = trainees(scope)
    stages = {
        program_id: [int(n) for n in counts]
        for program_id, *counts in session.execute(
            select(
                found.c.program_id,
                func.count(),
                counted(found.c.overall_pct > 0),
                counted(found.c.overall_pct >= 50),
                counted(found.c.complete.is_(True)),
                func.count(found.c.certified_at),
            ).group_by(found.c.program_id)
        )
    }
    applicants = {} if scope.batch is not None else _applicants(session, scope)
    rows: list[tuple[Any, ...]] = []
    for program in scope.programs:
        counts = stages.get(program.id, [0] * 5)
        by_batch = scope.batch is not None or program.id in dict(scope.only_batches)
        wanted: int | None = None if by_batch else applicants.get(program.id, 0)
        if not counts[0] and not wanted:
            continue
        for stage, count in zip(STAGES, [wanted, *counts], strict=True):
            share = None if count is None else rate(count, counts[0])
            rows.append((program.key, stage, count, share))
    notes = ("applicants: not counted with --batch (an application names no batch)",)
    return Report(
        "funnel", FUNNEL, rows, "no applicants or trainees yet", notes if scope.batch else ()
    )


def _applicants(session: Session, scope: Scope) -> dict[int, int]:
    return {
        program_id: int(count)
        for program_id, count in session.execute(
            select(Enrollment.program_id, func.count())
            .where(
                Enrollment.program_id.in_(scope.program_ids), *scope.within(Enrollment.created_at)
            )
            .group_by(Enrollment.program_id)
        )
    }


def trainee_rows(session: Session, scope: Scope) -> Report:
    found = trainees(scope, with_batch=True)
    keys = {p.id: p.key for p in scope.programs}
    dialect = session.get_bind().dialect
    query = (
        select(
            found.c.program_id,
            found.c.odoo_partner_id,
            found.c.odoo_applicant_id,
            found.c.name,
            found.c.email,
            found.c.integration_status,
            found.c.elearning_pct,
            found.c.attendance_pct,
            found.c.average_score,
            found.c.graded_done,
            found.c.graded_total,
            found.c.assignment_average,
            found.c.overall_pct,
            found.c.complete,
            *(stamp_read(found.c[name], dialect) for name in STAMPS),
            Batch.key,
        )
        .outerjoin(Batch, Batch.id == found.c.batch_id)
        .order_by(found.c.program_id, found.c.name, found.c.odoo_partner_id)
    )
    # Core, not the ORM, and every row at once: 100,000 rows in half the time.
    rows = _typed(session.connection().execute(query).all(), keys)
    rows.sort(key=lambda row: row[0])  # by program key; stable: names stay in order
    return Report("trainees", TRAINEES, rows, empty="no trainees yet")


def _typed(found: Sequence[Any], keys: dict[int, str]) -> list[tuple[Any, ...]]:
    """The rows with their program's key and their times as UTC datetimes (read as text by
    `stamp_read`; inline rather than a function per value: 300,000 values)."""
    parse, utc = datetime.fromisoformat, "+00:00"
    return [
        (
            keys[row[0]],
            *row[1:14],
            parse(row[14] + utc),  # created_at: never NULL
            None if row[15] is None else parse(row[15] + utc),
            None if row[16] is None else parse(row[16] + utc),
            row[17],
        )
        for row in found
    ]
