"""Each participant's own task per assignment: made through the outbox as a subtask of the
assignment, followed by the trainee alone, with the trainee a (limited) collaborator of the
project so that they can move its stage. A participant who leaves the batch keeps their tasks,
archived."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.odoo import projects
from sidecar.outbox import enqueue, made_by, next_round, ref
from sidecar.store.models import Assignment, AssignmentTask, Batch, Student


def task_name(assignment: Assignment, student: Student, clash: bool) -> str:
    """`<assignment> — <trainee>`; two trainees of one name are told apart by contact id."""
    who = student.name.strip() or f"contact {student.odoo_partner_id}"
    if clash:
        who += f" ({student.odoo_partner_id})"
    return f"{assignment.title} — {who}"[:300]


def keep_tasks(
    session: Session,
    batch: Batch,
    project_id: int,
    assignments: Sequence[Assignment],
    participants: Sequence[Student],
    *,
    collaborator: dict[str, Any] | None,
    make_new: bool,
) -> tuple[int, list[AssignmentTask]]:
    """While the batch is open (`make_new`): queue the tasks that participants lack, archive
    those of people who left and restore those of people who came back. Always: note the Odoo
    id of every task whose creation was delivered. Returns the number of tasks queued, and
    every task row of these assignments."""
    queued = 0
    subject = f"assignments:{batch.id}"
    names = Counter(p.name.strip().casefold() for p in participants)
    by_student = {p.id: p for p in participants}
    rows = _rows(session, [a.id for a in assignments])
    for assignment in assignments:
        for student in participants:
            if not make_new or (assignment.id, student.id) in rows:
                continue
            clash = names[student.name.strip().casefold()] > 1
            row = _queue(session, assignment, student, clash, project_id, collaborator)
            rows[(assignment.id, student.id)] = row
            queued += 1
    for (_, student_id), row in rows.items():
        if row.odoo_task_id is None:
            row.odoo_task_id = made_by(session, row.outbox_key)
        wanted = student_id in by_student
        if make_new and row.odoo_task_id is not None and row.active != wanted:
            # left the batch (or it was cancelled): their work stays in Odoo, archived; back
            # again: restored. Each change has its own round, so it can happen again.
            row.active = wanted
            prefix = f"{row.outbox_key}:active:"
            key = f"{prefix}{next_round(session, prefix)}"
            enqueue(session, projects.set_task_active(key, row.odoo_task_id, wanted, subject))
    session.flush()
    return queued, list(rows.values())


def _queue(
    session: Session,
    assignment: Assignment,
    student: Student,
    clash: bool,
    project_id: int,
    collaborator: dict[str, Any] | None,
) -> AssignmentTask:
    """The task's creation, the trainee following it, and the trainee as a collaborator (once
    per project): three outbox rows, the later ones waiting for the first."""
    subject = f"assignments:{assignment.batch_id}"
    key = f"assignment-task:{assignment.id}:{student.id}"
    name = task_name(assignment, student, clash)
    enqueue(
        session,
        projects.create_participant_task(
            key,
            project_id=project_id,
            parent_id=assignment.odoo_task_id,
            name=name,
            description=assignment.description,
            deadline=assignment.deadline.isoformat() if assignment.deadline else None,
            subject=subject,
        ),
    )
    enqueue(session, projects.follow(f"{key}:follow", ref(key), student.odoo_partner_id, subject))
    if collaborator is not None:  # None: this Odoo offers no row that keeps tasks apart
        enqueue(
            session,
            projects.add_collaborator(
                f"assignment-collaborator:{project_id}:{student.odoo_partner_id}",
                project_id,
                student.odoo_partner_id,
                collaborator,
                subject=subject,
            ),
        )
    row = AssignmentTask(
        assignment_id=assignment.id,
        student_id=student.id,
        odoo_partner_id=student.odoo_partner_id,
        outbox_key=key,
        active=True,
    )
    session.add(row)
    return row


def _rows(session: Session, assignment_ids: list[int]) -> dict[tuple[int, int], AssignmentTask]:
    if not assignment_ids:
        return {}
    found = session.scalars(
        select(AssignmentTask).where(AssignmentTask.assignment_id.in_(assignment_ids))
    )
    return {(row.assignment_id, row.student_id): row for row in found}
