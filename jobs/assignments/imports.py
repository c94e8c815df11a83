"""`ojt-sidecar scores import FILE.csv`: scores given outside Odoo, written to each trainee's
task as a mentor would (the `score`, `max_score` and `feedback` properties on 17.0+, and the
task moved to the scored stage), and kept in the store at once. Every row gets an outcome; a
row that cannot be placed is named with its line and reason and stops nothing else.
Re-importing the same file finds every score as it is and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.assignments.finding import find_task
from jobs.odoo import projects
from jobs.odoo.profile import profile_of
from sidecar.config import Config
from sidecar.outbox import enqueue, next_round
from sidecar.scores import ScoreRow
from sidecar.store.assignment_queries import max_score_of
from sidecar.store.models import Assignment, AssignmentTask, Batch

Result = Literal["scored", "rescored", "unchanged", "rejected"]


@dataclass(frozen=True)
class Outcome:
    line: int
    result: Result
    detail: str  # the task for a score, the reason for a rejection


@dataclass(frozen=True)
class _Placed:
    row: ScoreRow
    task: AssignmentTask
    assignment: Assignment
    scored_stage: str


def import_scores(
    session: Session, client: OdooClient, cfg: Config, rows: list[ScoreRow], now: datetime
) -> list[Outcome]:
    """Place every row, then queue the Odoo writes of those that change a score. The caller
    commits (or, for a dry run, rolls back)."""
    outcomes: list[Outcome] = []
    placed: list[_Placed] = []
    for row in rows:
        found = _place(session, cfg, row)
        if isinstance(found, str):
            outcomes.append(Outcome(row.line, "rejected", found))
        else:
            placed.append(found)
    properties = projects.scores_in_properties(profile_of(client))
    changing = [p for p in placed if _changes(p)]
    current = _current_values(client, changing) if properties else {}
    stages: dict[tuple[int, str], int | None] = {}
    for item in placed:
        if not _changes(item):
            outcomes.append(Outcome(item.row.line, "unchanged", _task_text(item)))
            continue
        again = item.task.score is not None
        _write(session, client, item, current, stages, properties, now)
        outcomes.append(Outcome(item.row.line, "rescored" if again else "scored", _task_text(item)))
    return sorted(outcomes, key=lambda o: o.line)


def _place(session: Session, cfg: Config, row: ScoreRow) -> _Placed | str:
    found = find_task(session, cfg, row.trainee, row.batch, row.assignment)
    if isinstance(found, str):
        return found
    task, assignment, batch = found
    rules = cfg.program(batch.program.key).assignments
    assert rules is not None
    # an empty max_score is the assignment's own (the import removes any the task had)
    top = row.max_score
    if top is None:
        top = max_score_of(None, assignment, rules.max_score)
    if row.score > top:
        return f"score {row.score:g} is above the assignment's max_score {top:g}"
    return _Placed(row, task, assignment, rules.scored_stage)


def _changes(item: _Placed) -> bool:
    task, row = item.task, item.row
    return (task.score, task.max_score, task.feedback or None) != (
        row.score,
        row.max_score,
        row.feedback or None,
    )


def _current_values(client: OdooClient, items: list[_Placed]) -> dict[int, dict[str, Any]]:
    """The tasks' property values now: a property write replaces all of them."""
    ids = [item.task.odoo_task_id for item in items if item.task.odoo_task_id is not None]
    return {state.id: state.values for state in projects.task_states(client, ids, True)}


def _write(
    session: Session,
    client: OdooClient,
    item: _Placed,
    current: dict[int, dict[str, Any]],
    stages: dict[tuple[int, str], int | None],
    properties: bool,
    now: datetime,
) -> None:
    task, row = item.task, item.row
    assert task.odoo_task_id is not None
    # a round per change: a score set back to an earlier value is written again
    prefix = f"score-import:{task.odoo_task_id}:"
    round_ = next_round(session, prefix)
    subject = f"assignments:{item.assignment.batch_id}"
    if properties:
        values = dict(current.get(task.odoo_task_id, {}))
        values[projects.SCORE] = row.score
        values[projects.FEEDBACK] = row.feedback or False
        if row.max_score is not None:
            values[projects.MAX_SCORE] = row.max_score
        else:
            values.pop(projects.MAX_SCORE, None)
        key = f"{prefix}{round_}"
        enqueue(session, projects.write_properties(key, task.odoo_task_id, values, subject))
    place = (item.assignment.odoo_project_id, item.scored_stage)
    if place not in stages:
        stages[place] = projects.stage_named(client, *place)
    stage_id = stages[place]
    if stage_id is not None and task.stage != item.scored_stage:
        key = f"{prefix}{round_}:stage"
        enqueue(session, projects.move_to_stage(key, task.odoo_task_id, stage_id, subject))
        task.stage = item.scored_stage
    task.score, task.max_score = row.score, row.max_score
    task.feedback = row.feedback or None
    task.score_source, task.scored_at = "import", now


def _task_text(item: _Placed) -> str:
    return f"task {item.task.odoo_task_id} ({item.assignment.title})"


def score_task(
    session: Session,
    client: OdooClient,
    cfg: Config,
    task: AssignmentTask,
    given: tuple[float, float | None, str],
    now: datetime,
) -> str:
    """A score given in the cockpit (score, max_score, feedback), written to Odoo as an import
    writes it; what happened, in words."""
    assignment = session.get(Assignment, task.assignment_id)
    if assignment is None or task.odoo_task_id is None:
        return "the task is not in Odoo yet"
    batch = session.get(Batch, assignment.batch_id)
    try:
        rules = cfg.program(batch.program.key).assignments if batch is not None else None
    except KeyError:
        rules = None
    if rules is None:
        return "the program has no assignments any more"
    score, max_score, feedback = given
    top = max_score if max_score is not None else max_score_of(None, assignment, rules.max_score)
    if score > top:
        return f"score {score:g} is above the assignment's max_score {top:g}"
    row = ScoreRow(0, task.odoo_partner_id, "", assignment.title, score, max_score, feedback)
    item = _Placed(row, task, assignment, rules.scored_stage)
    if not _changes(item):
        return "unchanged"
    properties = projects.scores_in_properties(profile_of(client))
    current = _current_values(client, [item]) if properties else {}
    _write(session, client, item, current, {}, properties, now)
    return f"scored {score:g}, queued for Odoo"
