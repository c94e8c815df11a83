"""One pass over every program with assignments: per batch, its project, its assignments, each
participant's tasks, and what happened to them. Reads here; writes go to the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.assignments.progress import follow_tasks, read_tasks
from jobs.assignments.projects import ensure_project, keep_assignments
from jobs.assignments.tasks import keep_tasks
from jobs.odoo import projects
from jobs.odoo.profile import profile_of
from jobs.participants import Placement
from sidecar.config import Config
from sidecar.config.assignments import Assignments
from sidecar.config.programs import Program as ProgramConfig
from sidecar.figures.assignments import assignment_figures
from sidecar.statuses import BatchStatus
from sidecar.store.assignment_queries import results_of
from sidecar.store.models import Assignment, AssignmentTask, Batch, Program, Student
from sidecar.store.queue import queue_partners


@dataclass
class AssignmentReport:
    """What one pass did, for the sync's summary."""

    projects_queued: int = 0  # copies of the template for new batches
    tasks_queued: int = 0  # participants' tasks to make
    handed_in: int = 0  # tasks newly seen handed in
    scored: int = 0  # scores newly read from Odoo
    problems: list[str] = field(default_factory=list)  # a template that cannot be found, say


def sync_assignments(
    session: Session, client: OdooClient, cfg: Config, now: datetime
) -> AssignmentReport:
    report = AssignmentReport()
    for configured in cfg.programs:
        if configured.assignments is None:
            continue
        program = session.scalar(select(Program).where(Program.key == configured.key))
        if program is None or not program.active:
            continue
        problem = _program(session, client, program, configured, now, report)
        if problem:
            report.problems.append(f"assignments of {configured.key}: {problem}")
    return report


def _program(
    session: Session,
    client: OdooClient,
    program: Program,
    configured: ProgramConfig,
    now: datetime,
    report: AssignmentReport,
) -> str | None:
    rules = configured.assignments
    assert rules is not None
    found = projects.find_template(client, rules.template_project)
    if len(found) != 1:
        what = "is not a project in Odoo" if not found else "names two projects; give its id"
        return f"the template project {rules.template_project!r} {what}"
    is_template_field = projects.has_field(client, projects.PROJECT, "is_template")
    placement = Placement(session, program.id, configured.batch_approval)
    members: dict[int, list[Student]] = {}
    trainees = select(Student).where(Student.program_id == program.id, Student.excluded.is_(None))
    for student in session.scalars(trainees):
        batch = placement.batch_of(student)
        if batch is not None:
            members.setdefault(batch.id, []).append(student)
    for placed in placement.batches:
        batch = session.get(Batch, placed.id)
        assert batch is not None
        is_open = batch.status == BatchStatus.OPEN
        if not is_open and batch.project_key is None:
            continue  # done before it had assignments: nothing to follow
        unqueued = batch.project_key is None
        project_id = ensure_project(
            session, batch, found[0][0], is_template_field=is_template_field
        )
        report.projects_queued += unqueued and batch.project_key is not None
        if project_id is None:
            continue  # the copy is on its way
        _follow(session, client, batch, project_id, members.get(batch.id, []), rules, now, report)
    cancelled = session.scalars(
        select(Batch).where(
            Batch.program_id == program.id,
            Batch.status == BatchStatus.CANCELLED,
            Batch.odoo_project_id.is_not(None),
        )
    )
    for batch in cancelled:  # nobody is in it any more: every task archived
        assert batch.odoo_project_id is not None
        _follow(session, client, batch, batch.odoo_project_id, [], rules, now, report)
    return None


def _follow(
    session: Session,
    client: OdooClient,
    batch: Batch,
    project_id: int,
    participants: list[Student],
    rules: Assignments,
    now: datetime,
    report: AssignmentReport,
) -> None:
    """One batch whose project exists: its assignments, its participants' tasks, their state."""
    profile = profile_of(client)
    properties = projects.scores_in_properties(profile)
    tasks = projects.assignment_tasks(client, project_id, properties)
    assignments = keep_assignments(session, batch, project_id, tasks)
    queued, rows = keep_tasks(
        session,
        batch,
        project_id,
        assignments,
        participants,
        collaborator=projects.collaborator_access(client),
        make_new=batch.status in (BatchStatus.OPEN, BatchStatus.CANCELLED),
    )
    report.tasks_queued += queued
    reading = read_tasks(client, rows, properties)
    by_id = {a.id: a for a in assignments}
    handed, scored = follow_tasks(
        session, rows, by_id, reading, rules, properties=properties, now=now
    )
    report.handed_in += handed
    report.scored += scored
    _averages(session, assignments, rows, participants, rules)


def _averages(
    session: Session,
    assignments: list[Assignment],
    rows: list[AssignmentTask],
    participants: list[Student],
    rules: Assignments,
) -> None:
    """Each participant's assignment average, kept on the student for the progress figures
    (`weights.assessment_parts`); a change queues them for a recompute."""
    results = results_of(assignments, rows, [p.id for p in participants], rules.max_score)
    changed = []
    for student in participants:
        average = assignment_figures(results[student.id], rules.unscored).average
        if student.assignment_average != average:
            student.assignment_average = average
            changed.append(student.odoo_partner_id)
    queue_partners(session, changed)
