"""A mentor asks for changes to a hand-in from the cockpit: their feedback in the task's
`feedback` property (17.0+), the task moved to the program's `changes_stage`, and a comment on
the task addressed to the trainee, so Odoo mails it and the portal shows it."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.odoo import mail, projects
from jobs.odoo.profile import profile_of
from sidecar.config import Config
from sidecar.outbox import enqueue, next_round
from sidecar.store.models import Assignment, AssignmentTask, Batch


def ask_changes(
    session: Session,
    client: OdooClient,
    cfg: Config,
    task: AssignmentTask,
    feedback: str,
    now: datetime,
) -> str:
    """Queue the writes; what happened, in words."""
    assignment = session.get(Assignment, task.assignment_id)
    batch = session.get(Batch, assignment.batch_id) if assignment is not None else None
    if assignment is None or batch is None or task.odoo_task_id is None:
        return "the task is not in Odoo yet"
    try:
        rules = cfg.program(batch.program.key).assignments
    except KeyError:
        rules = None
    if rules is None:
        return "the program has no assignments any more"
    prefix = f"changes:{task.odoo_task_id}:"
    round_ = next_round(session, prefix)
    subject = f"assignments:{batch.id}"
    if projects.scores_in_properties(profile_of(client)):
        current = projects.task_states(client, [task.odoo_task_id], True)
        values = dict(current[0].values) if current else {}
        values[projects.FEEDBACK] = feedback
        key = f"{prefix}{round_}:feedback"
        enqueue(session, projects.write_properties(key, task.odoo_task_id, values, subject))
    stage = projects.stage_named(client, assignment.odoo_project_id, rules.changes_stage)
    if stage is not None:
        key = f"{prefix}{round_}:stage"
        enqueue(session, projects.move_to_stage(key, task.odoo_task_id, stage, subject))
        task.stage = rules.changes_stage
    ref = f"{prefix}{round_}"
    body = (
        f"<p>Changes requested on <b>{escape(assignment.title)}</b>:</p>"
        f"<p>{escape(feedback)}</p><p>Ref. {escape(ref)}</p>"
    )
    enqueue(
        session,
        mail.post(
            f"{ref}:comment",
            subject,
            model=projects.TASK,
            res_id=task.odoo_task_id,
            body_html=body,
            found_by=(f"Ref. {ref}",),
            summary=f"ask for changes on task {task.odoo_task_id}",
            email_to=task.odoo_partner_id,
        ),
    )
    task.feedback = feedback[:2000]
    where = f"moved to {rules.changes_stage!r}" if stage is not None else "no such stage"
    return f"changes requested ({where}), queued for Odoo"
