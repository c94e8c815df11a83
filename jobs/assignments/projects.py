"""A batch's project (a copy of the program's template, made once through the outbox) and its
assignments: the project's top-level tasks, kept in `assignments`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.odoo import projects
from sidecar.outbox import enqueue, made_by
from sidecar.store.models import Assignment, Batch

PROJECT_NAME_CHARS = 200


def project_name(batch: Batch) -> str:
    return f"{batch.name[: PROJECT_NAME_CHARS - 14]} (assignments)"


def ensure_project(
    session: Session, batch: Batch, template_id: int, *, is_template_field: bool
) -> int | None:
    """The batch's project id once its copy is delivered; the copy is queued the first time."""
    if batch.odoo_project_id is not None:
        return batch.odoo_project_id
    if batch.project_key is None:
        key = f"assignment-project:{batch.id}"
        write = projects.copy_project(
            key, template_id, project_name(batch), is_template_field=is_template_field
        )
        enqueue(session, write)
        batch.project_key = key
        return None
    made = made_by(session, batch.project_key)
    batch.odoo_project_id = made
    return made


def keep_assignments(
    session: Session, batch: Batch, project_id: int, found: list[projects.TemplateTask]
) -> list[Assignment]:
    """Bring the project's top-level tasks into `assignments`: new ones added, changed ones
    followed, removed or archived ones made inactive. Returns the active ones, in order."""
    rows = {
        a.odoo_task_id: a
        for a in session.scalars(select(Assignment).where(Assignment.batch_id == batch.id))
    }
    active: list[Assignment] = []
    for position, task in enumerate(found):
        row = rows.pop(task.id, None)
        if row is None:
            row = Assignment(batch_id=batch.id, odoo_project_id=project_id, odoo_task_id=task.id)
            session.add(row)
        row.title = task.name[:300]
        row.description = task.description
        row.deadline = date.fromisoformat(task.deadline) if task.deadline else None
        row.weight = task.weight if task.weight is not None and task.weight > 0 else 1.0
        row.max_score = (
            task.max_score if task.max_score is not None and task.max_score > 0 else None
        )
        row.position = position
        row.active = True
        active.append(row)
    for row in rows.values():
        row.active = False
    session.flush()
    return active
