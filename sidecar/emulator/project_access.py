"""What a portal user may do with the Project app, as recorded on real servers.

Reading: a task of a ``portal`` project is visible to a partner that follows the task; 16.0 and
17.0 also show every task of a project the partner follows, 18.0+ every task of a project where
the partner is a collaborator without ``limited_access``. A project is visible to its followers.
Stages and tags are readable.

Writing: the project-sharing access right exists only while some ``project.collaborator`` row
exists (the first one switches it on for the whole database), and then a visible task may be
written by a collaborator of its project, within the fields a portal user may write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import AccessError

if TYPE_CHECKING:
    from .orm import Env

PROJECT = "project.project"
TASK = "project.task"
COLLABORATOR = "project.collaborator"
READABLE = {PROJECT, TASK, "project.task.type", "project.tags", COLLABORATOR}


def _partner(env: Env) -> int:
    return env.user_partner_id


def _followers(row: dict) -> list[int]:
    return list(row.get("message_partner_ids") or [])


def _collaborations(env: Env) -> dict[int, bool]:
    """project id -> whether the user's partner collaborates there with full access."""
    partner = _partner(env)
    found: dict[int, bool] = {}
    for row in env.rows(COLLABORATOR).values():
        if row.get("partner_id") == partner and row.get("project_id"):
            full = not row.get("limited_access")
            found[row["project_id"]] = found.get(row["project_id"], False) or full
    return found


def sharing_enabled(env: Env) -> bool:
    """The project-sharing ACL: active while any collaborator row exists."""
    return bool(env.rows(COLLABORATOR))


def visible_projects(env: Env) -> set[int]:
    partner = _partner(env)
    return {
        rid
        for rid, row in env.rows(PROJECT).items()
        if row.get("privacy_visibility") == "portal" and partner in _followers(row)
    }


def visible_tasks(env: Env) -> set[int]:
    partner = _partner(env)
    projects = env.rows(PROJECT)
    if env.version.major >= 18:
        through_project = {pid for pid, full in _collaborations(env).items() if full}
    else:
        through_project = visible_projects(env)
    result = set()
    for rid, row in env.rows(TASK).items():
        project = projects.get(row.get("project_id") or 0)
        if project is None or project.get("privacy_visibility") != "portal":
            continue
        if partner in _followers(row) or row.get("project_id") in through_project:
            result.add(rid)
    return result


def writable_tasks(env: Env) -> set[int]:
    projects = set(_collaborations(env))
    rows = env.rows(TASK)
    return {rid for rid in visible_tasks(env) if rows[rid].get("project_id") in projects}


def restrict(env: Env, model: str, domain: list) -> list:
    """The portal record rules of the project models, as a leading domain leaf."""
    if model == TASK:
        return [("id", "in", sorted(visible_tasks(env))), *domain]
    if model == PROJECT:
        return [("id", "in", sorted(visible_projects(env))), *domain]
    return domain


def allowed(env: Env, model: str, operation: str) -> bool:
    if operation == "read":
        return model in READABLE
    return model == TASK and operation in ("write", "create") and sharing_enabled(env)


def acl_groups(env: Env) -> list[str]:
    """The groups the refused task write names."""
    major = env.version.major
    if major == 16:
        return ["Project/User"]
    return ["Project/User", "Role / User" if major >= 19 else "User types/Internal User"]


def check_records(env: Env, model: str, ids: list[int], operation: str) -> bool:
    """True when the project rules decide for ``model`` (raising if they refuse)."""
    if model not in (TASK, PROJECT):
        return False
    if model == PROJECT:
        allowed_ids = visible_projects(env) if operation == "read" else set()
    else:
        allowed_ids = visible_tasks(env) if operation == "read" else writable_tasks(env)
    if all(i in allowed_ids for i in ids):
        return True
    raise rule_error(env, model, operation)


def rule_error(env: Env, model: str, operation: str) -> AccessError:
    desc = env.spec(model).description
    if env.version.major == 16:
        verb = "access" if operation == "read" else "modify"
        return AccessError(
            f"Due to security restrictions, you are not allowed to {verb} '{desc}' ({model}) "
            "records.\n\nContact your administrator to request access if necessary."
        )
    user_name = env.display_name("res.users", env.uid)
    return AccessError(
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, {user_name} (id={env.uid}) doesn't have '{operation}' access to:\n"
        f"- {desc} ({model})\n\n"
        "If you really, really need access, perhaps you can win over your friendly "
        "administrator with a batch of freshly baked cookies."
    )
