"""What a portal user meets on ``project.task`` beyond the record rules (``project_access``):
the fields it may read and write, and ``message_post``, as recorded on real servers.

- Reading a field outside the portal set is refused (16.0/17.0 refuse ``read`` without a field
  list; 18.0+ answer it with the portal fields). 17.0's ``search_read`` skips the check.
- Writing (and creating with) a field outside the portal set is refused; a field that comes
  from a ``default_`` context key is not checked.
- ``message_post``: a comment needs the Discussions subtype and a task the user sees; notifying
  followers fails in 16.0/17.0 when the task has a customer (``Access Denied``) and always in
  19.0, where inline attachments are refused first.
"""

from __future__ import annotations

from typing import Any

from .. import access, project_access
from ..errors import AccessDenied, AccessError
from ..hooks import Hooks
from ..methods import ensure_one, read, search_read
from ..orm import Env
from ..versions import Profile
from .chatter import message_post

TASK = "project.task"

READABLE = [
    "id",
    "duration_tracking",
    "message_is_follower",
    "active",
    "name",
    "description",
    "priority",
    "sequence",
    "stage_id",
    "tag_ids",
    "state",
    "is_closed",
    "create_date",
    "write_date",
    "date_assign",
    "date_deadline",
    "date_last_stage_update",
    "project_id",
    "display_in_project",
    "user_ids",
    "portal_user_names",
    "partner_id",
    "company_id",
    "color",
    "displayed_image_id",
    "parent_id",
    "child_ids",
    "subtask_count",
    "closed_subtask_count",
    "allow_milestones",
    "milestone_id",
    "has_late_and_unreached_milestone",
    "allow_task_dependencies",
    "depend_on_ids",
    "depend_on_count",
    "dependent_ids",
    "dependent_tasks_count",
    "display_parent_task_button",
    "current_user_same_company_partner",
    "display_follow_button",
    "recurring_task",
    "recurring_count",
    "recurrence_id",
    "repeat_interval",
    "repeat_unit",
    "repeat_type",
    "repeat_until",
    "display_name",
    "email_from",
]
READABLE_16 = ("kanban_state", "__last_update")
READABLE_19 = ("access_url", "access_token", "stage_id_color", "is_template")
WRITABLE_16 = [
    "name",
    "partner_id",
    "date_deadline",
    "tag_ids",
    "sequence",
    "stage_id",
    "kanban_state",
    "child_ids",
    "parent_id",
    "priority",
]
WRITABLE_17 = [
    "name",
    "description",
    "partner_id",
    "date_deadline",
    "date_last_stage_update",
    "tag_ids",
    "sequence",
    "stage_id",
    "child_ids",
    "parent_id",
    "priority",
    "state",
]
NO_FIELDS_READ_16_17 = (
    "You cannot read decoration_type, activity_ids, activity_type_id fields in task."
)


def _portal(env: Env) -> bool:
    return not env.su and access.role(env) == "portal"


def _readable(env: Env) -> list[str]:
    names = [*READABLE, *READABLE_16, *READABLE_19]
    fields = env.spec(TASK).fields
    return [f for f in names if f in fields]


def _field_error(env: Env, bad: list[str], operation: str) -> AccessError:
    major = env.version.major
    if major >= 19:
        return AccessError(
            f'You do not have enough rights to access the field "{bad[0]}" on Task ({TASK}). '
            f"Please contact your system administrator.\n\nOperation: {operation}"
        )
    if major == 18:
        verb = "read" if operation == "read" else "write on"
        return AccessError(f"You cannot {verb} the following fields on tasks: {', '.join(bad)}")
    verb = "read" if operation == "read" else "write on"
    return AccessError(f"You cannot {verb} {', '.join(bad)} fields in task.")


def _check_read(env: Env, fields: Any) -> list[str] | None:
    """The fields to read for a portal user (None: all), or the refusal."""
    readable = _readable(env)
    if not fields:
        if env.version.major < 18:
            raise AccessError(NO_FIELDS_READ_16_17)
        return readable
    bad = [f for f in fields if f not in readable and f in env.spec(TASK).fields]
    if bad:
        raise _field_error(env, bad, "read")
    return list(fields)


def task_read(
    env: Env, model: str, ids: Any, fields: Any = None, load: Any = "_classic_read"
) -> list:
    if _portal(env):
        fields = _check_read(env, fields)
    return read(env, model, ids, fields, load)


def task_search_read(
    env: Env,
    model: str,
    domain: Any = None,
    fields: Any = None,
    offset: int = 0,
    limit: Any = None,
    order: Any = None,
    load: Any = "_classic_read",
) -> list:
    if _portal(env) and env.version.major != 17:
        fields = _check_read(env, fields)
    return search_read(env, model, domain, fields, offset, limit, order, load)


def _check_write(env: Env, names: list[str]) -> None:
    writable = WRITABLE_16 if env.version.major == 16 else WRITABLE_17
    bad = [f for f in names if f not in writable]
    if bad:
        raise _field_error(env, bad, "write")


def _before_write(env: Env, ids: list[int], vals: dict) -> None:
    if _portal(env):
        _check_write(env, list(vals))


def _prepare(env: Env, vals: dict) -> None:
    if _portal(env):
        _check_write(env, [k for k in vals if f"default_{k}" not in env.context])


# -- message_post ------------------------------------------------------------------------------


def _security_error(env: Env) -> AccessError:
    next_id = env.store.tables["mail.message"].next_id
    head = (
        "The requested operation cannot be completed due to security restrictions. Please "
        "contact your system administrator.\n\n(Document type: Message, Operation: create)"
    )
    major = env.version.major
    if major >= 19:
        return AccessError(f"{head}\n\nRecords: {next_id}, User: {env.uid}")
    if major == 18:
        return AccessError(f"{head}\n\nRecords: [{next_id}], User: {env.uid}")
    return AccessError(f"{head} - (Records: [{next_id}], User: {env.uid})")


ATTACHMENT_19 = (
    "Failed to write field mail.message.attachment_ids\nYou are not allowed to access 'Attachment' "
    "(ir.attachment) records.\n\nThis operation is allowed for the following groups:\n\t- Role / "
    "User\n\nContact your administrator to request access if necessary."
)


def _check_post(env: Env, rid: int, kwargs: dict) -> None:
    major = env.version.major
    if major >= 19 and kwargs.get("attachments"):
        raise AccessError(ATTACHMENT_19)
    subtype = kwargs.get("subtype_id") or env.ref(kwargs.get("subtype_xmlid") or "mail.mt_note")
    comment = kwargs.get("message_type", "notification") == "comment"
    if rid not in project_access.visible_tasks(env) or (
        comment and subtype != env.ref("mail.mt_comment")
    ):
        raise _security_error(env)
    if env.rows("mail.message.subtype")[subtype].get("internal"):
        return
    row = env.rows(TASK)[rid]
    others = [p for p in row.get("message_partner_ids") or [] if p != env.user_partner_id]
    if not others and not kwargs.get("partner_ids"):
        return
    if major >= 19:
        raise AccessError(
            'You do not have enough rights to access the field "project_privacy_visibility" on '
            f"Task ({TASK}). Please contact your system administrator.\n\nOperation: read"
        )
    if major < 18 and row.get("partner_id"):
        raise AccessDenied()


def task_message_post(env: Env, model: str, ids: Any, **kwargs: Any) -> Any:
    if _portal(env):
        rid = ensure_one(model, ids)
        if rid in env.rows(model):
            _check_post(env, rid, kwargs)
    return message_post(env, model, ids, **kwargs)


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.methods[(TASK, "read")] = task_read
    hooks.methods[(TASK, "search_read")] = task_search_read
    hooks.methods[(TASK, "message_post")] = task_message_post
    hooks.before_write[TASK].append(_before_write)
    hooks.prepare[TASK].append(_prepare)
