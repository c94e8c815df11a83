"""What mentors and admins did in the cockpit, made Odoo's record (docs/cockpit.md): run by
the sync after its assignments step, under its lease on the mirrors (a score changes an
assignment row the sync also writes). Each action is applied once: it reads what Odoo needs
now (the task's properties, a stage, a user), queues the writes in the outbox, and records
its outcome in words. One that Odoo refuses is recorded as such and not tried again; a
transient error leaves it for the next sync."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from connectors import OdooClient, OdooError, OdooTransientError
from jobs.assignments.imports import score_task
from jobs.assignments.review import ask_changes
from jobs.assignments.submit import SubmissionError, submit
from jobs.odoo import contacts, events
from jobs.odoo.profile import profile_of
from sidecar.config import Config
from sidecar.outbox import enqueue, next_round
from sidecar.statuses import OutboxState
from sidecar.store.models import Assignment, AssignmentTask, Batch, MentorAction, OutboxMessage

log = logging.getLogger(__name__)


def apply_actions(
    session: Session, client: OdooClient, cfg: Config, now: datetime, files_root: Path
) -> int:
    """Apply every action not yet applied, oldest first; how many were. `files_root`: where
    the cockpit put the files trainees uploaded.

    A score or a request for changes writes all of a task's property values, read from Odoo
    first: one whose task still has such a write waiting in the outbox (or had one made this
    run) waits for the next sync, so it reads the values the earlier one wrote instead of
    writing back what was there before."""
    pending = list(
        session.scalars(
            select(MentorAction).where(MentorAction.applied_at.is_(None)).order_by(MentorAction.id)
        )
    )
    busy: set[int] = set()
    applied = 0
    for action in pending:
        if action.kind in ("score", "changes") and action.task_id is not None:
            if action.task_id in busy or _property_write_waiting(session, action.task_id):
                busy.add(action.task_id)
                continue
            busy.add(action.task_id)
        applied += 1
        try:
            with session.begin_nested():
                action.outcome = _apply(session, client, cfg, action, now, files_root)
        except OdooTransientError:
            raise
        except OdooError as exc:
            action.outcome = f"Odoo refused it: {exc}"
        action.applied_at = now
        log.info("cockpit action %s (%s): %s", action.id, action.kind, action.outcome)
    return applied


def _property_write_waiting(session: Session, task_id: int) -> bool:
    """Whether a score or a request for changes on this task waits in the outbox."""
    task = session.get(AssignmentTask, task_id)
    if task is None or task.odoo_task_id is None:
        return False
    prefixes = (f"score-import:{task.odoo_task_id}:", f"changes:{task.odoo_task_id}:")
    waiting = select(OutboxMessage.id).where(
        OutboxMessage.state == OutboxState.PENDING,
        or_(*(OutboxMessage.key.startswith(prefix) for prefix in prefixes)),
    )
    return session.scalar(waiting.limit(1)) is not None


def _apply(
    session: Session,
    client: OdooClient,
    cfg: Config,
    action: MentorAction,
    now: datetime,
    files_root: Path,
) -> str:
    values = action.values
    if action.kind == "mentor":
        return _assign_mentor(session, client, action)
    task = session.get(AssignmentTask, action.task_id) if action.task_id is not None else None
    if task is None:
        return "the task is gone"
    if action.kind == "handin":
        return _hand_in(session, client, cfg, task, action, now, files_root)
    feedback = str(values.get("feedback") or "")
    if action.kind == "changes":
        return ask_changes(session, client, cfg, task, feedback, now)
    top = values.get("max_score")
    given = (float(values["score"]), float(top) if top is not None else None, feedback)
    return score_task(session, client, cfg, task, given, now)


def _assign_mentor(session: Session, client: OdooClient, action: MentorAction) -> str:
    batch = session.get(Batch, action.batch_id)
    if batch is None or batch.odoo_event_id is None:
        return "the batch has no event in Odoo"
    login = str(action.values.get("login") or "")
    user = contacts.user_named(client, login)  # by login: names are anyone's to edit
    if user is None:
        return f"Odoo has no user with the login {login!r}"
    prefix = f"mentor:{batch.odoo_event_id}:"
    key = f"{prefix}{next_round(session, prefix)}"
    enqueue(session, events.set_responsible(key, batch.odoo_event_id, user, f"batch:{batch.id}"))
    return f"user {login} made the mentor of {batch.name}, queued for Odoo"


def _hand_in(
    session: Session,
    client: OdooClient,
    cfg: Config,
    task: AssignmentTask,
    action: MentorAction,
    now: datetime,
    files_root: Path,
) -> str:
    """A trainee's upload from the cockpit, handed in as `ojt-sidecar submit` does: posted on
    their task in Odoo as them, with the file attached."""
    assignment = session.get(Assignment, task.assignment_id)
    batch = session.get(Batch, assignment.batch_id) if assignment is not None else None
    if assignment is None or batch is None:
        return "the task is gone"
    upload = files_root / str(action.values["path"])
    try:
        done = submit(
            session,
            cfg,
            files_root,
            trainee=task.odoo_partner_id,
            batch=batch.name,
            assignment=assignment.title,
            files=[upload],
            note=str(action.values.get("note") or ""),
            content_field=profile_of(client).attachment_content,
            now=now,
        )
    except SubmissionError as exc:
        upload.unlink(missing_ok=True)  # refused: nothing will read it
        return f"not handed in: {exc}"
    upload.unlink(missing_ok=True)  # submit copied it where delivery reads it
    return "already handed in" if done.already else "handed in, queued for Odoo"
