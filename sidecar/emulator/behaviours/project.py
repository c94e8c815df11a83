"""The Project app, as recorded on real servers: defaults, stages and tags shared
between projects, task properties defined on the project, followers, and ``copy`` of a project
with its tasks.

The many2many between projects and stages (and tags) is one relation seen from both sides: the
project's ``type_ids`` / ``tag_ids`` and the task's ``tag_ids`` hold it, and the other side's
``project_ids`` / ``task_ids`` are computed from them and written through to them.
"""

from __future__ import annotations

from typing import Any

from .. import properties
from ..hooks import Hooks
from ..methods import ensure_one
from ..orm import Env, as_ids
from ..versions import Profile
from .base import stage_legends

PROJECT = "project.project"
TASK = "project.task"
STAGE = "project.task.type"
TAG = "project.tags"
DEFINITION = "task_properties_definition"
VALUES = "task_properties"

# project fields a copy takes over (where this version has them); the name gets " (copy)"
PROJECT_COPIED = (
    "privacy_visibility",
    "tag_ids",
    "type_ids",
    DEFINITION,
    "description",
    "label_tasks",
    "partner_id",
    "user_id",
    "company_id",
    "sequence",
    "color",
    "allow_task_dependencies",
    "allow_milestones",
)
TASK_COPIED = (
    "name",
    "description",
    "stage_id",
    "tag_ids",
    "user_ids",
    VALUES,
    "state",
    "kanban_state",
    "priority",
    "sequence",
    "date_deadline",
)


def _ir_model_id(env: Env, model: str) -> Any:
    for row in env.rows("ir.model").values():
        if row.get("model") == model:
            return row["id"]
    return False


def _project_prepare(env: Env, vals: dict) -> None:
    for key, value in (
        ("active", True),
        ("privacy_visibility", "portal"),
        ("label_tasks", "Tasks"),
        ("sequence", 10),
        ("company_id", 1),
        ("alias_contact", "everyone"),
        ("alias_defaults", "{}"),
        ("alias_id", env.store.tables[PROJECT].next_id),
        ("alias_model_id", _ir_model_id(env, TASK)),
        ("last_update_status", "to_define"),
        ("rating_status", "stage"),
        ("rating_status_period", "monthly"),
    ):
        vals.setdefault(key, value)
    vals[DEFINITION] = properties.definition(env.version.major, vals.get(DEFINITION))


def _project_before_write(env: Env, ids: list[int], vals: dict) -> None:
    if DEFINITION in vals:
        vals[DEFINITION] = properties.definition(env.version.major, vals[DEFINITION])


def _definition(env: Env, project_id: Any) -> list[dict]:
    project = env.row(PROJECT, project_id)
    return list((project or {}).get(DEFINITION) or [])


def _values_to_store(env: Env, project_id: Any, value: Any) -> dict:
    """A written ``task_properties``: the values kept, after any definition change."""
    values, new_definition = properties.split_list_form(value)
    if new_definition is not None and env.row(PROJECT, project_id) is not None:
        env.sudo().write(PROJECT, [project_id], {DEFINITION: new_definition})
    return properties.stored_values(env.version.major, _definition(env, project_id), values)


def _first_stage(env: Env, project_id: Any) -> Any:
    project = env.row(PROJECT, project_id)
    stages = [env.rows(STAGE)[s] for s in (project or {}).get("type_ids") or []]
    stages = [s for s in stages if s.get("active", True)]
    stages.sort(key=lambda s: (s.get("sequence") or 0, s["id"]))
    return stages[0]["id"] if stages else False


def _task_prepare(env: Env, vals: dict) -> None:
    for key, value in (
        ("active", True),
        ("company_id", 1),
        ("priority", "0"),
        ("sequence", 10),
        ("kanban_state", "normal"),  # 16.0
        ("state", "01_in_progress"),  # 17.0+
        ("display_in_project", True),
    ):
        vals.setdefault(key, value)
    if "stage_id" not in vals:
        vals["stage_id"] = _first_stage(env, vals.get("project_id"))
    if vals.get("stage_id"):
        vals.setdefault("date_last_stage_update", env.now)
    # a task made under a definition stores values (16.0: False for each; 17.0+: none yet)
    if vals.get(VALUES) or env.version.major == 16 or _definition(env, vals.get("project_id")):
        vals[VALUES] = _values_to_store(env, vals.get("project_id"), vals.get(VALUES) or {})


def _task_after_create(env: Env, ids: list[int]) -> None:
    """The creator and the project's followers follow a new task."""
    for rid in ids:
        row = env.rows(TASK)[rid]
        project = env.row(PROJECT, row.get("project_id")) or {}
        followers = [env.user_partner_id]
        followers += [p for p in project.get("message_partner_ids") or [] if p not in followers]
        row["message_partner_ids"] = followers


def _task_before_write(env: Env, ids: list[int], vals: dict) -> None:
    if VALUES in vals and ids:
        project_id = vals.get("project_id") or env.rows(TASK)[ids[0]].get("project_id")
        vals[VALUES] = _values_to_store(env, project_id, vals[VALUES])
    if "stage_id" in vals:
        vals.setdefault("date_last_stage_update", env.now)


def _task_properties(env: Env, row: dict) -> list[dict]:
    project = env.row(PROJECT, row.get("project_id"))
    if project is None:
        return []
    definition = project.get(DEFINITION) or []
    return properties.read_value(env.version.major, definition, row.get(VALUES))


def _stage_prepare(env: Env, vals: dict) -> None:
    for key, value in (
        ("sequence", 1),
        ("active", True),
        ("rating_status", "stage"),  # 19.0
        ("rating_status_period", "monthly"),
    ):
        vals.setdefault(key, value)


# -- the two sides of a many2many -------------------------------------------------------------


def _mirror(hooks: Hooks, model: str, field: str, owner: str, owner_field: str) -> None:
    """``model.field`` lists the ``owner`` rows whose ``owner_field`` holds the row."""
    stash = f"_{field}"

    def current(env: Env, row: dict) -> list[int]:
        return sorted(
            o for o, r in env.rows(owner).items() if row["id"] in (r.get(owner_field) or [])
        )

    def apply(env: Env, rid: int, commands: Any) -> None:
        before = current(env, env.rows(model)[rid])
        after = env._m2m_commands(before, commands)
        for oid in sorted(set(before) ^ set(after)):
            command = (4, rid) if oid in after else (3, rid)
            env.sudo().write(owner, [oid], {owner_field: [command]})

    def prepare(env: Env, vals: dict) -> None:
        if field in vals:
            vals[stash] = vals.pop(field)

    def after_create(env: Env, ids: list[int]) -> None:
        for rid in ids:
            commands = env.rows(model)[rid].pop(stash, None)
            if commands:
                apply(env, rid, commands)

    def before_write(env: Env, ids: list[int], vals: dict) -> None:
        if field in vals:
            commands = vals.pop(field)
            for rid in ids:
                apply(env, rid, commands)

    hooks.computes[model][field] = current
    hooks.prepare[model].append(prepare)
    hooks.after_create[model].append(after_create)
    hooks.before_write[model].append(before_write)


# -- methods ----------------------------------------------------------------------------------


def _followers_add(env: Env, model: str, ids: list[int], partners: list[int]) -> None:
    for rid in ids:
        row = env.rows(model)[rid]
        now = list(row.get("message_partner_ids") or [])
        env.store.touch(model, rid)
        row["message_partner_ids"] = now + [p for p in partners if p not in now]


def message_subscribe(
    env: Env, model: str, ids: Any, partner_ids: Any = None, subtype_ids: Any = None
) -> bool:
    ids = as_ids(ids)
    env.read(model, ids, ["id"])  # the caller must see the records
    _followers_add(env, model, ids, [int(p) for p in partner_ids or []])
    return True


def message_unsubscribe(env: Env, model: str, ids: Any, partner_ids: Any = None) -> None:
    """Applied, and returns None (a Fault over XML-RPC), as Odoo does."""
    gone = {int(p) for p in partner_ids or []}
    for rid in as_ids(ids):
        row = env.rows(model)[rid]
        env.store.touch(model, rid)
        row["message_partner_ids"] = [
            p for p in row.get("message_partner_ids") or [] if p not in gone
        ]


def copy_project(env: Env, rid: int, default: dict) -> int:
    """The copy: its own name, the same stages, tags and property definition, the template's
    followers plus the copier, and a copy of each task (newest first), collaborators left out."""
    spec = env.spec(PROJECT)
    template = env.rows(PROJECT)[rid]
    vals = {f: template.get(f) for f in PROJECT_COPIED if f in spec.fields and f in template}
    vals = {k: v for k, v in vals.items() if v is not None}
    vals["name"] = f"{template.get('name')} (copy)"
    vals.update(default or {})
    for fname in ("tag_ids", "type_ids"):
        ids = vals.get(fname)
        if isinstance(ids, list) and all(isinstance(i, int) for i in ids):
            vals[fname] = [(6, 0, list(ids))]
    new_id = int(env.create(PROJECT, vals))
    followers = [env.user_partner_id, *(template.get("message_partner_ids") or [])]
    _followers_add(env, PROJECT, [new_id], sorted(set(followers)))
    task_spec = env.spec(TASK)
    tasks = [t for t in env.rows(TASK).values() if t.get("project_id") == rid and t.get("active")]
    for task in sorted(tasks, key=lambda t: t["id"], reverse=True):
        task_vals = {f: task[f] for f in TASK_COPIED if f in task_spec.fields and f in task}
        for fname in ("tag_ids", "user_ids"):
            task_vals[fname] = [(6, 0, list(task.get(fname) or []))]
        task_vals[VALUES] = dict(task.get(VALUES) or {})
        env.create(TASK, {**task_vals, "project_id": new_id})
    return new_id


def copy(env: Env, model: str, ids: Any, default: Any = None) -> Any:
    """``project.project.copy``: the new id (18.0+: a list of ids)."""
    rid = ensure_one(model, ids)
    env.read(model, [rid], ["id"])
    new_id = copy_project(env, rid, dict(default or {}))
    return [new_id] if env.version.major >= 18 else new_id


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[PROJECT].append(_project_prepare)
    hooks.before_write[PROJECT].append(_project_before_write)
    hooks.prepare[TASK].append(_task_prepare)
    hooks.after_create[TASK].append(_task_after_create)
    hooks.before_write[TASK].append(_task_before_write)
    hooks.computes[TASK][VALUES] = _task_properties
    hooks.prepare[STAGE].append(stage_legends)
    hooks.prepare[STAGE].append(_stage_prepare)
    for model in (PROJECT, TASK):
        hooks.kept[model].add("message_partner_ids")
        hooks.methods[(model, "message_subscribe")] = message_subscribe
        hooks.methods[(model, "message_unsubscribe")] = message_unsubscribe
    hooks.methods[(PROJECT, "copy")] = copy
    _mirror(hooks, STAGE, "project_ids", PROJECT, "type_ids")
    _mirror(hooks, TAG, "project_ids", PROJECT, "tag_ids")
    _mirror(hooks, TAG, "task_ids", TASK, "tag_ids")

    @hooks.compute(PROJECT, "task_count")
    def task_count(env: Env, row: dict) -> int:
        return sum(
            1
            for t in env.rows(TASK).values()
            if t.get("project_id") == row["id"] and t.get("active")
        )
