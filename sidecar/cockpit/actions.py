"""What mentors and admins do in the cockpit that Odoo must record: a score with feedback,
a request for changes, a batch's mentor. Each is kept as a `mentor_actions` row; the sync
applies it (jobs/actions.py) and queues the writes in the outbox, so Odoo stays the record
and no page request calls Odoo."""

from __future__ import annotations

import math
import re
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request
from sqlalchemy import select

from sidecar.cockpit.context import allow, db, now, state, viewer_required
from sidecar.files import write_atomic
from sidecar.roles import Role
from sidecar.store.models import (
    Assignment,
    AssignmentTask,
    Batch,
    Certificate,
    MentorAction,
    Student,
)

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


# What a trainee may upload as a hand-in: the kinds of files work is handed in as, and no more
# than this size (Odoo's own upload limit is larger).
HANDIN_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".txt", ".docx", ".xlsx", ".pptx", ".odt", ".zip")
MAX_HANDIN_BYTES = 10_000_000


@bp.post("/tasks/<int:task_id>/handin")
@allow(Role.TRAINEE)
def hand_in(task_id: int) -> Any:
    """A trainee hands in a file for their own task; the next sync posts it in Odoo as them."""
    viewer = viewer_required()
    task = db().get(AssignmentTask, task_id)
    if task is None or task.odoo_partner_id != viewer.partner_id or not task.active:
        abort(404)
    upload = request.files.get("file")
    note = (request.form.get("note") or "").strip()
    problem = _upload_problem(upload, note)
    if problem is not None:
        return _handed(task, problem, 400)
    assert upload is not None and upload.filename
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(upload.filename).name)[-100:]
    relative = f"uploads/{secrets.token_hex(8)}-{name}"
    target = state().cfg.certificates.output_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    content = upload.read(MAX_HANDIN_BYTES + 1)
    if len(content) > MAX_HANDIN_BYTES:
        return _handed(task, "The file is larger than 10 MB.", 400)
    write_atomic(target, content, 0o600)
    assignment = db().get(Assignment, task.assignment_id)
    _record(
        "handin",
        assignment.batch_id if assignment is not None else 0,
        task.id,
        {"path": relative, "note": note, "filename": upload.filename[:200]},
    )
    return _handed(task, f"{upload.filename} is on its way to your task in Odoo.")


@bp.post("/certificates/<serial>/privacy")
@allow(Role.TRAINEE)
def certificate_privacy(serial: str) -> Any:
    """The holder hides or shows their certificate page's details (docs/credentials.md); their
    choice alone, so mentors and admins cannot make it for them."""
    viewer = viewer_required()
    cert = db().scalar(select(Certificate).where(Certificate.serial == serial[:64]))
    if cert is None or cert.odoo_partner_id != viewer.partner_id:
        abort(404)
    hide = request.form.get("hide")
    if hide not in ("yes", "no"):
        abort(400)
    cert.hidden_at = now() if hide == "yes" else None
    db().commit()
    return redirect(f"/trainees/{viewer.partner_id}#certificates", 303)


def _upload_problem(upload: Any, note: str) -> str | None:
    if upload is None or not upload.filename:
        return "Choose a file to hand in."
    if Path(upload.filename).suffix.lower() not in HANDIN_TYPES:
        kinds = ", ".join(HANDIN_TYPES)
        return f"{Path(upload.filename).name[:80]} is not a kind of file handed in here ({kinds})."
    if len(note) > MAX_FEEDBACK:
        return "The note is longer than 2,000 characters."
    return None


def _handed(task: AssignmentTask, message: str, status: int = 200) -> Response:
    html = render_template("handin.html", message=message, ok=status == 200, task=task)
    return Response(html, status=status, mimetype="text/html")
