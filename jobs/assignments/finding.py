"""A trainee's task for an assignment, as a person names it: the trainee by e-mail or Odoo
contact id, the batch and the assignment by their names in Odoo (any case). Used by
`scores import` and `submit`; a task that cannot be found is one plain sentence saying why."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidecar.config import Config
from sidecar.statuses import BatchStatus
from sidecar.store.models import Assignment, AssignmentTask, Batch, Program, Student

Found = tuple[AssignmentTask, Assignment, Batch]


def find_task(
    session: Session, cfg: Config, trainee: str | int, batch_name: str, title: str
) -> Found | str:
    keys = [p.key for p in cfg.programs if p.assignments is not None]
    if not keys:
        return "no program has assignments"
    query = select(Student).join(Program).where(Program.key.in_(keys))
    if isinstance(trainee, int):
        query = query.where(Student.odoo_partner_id == trainee)
    else:
        query = query.where(func.lower(Student.email) == trainee.strip().lower())
    students = {s.id: s for s in session.scalars(query)}
    if not students:
        return f"{trainee} is not a trainee of a program with assignments"
    batches = [
        b
        for b in session.scalars(
            select(Batch).where(
                Batch.program_id.in_({s.program_id for s in students.values()}),
                Batch.status.not_in([BatchStatus.ARCHIVED, BatchStatus.CANCELLED]),
            )
        )
        if b.name.casefold() == batch_name.casefold()
    ]
    if not batches:
        return f"no open or done batch of their program is named {batch_name!r}"
    if len(batches) > 1:
        return f"{len(batches)} batches are named {batch_name!r}; rename one in Odoo"
    batch = batches[0]
    assignments = [
        a
        for a in session.scalars(
            select(Assignment).where(Assignment.batch_id == batch.id, Assignment.active.is_(True))
        )
        if a.title.casefold() == title.casefold()
    ]
    if len(assignments) != 1:
        what = "no assignment" if not assignments else f"{len(assignments)} assignments"
        return f"batch {batch.name!r} has {what} named {title!r}"
    task = session.scalar(
        select(AssignmentTask).where(
            AssignmentTask.assignment_id == assignments[0].id,
            AssignmentTask.student_id.in_(list(students)),
        )
    )
    if task is None or not task.active:
        return f"{trainee} is not a participant of batch {batch.name!r}"
    if task.odoo_task_id is None:
        return "their task is not in Odoo yet; run `ojt-sidecar sync` and try again"
    return task, assignments[0], batch
