"""The Project app, where assignments live (docs/odoo-notes.md §23): a template project copied
per batch, its top-level tasks (the assignments), one subtask per participant that only that
trainee follows, the trainee as a collaborator so they can move their own stage, the score and
feedback as task properties (17.0+), and files handed in as comments on the task.

Writes are outbox rows; each is found again by what only it carries."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from connectors import OdooClient
from jobs.odoo.mail import MESSAGE
from jobs.odoo.profile import OdooProfile, profile_of
from jobs.odoo.reads import AppNeeds, as_text, find_named, m2o
from sidecar.outbox import Lookup, Write

PROJECT = "project.project"
TASK = "project.task"
STAGE = "project.task.type"
COLLABORATOR = "project.collaborator"
VALUES = "task_properties"
# The properties a mentor fills in (docs/guide-mentors.md); a template task may set the last two.
SCORE, FEEDBACK, MAX_SCORE, WEIGHT = "score", "feedback", "max_score", "weight"
TASK_FIELDS = ("name", "description", "date_deadline", "parent_id")  # parent_id: in the domain
STATE_FIELDS = ("stage_id", "date_last_stage_update", "active")
NEEDS = AppNeeds(
    "Project",
    (PROJECT, TASK, STAGE, COLLABORATOR, MESSAGE),
    ((PROJECT, "create"), (TASK, "create"), (TASK, "write"), (COLLABORATOR, "create")),
    ((PROJECT, ("name",)), (TASK, TASK_FIELDS + STATE_FIELDS), (STAGE, ("name",))),
)


def scores_in_properties(profile: OdooProfile) -> bool:
    """16.0 cannot search properties, and reading a task faults over XML-RPC once its project's
    definition gained a property: there, scores come from `ojt-sidecar scores import`."""
    return profile.major >= 17


def find_template(client: OdooClient, ref: int | str) -> list[tuple[int, str]]:
    """The template project the config names by id or exact name: (id, name) of at most two
    (two: the name is ambiguous); archived projects are not templates."""
    return find_named(client, PROJECT, ref, limit=2)


def copy_project(key: str, template_id: int, name: str, *, is_template_field: bool) -> Write:
    """The batch's project: a copy of the template with its tasks, stages and property
    definition. 19.0's own templates (`is_template`) would copy as templates: not this one."""
    default: dict[str, Any] = {"name": name}
    if is_template_field:
        default["is_template"] = False
    return Write(
        key=key,
        model=PROJECT,
        method="copy",
        ids=[template_id],
        params={"default": default},
        lookup=Lookup(PROJECT, [("name", "=", name)]),
        summary=f"copy the template project {template_id} as {name!r}",
    )


def has_field(client: OdooClient, model: str, name: str) -> bool:
    return name in client.fields_get(model, attributes=["type"])


@dataclass(frozen=True)
class TemplateTask:
    """A top-level task of a batch's project: an assignment."""

    id: int
    name: str
    description: str | None
    deadline: str | None  # "YYYY-MM-DD" (a datetime on 17.0+, cut to its date)
    weight: float | None
    max_score: float | None


def assignment_tasks(client: OdooClient, project_id: int, with_properties: bool) -> list[Any]:
    """The project's active top-level tasks, in Odoo's order (sequence, then id)."""
    fields = [*TASK_FIELDS, *([VALUES] if with_properties else [])]
    rows = client.search_read_list(
        TASK,
        [("project_id", "=", project_id), ("parent_id", "=", False)],
        fields,
        order="sequence, id",
    )
    found = []
    for row in rows:
        values = property_values(row.get(VALUES))
        deadline = as_text(row.get("date_deadline"))
        found.append(
            TemplateTask(
                id=int(row["id"]),
                name=as_text(row.get("name")) or f"Task {row['id']}",
                description=as_text(row.get("description")),
                deadline=deadline[:10] if deadline else None,
                weight=number(values.get(WEIGHT)),
                max_score=number(values.get(MAX_SCORE)),
            )
        )
    return found


def property_values(value: Any) -> dict[str, Any]:
    """Task properties as read (the definition with a `value` per property; 19.0 leaves the key
    out when empty) → {name: value}, empty values left out."""
    if not isinstance(value, list):
        return {}
    found: dict[str, Any] = {}
    for prop in value:
        if isinstance(prop, dict) and isinstance(prop.get("name"), str):
            current = prop.get("value", False)
            if current not in (False, None, ""):
                found[prop["name"]] = current
    return found


def number(value: Any) -> float | None:
    """A property value as a number: Odoo does not validate values, so text is not a score."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def create_participant_task(
    key: str,
    *,
    project_id: int,
    parent_id: int,
    name: str,
    description: str | None,
    deadline: str | None,
    subject: str,
) -> Write:
    """The participant's own task, a subtask of the assignment (`parent_id`) with its
    description and deadline. No customer (`partner_id`): on 16.0 and 17.0 it would stop the
    trainee from posting on it."""
    vals: dict[str, Any] = {
        "name": name,
        "project_id": project_id,
        "parent_id": parent_id,
        "description": description or False,
        "date_deadline": deadline or False,
    }
    return Write(
        key=key,
        model=TASK,
        method="create",
        params={"vals_list": vals},
        lookup=Lookup(
            TASK,
            [("project_id", "=", project_id), ("parent_id", "=", parent_id), ("name", "=", name)],
        ),
        summary=f"create the task {name!r}",
        subject=subject,
    )


def follow(key: str, task_id: Any, partner_id: int, subject: str) -> Write:
    """The trainee follows their own task: that is what lets a portal user see it (and only it:
    they never follow the project)."""
    return Write(
        key=key,
        model=TASK,
        method="message_subscribe",
        ids=[task_id],
        params={"partner_ids": [partner_id]},
        summary=f"make contact {partner_id} follow their task",
        subject=subject,
    )


def collaborator_access(client: OdooClient) -> dict[str, Any] | None:
    """What a trainee's collaborator row needs so that they can move their own task's stage
    without seeing the others' tasks (docs/odoo-notes.md §23), read from the model's fields:
    - 16.0, 17.0: nothing (a collaborator sees only the tasks they follow);
    - 18.0, 19.0: `limited_access: True` (without it a collaborator sees every task);
    - a model with a three-way `access_mode` (view / edit / advanced_edit, where `edit` is the
      limited one, as later versions are reported to have): `access_mode: edit`;
    - anything else: None, and no row is made: trainees then hand in by posting files (or
      `ojt-sidecar submit`) rather than risk seeing every task."""
    fields = client.fields_get(COLLABORATOR, attributes=["type", "selection"])
    if "limited_access" in fields:
        return {"limited_access": True}
    modes = {str(v[0]) for v in fields.get("access_mode", {}).get("selection") or []}
    if {"edit", "advanced_edit"} <= modes:
        return {"access_mode": "edit"}
    if "access_mode" in fields:
        return None
    return {} if profile_of(client).major <= 17 else None


def add_collaborator(
    key: str, project_id: int, partner_id: int, access: dict[str, Any], *, subject: str
) -> Write:
    """A collaborator row lets the trainee move their own task's stage (`collaborator_access`
    says how). Made directly: the share wizard would make them follow the project, which shows
    every task on 16.0 and 17.0."""
    vals: dict[str, Any] = {"project_id": project_id, "partner_id": partner_id, **access}
    return Write(
        key=key,
        model=COLLABORATOR,
        method="create",
        params={"vals_list": vals},
        lookup=Lookup(
            COLLABORATOR, [("project_id", "=", project_id), ("partner_id", "=", partner_id)]
        ),
        summary=f"make contact {partner_id} a collaborator of project {project_id}",
        subject=subject,
    )


def collaborators(client: OdooClient, project_id: int) -> set[int]:
    rows = client.search_read_list(COLLABORATOR, [("project_id", "=", project_id)], ["partner_id"])
    return {p for p in (m2o(r.get("partner_id")) for r in rows) if p is not None}


@dataclass(frozen=True)
class TaskState:
    id: int
    stage: str | None
    stage_changed: str | None  # UTC text
    active: bool
    values: dict[str, Any]  # property values ({} on 16.0)


def task_states(client: OdooClient, ids: list[int], with_properties: bool) -> list[TaskState]:
    """The participants' tasks as they are now, archived ones included."""
    if not ids:
        return []
    fields = [*STATE_FIELDS, *([VALUES] if with_properties else [])]
    rows = client.read(TASK, ids, fields, context={"active_test": False})
    stage_ids = sorted({s for s in (m2o(r.get("stage_id")) for r in rows) if s is not None})
    names = {
        int(r["id"]): as_text(r.get("name")) or ""
        for r in (client.read(STAGE, stage_ids, ["name"]) if stage_ids else [])
    }
    return [
        TaskState(
            id=int(r["id"]),
            stage=names.get(m2o(r.get("stage_id")) or 0),
            stage_changed=as_text(r.get("date_last_stage_update")),
            active=bool(r.get("active", True)),
            values=property_values(r.get(VALUES)),
        )
        for r in rows
    ]


def handed_in(client: OdooClient, ids: list[int]) -> dict[tuple[int, int], str]:
    """Comments with files on these tasks: (task, author partner) → the first one's date. A
    trainee's own post and one the integration made for them (`author_id`) look the same."""
    if not ids:
        return {}
    rows = client.search_read_list(
        MESSAGE,
        [
            ("model", "=", TASK),
            ("res_id", "in", ids),
            ("message_type", "=", "comment"),
            ("attachment_ids", "!=", False),
        ],
        ["res_id", "author_id", "date"],
        order="date, id",
    )
    found: dict[tuple[int, int], str] = {}
    for row in rows:
        author = m2o(row.get("author_id"))
        if author is not None:
            found.setdefault((int(row["res_id"]), author), as_text(row.get("date")) or "")
    return found


def write_properties(key: str, task_id: int, values: dict[str, Any], subject: str) -> Write:
    """A property write replaces every value of the task: `values` must be all of them."""
    summary = f"write the score on task {task_id}"
    return _task_write(key, task_id, {VALUES: values}, summary, subject)


def set_task_active(key: str, task_id: int, active: bool, subject: str) -> Write:
    """Archive a task whose trainee left the batch (or whose batch was cancelled), or restore
    it when they are back."""
    summary = f"{'restore' if active else 'archive'} task {task_id}"
    return _task_write(key, task_id, {"active": active}, summary, subject)


def move_to_stage(key: str, task_id: int, stage_id: int, subject: str) -> Write:
    summary = f"move task {task_id} to stage {stage_id}"
    return _task_write(key, task_id, {"stage_id": stage_id}, summary, subject)


def _task_write(key: str, task_id: int, vals: dict[str, Any], summary: str, subject: str) -> Write:
    return Write(
        key=key,
        model=TASK,
        method="write",
        ids=[task_id],
        params={"vals": vals},
        summary=summary,
        subject=subject,
    )


def stage_named(client: OdooClient, project_id: int, name: str) -> int | None:
    rows = client.search_read_list(
        STAGE, [("project_ids", "in", [project_id]), ("name", "=", name)], ["name"], limit=1
    )
    return int(rows[0]["id"]) if rows else None


def score_text(score: float, max_score: float, feedback: str | None) -> str:
    """The note the trainee gets once a score is set (Odoo does not track property changes)."""
    text = f"<p>Your work was scored <b>{score:g} / {max_score:g}</b>.</p>"
    if feedback:
        text += f"<p>Feedback: {html.escape(feedback)}</p>"
    return text
