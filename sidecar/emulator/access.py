"""Access rights and record rules for the three kinds of user the flows need.

Admin (Settings group) may do anything. An internal user lacks the officer groups of
Recruitment, eLearning and Surveys, and the settings group. A portal user reads only a few
public models, and sees only its own partner and user (record rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import project_access
from .errors import AccessError

if TYPE_CHECKING:
    from .orm import Env

_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}

# model -> groups that would grant the operation, for internal users who are refused
INTERNAL_DENIED: dict[tuple[str, str], list[str]] = {}
for _op in ("read", "write", "create", "unlink"):
    INTERNAL_DENIED[("hr.applicant", _op)] = ["Recruitment/Officer: Manage all applicants"]
    INTERNAL_DENIED[("slide.channel.partner", _op)] = ["eLearning/Officer"]
    INTERNAL_DENIED[("survey.user_input", _op)] = ["Surveys/User"]
    INTERNAL_DENIED[("ir.config_parameter", _op)] = ["Administration/Settings"]
for _op in ("write", "create", "unlink"):
    INTERNAL_DENIED[("res.users", _op)] = ["Administration/Access Rights"]
    INTERNAL_DENIED[("res.groups", _op)] = ["Administration/Access Rights"]
    INTERNAL_DENIED[("ir.model", _op)] = ["Administration/Settings"]

PORTAL_READABLE = {
    "res.partner",
    "res.users",
    "slide.channel",
    "slide.slide",
    "survey.survey",
    "event.event",
    "res.company",
    "mail.message.subtype",
}


# record rules every user is subject to, admin included: model -> the field naming the owner
OWN_ROWS = {"res.users.apikeys": "user_id"}


def user_groups(env: Env, user: dict) -> list[int]:
    """The user's groups (``groups_id``, or ``group_ids`` from 19.0 on)."""
    return list(user.get(env.version.groups_field) or [])


def role(env: Env) -> str:
    """'admin' | 'internal' | 'portal' for the env's user."""
    user = env.rows("res.users").get(env.uid)
    if user is None:
        return "portal"
    groups = set(user_groups(env, user))
    xmlids = env.store.xmlids
    if env.uid in (1, 2) or xmlids["base.group_system"][1] in groups:
        return "admin"
    if xmlids["base.group_user"][1] in groups:
        return "internal"
    return "portal"


def _model_error(env: Env, model: str, operation: str, groups: list[str]) -> AccessError:
    desc = env.spec(model).description
    head = f"You are not allowed to {_VERBS[operation]} '{desc}' ({model}) records."
    if groups:
        info = "This operation is allowed for the following groups:\n" + "\n".join(
            f"\t- {g}" for g in groups
        )
    else:
        info = "No group currently allows this operation."
    return AccessError(
        f"{head}\n\n{info}\n\nContact your administrator to request access if necessary."
    )


def allowed(env: Env, model: str, operation: str) -> bool:
    if env.su:
        return True
    kind = role(env)
    if kind == "admin":
        return True
    if kind == "internal":
        return (model, operation) not in INTERNAL_DENIED
    if project_access.allowed(env, model, operation):
        return True
    return operation == "read" and model in PORTAL_READABLE


def _denied_groups(env: Env, model: str, operation: str) -> list[str]:
    """The groups an internal user is told about; 19.0 drops the Administration category and
    also names the recruitment interviewers."""
    groups = INTERNAL_DENIED[(model, operation)]
    if env.version.major < 19:
        return groups
    if model == "hr.applicant":
        return ["Recruitment/Interviewer", *groups]
    return [g.removeprefix("Administration/") for g in groups]


def check_model(env: Env, model: str, operation: str) -> None:
    if allowed(env, model, operation):
        return
    if role(env) == "internal":
        raise _model_error(env, model, operation, _denied_groups(env, model, operation))
    if model == project_access.TASK:
        raise _model_error(env, model, operation, project_access.acl_groups(env))
    raise _model_error(env, model, operation, ["User types/Internal User"])


def restrict_domain(env: Env, model: str, domain: list) -> list:
    """Record rules as extra domain leaves (portal users see only their own partner/user;
    everyone only their own API keys)."""
    if not env.su and model in OWN_ROWS:
        return [(OWN_ROWS[model], "=", env.uid), *domain]
    if env.su or role(env) != "portal":
        return domain
    if model == "res.partner":
        return [("id", "=", env.user_partner_id), *domain]
    if model == "res.users":
        return [("id", "=", env.uid), *domain]
    return project_access.restrict(env, model, domain)


def visible(env: Env, model: str, row: dict) -> bool:
    """Whether the rules of ``OWN_ROWS`` let the env's user see a row (for one2many reads)."""
    return env.su or model not in OWN_ROWS or row.get(OWN_ROWS[model]) == env.uid


def check_records(env: Env, model: str, ids: list[int], operation: str) -> None:
    if env.su or not ids:
        return
    if model in OWN_ROWS:
        rows = env.rows(model)
        if all(visible(env, model, rows[i]) for i in ids):
            return
    elif role(env) != "portal" or project_access.check_records(env, model, ids, operation):
        return
    else:
        own = {"res.partner": env.user_partner_id, "res.users": env.uid}.get(model)
        if own is None or all(i == own for i in ids):
            return
    desc = env.spec(model).description
    if env.version.major == 16 and model == "res.users":
        raise AccessError(
            f"Due to security restrictions, you are not allowed to access '{desc}' ({model}) "
            "records.\nContact your administrator to request access if necessary."
        )
    user_name = env.display_name("res.users", env.uid)
    raise AccessError(
        "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
        f"Sorry, {user_name} (id={env.uid}) doesn't have '{operation}' access to:\n"
        f"- {desc} ({model})\n\n"
        "If you really, really need access, perhaps you can win over your friendly "
        "administrator with a batch of freshly baked cookies."
    )
