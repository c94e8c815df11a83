"""A batch's assignments as the rules see them: per participant, one result per active
assignment (`sidecar.figures.assignments`), whether or not their task exists yet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.figures.assignments import AssignmentResult
from sidecar.store.models import Assignment, AssignmentTask


def batch_results(
    session: Session, batch_id: int, student_ids: Iterable[int], default_max: float
) -> dict[int, list[AssignmentResult]]:
    """student id → their results in the batch, in the assignments' order."""
    assignments = list(
        session.scalars(
            select(Assignment)
            .where(Assignment.batch_id == batch_id, Assignment.active.is_(True))
            .order_by(Assignment.position, Assignment.id)
        )
    )
    tasks = session.scalars(
        select(AssignmentTask).where(
            AssignmentTask.assignment_id.in_([a.id for a in assignments] or [-1])
        )
    )
    return results_of(assignments, tasks, student_ids, default_max)


def results_of(
    assignments: Sequence[Assignment],
    tasks: Iterable[AssignmentTask],
    student_ids: Iterable[int],
    default_max: float,
) -> dict[int, list[AssignmentResult]]:
    """`batch_results` from the active assignments (in order) and their tasks in hand."""
    wanted = set(student_ids)
    by_key = {(t.assignment_id, t.student_id): t for t in tasks if t.student_id in wanted}
    results: dict[int, list[AssignmentResult]] = {}
    for student_id in sorted(wanted):
        found = []
        for assignment in assignments:
            task = by_key.get((assignment.id, student_id))
            found.append(
                AssignmentResult(
                    assignment=assignment.title,
                    weight=assignment.weight,
                    max_score=max_score_of(task, assignment, default_max),
                    score=task.score if task is not None else None,
                    submitted=task is not None and task.submitted_at is not None,
                    late=task is not None and task.late,
                )
            )
        results[student_id] = found
    return results


def max_score_of(task: AssignmentTask | None, assignment: Assignment, default: float) -> float:
    """The task's own maximum, else the assignment's, else the program's default (a maximum of
    0 or less is no maximum)."""
    for value in (task.max_score if task else None, assignment.max_score):
        if value is not None and value > 0:
            return value
    return default
