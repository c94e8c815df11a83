"""What became of each participant's task: handed in (a submitted or scored stage, or a comment
with files by the trainee), late, scored (17.0+: the `score` property of a task in the scored
stage), and the score told to the trainee once, since Odoo does not track property changes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.incremental import odoo_datetime
from jobs.odoo import mail, projects
from sidecar.config.assignments import Assignments
from sidecar.outbox import enqueue, next_round
from sidecar.store.assignment_queries import max_score_of
from sidecar.store.models import Assignment, AssignmentTask


@dataclass(frozen=True)
class Reading:
    """One cycle's view of a batch's tasks in Odoo."""

    states: dict[int, projects.TaskState]
    handed_in: dict[tuple[int, int], str]  # (task, author) → first comment with files


def read_tasks(client: OdooClient, rows: Sequence[AssignmentTask], properties: bool) -> Reading:
    ids = sorted({r.odoo_task_id for r in rows if r.odoo_task_id is not None})
    states = {s.id: s for s in projects.task_states(client, ids, properties)}
    return Reading(states, projects.handed_in(client, ids))


def follow_tasks(
    session: Session,
    rows: Sequence[AssignmentTask],
    assignments: dict[int, Assignment],
    reading: Reading,
    rules: Assignments,
    *,
    properties: bool,
    now: datetime,
) -> tuple[int, int]:
    """Returns how many tasks were newly seen handed in, and newly scored (or rescored)."""
    handed, scored = 0, 0
    for row in rows:
        state = reading.states.get(row.odoo_task_id or 0)
        if state is None:
            continue
        assignment = assignments[row.assignment_id]
        row.stage = state.stage
        if row.submitted_at is None:
            row.submitted_at = _handed_in_at(row, state, reading, rules)
            handed += row.submitted_at is not None
        row.late = _late(assignment.deadline, row.submitted_at, now)
        if properties:
            before = row.score
            _take_score(row, state, assignment, rules, now)
            scored += row.score is not None and row.score != before
        _tell(session, row, assignment, rules)
    return handed, scored


def _handed_in_at(
    row: AssignmentTask, state: projects.TaskState, reading: Reading, rules: Assignments
) -> datetime | None:
    moments: list[datetime] = []
    stages = (*rules.submitted_stages, rules.scored_stage)
    if state.stage in stages and state.stage_changed:
        moments.append(odoo_datetime(state.stage_changed))
    posted = reading.handed_in.get((state.id, row.odoo_partner_id))
    if posted:
        moments.append(odoo_datetime(posted))
    return min(moments) if moments else None


def _late(deadline: date | None, submitted_at: datetime | None, now: datetime) -> bool:
    if deadline is None:
        return False
    handed = submitted_at if submitted_at is not None else now
    return handed.date() > deadline


def _take_score(
    row: AssignmentTask,
    state: projects.TaskState,
    assignment: Assignment,
    rules: Assignments,
    now: datetime,
) -> None:
    """On 17.0+ Odoo is where scores live: the task's properties in the scored stage win."""
    scored = state.stage == rules.scored_stage
    # A score typed as text is no score: the task stays unscored, and is named as such.
    score = projects.number(state.values.get(projects.SCORE)) if scored else None
    max_score = projects.number(state.values.get(projects.MAX_SCORE))
    feedback = state.values.get(projects.FEEDBACK) if scored else None
    feedback_text = str(feedback)[:2000] if isinstance(feedback, str) else None
    if score is None and row.score_source == "import" and not scored:
        return  # imported, and not yet moved to the scored stage in Odoo
    if (row.score, row.max_score, row.feedback) != (score, max_score, feedback_text):
        row.score, row.max_score, row.feedback = score, max_score, feedback_text
        row.score_source = "odoo" if score is not None else None
        row.scored_at = now if score is not None else None


def _tell(
    session: Session, row: AssignmentTask, assignment: Assignment, rules: Assignments
) -> None:
    """A note to the trainee on their task, once per score (and feedback) they get."""
    if row.score is None or row.odoo_task_id is None:
        return
    top = max_score_of(row, assignment, rules.max_score)
    if not 0 <= row.score <= top:
        return  # out of range: the mentor's review To-Do names it; nothing to tell yet
    digest = hashlib.sha256(f"{row.score:g}/{top:g}/{row.feedback or ''}".encode()).hexdigest()
    if row.told == digest:
        return
    prefix = f"assignment-score:{row.odoo_task_id}:"
    enqueue(
        session,
        mail.post(
            f"{prefix}{next_round(session, prefix)}",
            f"assignments:{assignment.batch_id}",
            model=projects.TASK,
            res_id=row.odoo_task_id,
            body_html=projects.score_text(row.score, top, row.feedback),
            found_by=(f"{row.score:g} / {top:g}",),
            summary=f"tell contact {row.odoo_partner_id} their score on task {row.odoo_task_id}",
            email_to=row.odoo_partner_id,
        ),
    )
    row.told = digest
