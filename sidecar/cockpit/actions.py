"""What mentors and admins do in the cockpit that Odoo must record: a score with feedback,
a request for changes, a batch's mentor. Each is kept as a `mentor_actions` row; the sync
applies it (jobs/actions.py) and queues the writes in the outbox, so Odoo stays the record
and no page request calls Odoo."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request
from sqlalchemy import select

from sidecar.cockpit.context import allow, db, now, viewer_required
from sidecar.roles import Role
from sidecar.store.models import Assignment, AssignmentTask, Batch, MentorAction, Student

bp = Blueprint("actions", __name__)

MAX_FEEDBACK = 2000


def _task(task_id: int) -> tuple[AssignmentTask, Assignment, Batch]:
    """The task, if the viewer sees its batch; 404 otherwise (they learn nothing of it)."""
    task = db().get(AssignmentTask, task_id)
    assignment = db().get(Assignment, task.assignment_id) if task is not None else None
    batch = db().get(Batch, assignment.batch_id) if assignment is not None else None
    if task is None or assignment is None or batch is None:
        abort(404)
    if not viewer_required().sees_batch(batch.program_id, batch.id):
        abort(404)
    return task, assignment, batch


@bp.get("/tasks/<int:task_id>")
@allow(Role.ADMIN, Role.MENTOR)
def task_page(task_id: int) -> Any:
    return _page(*_task(task_id))


def _page(
    task: AssignmentTask,
    assignment: Assignment,
    batch: Batch,
    message: str | None = None,
    status: int = 200,
) -> Response:
    student = db().get(Student, task.student_id)
    pending = db().scalars(
        select(MentorAction)
        .where(MentorAction.task_id == task.id)
        .order_by(MentorAction.id.desc())
        .limit(10)
    )
    html = render_template(
        "task.html",
        task=task,
        assignment=assignment,
        batch=batch,
        student=student,
        actions=list(pending),
        message=message,
    )
    return Response(html, status=status, mimetype="text/html")


@bp.post("/tasks/<int:task_id>")
@allow(Role.ADMIN, Role.MENTOR)
def task_action(task_id: int) -> Any:
    task, assignment, batch = _task(task_id)
    kind = request.form.get("do")
    feedback = (request.form.get("feedback") or "").strip()
    if len(feedback) > MAX_FEEDBACK:
        return _page(task, assignment, batch, "The feedback is longer than 2,000 characters.", 400)
    if kind == "changes":
        if not feedback:
            return _page(task, assignment, batch, "Say what should change in the feedback.", 400)
        values: dict[str, Any] = {"feedback": feedback}
    elif kind == "score":
        found = _score(request.form.get("score"), request.form.get("max_score"))
        if isinstance(found, str):
            return _page(task, assignment, batch, found, 400)
        values = {"score": found[0], "max_score": found[1], "feedback": feedback}
    else:
        return _page(task, assignment, batch, "Choose to save a score or to ask for changes.", 400)
    _record(kind, batch.id, task.id, values)
    return redirect(f"/tasks/{task.id}")


def _score(score: str | None, top: str | None) -> tuple[float, float | None] | str:
    def number(text: str | None) -> float | None:
        try:
            value = float((text or "").strip())
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    given = number(score)
    if given is None or given < 0:
        return "The score must be a number of 0 or more."
    if not (top or "").strip():
        return given, None
    limit = number(top)
    if limit is None or limit <= 0:
        return "The maximum score must be a number above 0, or left empty."
    if given > limit:
        return f"The score {given:g} is above the maximum {limit:g}."
    return given, limit


def _record(kind: str, batch_id: int, task_id: int | None, values: dict[str, Any]) -> None:
    viewer = viewer_required()
    db().add(
        MentorAction(
            kind=kind,
            batch_id=batch_id,
            task_id=task_id,
            values=values,
            by_user_id=viewer.user_id,
            by_name=viewer.name,
            created_at=now(),
        )
    )
    db().commit()


@bp.post("/batches/<int:batch_id>/mentor")
@allow(Role.ADMIN)
def assign_mentor(batch_id: int) -> Any:
    batch = db().get(Batch, batch_id)
    if batch is None:
        abort(404)
    login = (request.form.get("login") or "").strip()
    if not login or len(login) > 200:
        abort(400)
    if batch.odoo_event_id is None:
        abort(400)
    _record("mentor", batch.id, None, {"login": login})
    return redirect(f"/batches/{batch.id}")
