"""Sharing a project with the stock wizard (``project.share.wizard``), as recorded on real
servers (docs/odoo-notes.md §23); what the portal user then sees is ``project_access``'s business.

16.0 and 17.0: the wizard names ``partner_ids`` and an ``access_mode``; creating it changes
nothing. Sending it (16.0's ``action_send_mail``; 17.0's ``action_share_record``, which calls it)
in ``edit`` mode makes each partner a collaborator, posts the invitation note to each and has
them follow the project, and answers ``act_window_close``; ``read`` mode only sends the invitation.

18.0+: ``project.project.action_open_share_project_wizard`` gives the context, and the wizard
takes ``collaborator_ids`` lines (``project.share.collaborator.wizard``: read / edit_limited /
edit). Creating it applies the lines at once: collaborators are added, re-moded or removed, the
partners follow the project and share partners that are no longer listed stop following it;
19.0 also subscribes each new full-edit collaborator to every task. ``action_share_record`` sets
the project ``portal``, sends the invitations and answers a ``display_notification``; with no
line it answers None. From 17.0, a partner without a user while sign-up is "on invitation" (the
default) gets a confirmation dialog instead. 20.0 behaves as 19.0 here.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..errors import missing_record
from ..hooks import Hooks
from ..methods import ensure_one
from ..orm import Env
from ..registry import ModelSpec
from ..versions import Profile
from .chatter import message_post
from .mail import escape_text, subscribe
from .project import message_unsubscribe

WIZARD = "project.share.wizard"
LINE = "project.share.collaborator.wizard"
PROJECT = "project.project"
TASK = "project.task"
COLLABORATOR = "project.collaborator"
EDIT_MODES = ("edit", "edit_limited")
CLOSE = {"type": "ir.actions.act_window_close"}
WARNING = (
    "The project cannot be shared with the recipient(s) because the privacy of the project is "
    "too restricted. Set the privacy to 'Visible by following customers' in order to make it "
    "accessible by the recipient(s)."
)


def adapt_specs(specs: dict[str, ModelSpec]) -> None:
    """The line model of 18.0+ is a wizard of its own, with Odoo's description."""
    spec = specs.get(LINE)
    if spec is not None:
        spec.description = "Project Sharing Collaborator Wizard"
        spec.transient = True


# -- partners, the project and its collaborators -------------------------------------------------


def _users(env: Env, partner_id: int) -> list[dict]:
    rows = env.rows("res.users").values()
    return [u for u in rows if u.get("partner_id") == partner_id and u.get("active")]


def _is_share(env: Env, partner_id: int) -> bool:
    """``partner_share``: the partner has no internal user (internal users never collaborate)."""
    internal = env.ref("base.group_user")
    groups = env.version.groups_field
    return not any(internal in (u.get(groups) or []) for u in _users(env, partner_id))


def _collaborators(env: Env, project_id: int) -> dict[int, dict]:
    """partner id -> its collaborator row on the project."""
    rows = env.rows(COLLABORATOR).values()
    return {c["partner_id"]: c for c in rows if c.get("project_id") == project_id}


def _add_collaborator(env: Env, project_id: int, partner_id: int, limited: bool) -> None:
    vals: dict[str, Any] = {"project_id": project_id, "partner_id": partner_id}
    if "limited_access" in env.spec(COLLABORATOR).fields:
        vals["limited_access"] = limited
    env.sudo().create(COLLABORATOR, vals)


def _wizard(env: Env, model: str, ids: Any) -> dict:
    rid = ensure_one(model, ids)
    row = env.row(WIZARD, rid)
    if row is None:
        raise missing_record(WIZARD, [rid], env.uid)
    return row


def _project(env: Env, wizard: dict) -> dict:
    """The shared project (unrecorded: any other target reads as a missing project)."""
    res_id = wizard.get("res_id") or 0
    row = env.row(PROJECT, res_id) if wizard.get("res_model") == PROJECT else None
    if row is None:
        raise missing_record(PROJECT, [res_id], env.uid)
    return row


def _lines(env: Env, wizard_id: int) -> list[dict]:
    rows = env.rows(LINE).values() if LINE in env.store.tables else []
    return sorted(
        (r for r in rows if r.get("parent_wizard_id") == wizard_id), key=lambda r: r["id"]
    )


# -- the share link and the invitation ------------------------------------------------------------


def base_url(env: Env) -> str:
    """The `web.base.url` system parameter, as Odoo builds its links from it."""
    for row in env.rows("ir.config_parameter").values():
        if row.get("key") == "web.base.url" and row.get("value"):
            return str(row["value"])
    return "http://localhost:8069"


def share_link(env: Env, project: dict) -> str:
    """The project's public link; reading it gives the project its access token."""
    if not project.get("access_token"):
        env.sudo().write(PROJECT, [project["id"]], {"access_token": str(uuid.uuid4())})
    token = project["access_token"]
    return f"{base_url(env)}/mail/view?model={PROJECT}&res_id={project['id']}&access_token={token}"


def _invite(env: Env, project: dict, partner_id: int, note: Any) -> None:
    """The invitation: a note on the project naming the partner, so an e-mail to it that fails
    at once (no SMTP server). The subject is recorded; the body is not (ours is short)."""
    name = env.display_name(PROJECT, project["id"])
    lead = "You are invited to access" if env.version.major == 16 else "Invitation to access"
    link = f"{share_link(env, project)}&pid={partner_id}"
    body = (
        f"<div>Hello {escape_text(env.display_name('res.partner', partner_id))},<br/><br/>"
        f'You have been invited to access the project <a href="{link}">{escape_text(name)}</a>.'
        + (f"<br/><br/>{escape_text(str(note))}" if note else "")
        + "</div>"
    )
    message_post(
        env,
        PROJECT,
        [project["id"]],
        body=body,
        subject=f"{lead} {name}",
        message_type="notification",
        subtype_xmlid="mail.mt_note",
        partner_ids=[partner_id],
        body_is_html=True,
    )


def _invite_all(env: Env, project: dict, partners: list[int], note: Any) -> None:
    """Partners with a user get the public link first, then the others their sign-up link."""
    with_user = [p for p in partners if _users(env, p)]
    for partner_id in with_user + [p for p in partners if p not in with_user]:
        _invite(env, project, partner_id, note)


def _on_invitation(env: Env) -> bool:
    """Sign-up "on invitation" (``auth_signup.invitation_scope`` 'b2b', Odoo's default)."""
    for row in env.rows("ir.config_parameter").values():
        if row.get("key") == "auth_signup.invitation_scope":
            return row.get("value") == "b2b"
    return True


def _confirmation(env: Env, wizard_id: int) -> dict:
    """The dialog asking before new portal users are made (its view id is not recorded)."""
    return {
        "name": "Confirmation",
        "type": "ir.actions.act_window",
        "view_mode": "form",
        "views": [[False, "form"]],
        "res_model": WIZARD,
        "res_id": wizard_id,
        "target": "new",
        "context": dict(env.context),
    }


# -- 16.0 and 17.0 -------------------------------------------------------------------------------


def send_mail_16_17(env: Env, model: str, ids: Any) -> dict:
    wizard = _wizard(env, model, ids)
    project = _project(env, wizard)
    partners = [int(p) for p in wizard.get("partner_ids") or []]
    edit = wizard.get("access_mode") == "edit"
    if edit:
        known = _collaborators(env, project["id"])
        for partner_id in partners:
            if partner_id not in known and _is_share(env, partner_id):
                _add_collaborator(env, project["id"], partner_id, False)
    _invite_all(env, project, partners, wizard.get("note"))
    if edit:
        subscribe(env, PROJECT, project["id"], partners)
    return dict(CLOSE)


def share_record_17(env: Env, model: str, ids: Any) -> dict:
    wizard = _wizard(env, model, ids)
    partners = wizard.get("partner_ids") or []
    if _on_invitation(env) and any(not _users(env, p) for p in partners):
        return _confirmation(env, wizard["id"])
    return send_mail_16_17(env, model, ids)


# -- 18.0+ ---------------------------------------------------------------------------------------


def _default_lines(env: Env, project: dict) -> list:
    """``default_get``: a line per collaborator, and a read line per share follower."""
    collaborators = _collaborators(env, project["id"])
    found = [
        (p, "edit_limited" if c.get("limited_access") else "edit") for p, c in collaborators.items()
    ]
    followers = project.get("message_partner_ids") or []
    found += [(p, "read") for p in followers if p not in collaborators and _is_share(env, p)]
    found.sort(key=lambda item: env.display_name("res.partner", item[0]))
    return [(0, 0, {"partner_id": p, "access_mode": m, "send_invitation": False}) for p, m in found]


def _wizard_prepare(env: Env, vals: dict) -> None:
    """``default_get``: the target from the context, then each version's own defaults."""
    model, rid = env.context.get("active_model"), env.context.get("active_id")
    if model == COLLABORATOR:
        model, rid = PROJECT, env.context.get("default_project_id")
    if model and "res_model" not in vals:
        vals["res_model"] = model
    if rid and "res_id" not in vals:
        vals["res_id"] = rid
    if env.version.major < 18:
        if "access_mode" not in vals:
            vals["access_mode"] = "read"
            vals.setdefault("display_access_mode", True)
        return
    project = env.row(PROJECT, vals.get("res_id")) if vals.get("res_model") == PROJECT else None
    if "collaborator_ids" not in vals and project is not None:
        vals["collaborator_ids"] = _default_lines(env, project)


def _line_prepare(env: Env, vals: dict) -> None:
    vals.setdefault("access_mode", "read")
    vals.setdefault("send_invitation", True)


def _apply_lines(env: Env, wizard_id: int) -> None:
    """What the 18.0+ ``create`` does to the project, line by line."""
    project = _project(env, env.rows(WIZARD)[wizard_id])
    pid = project["id"]
    chosen = {line["partner_id"]: line.get("access_mode") for line in _lines(env, wizard_id)}
    existing = _collaborators(env, pid)
    drop = [c["id"] for p, c in existing.items() if p not in chosen]
    new: dict[bool, list[int]] = {False: [], True: []}
    for partner_id, mode in chosen.items():
        current = existing.get(partner_id)
        if mode not in EDIT_MODES:
            drop += [current["id"]] if current else []
        elif current is None:
            new[mode == "edit_limited"].append(partner_id)
        elif bool(current.get("limited_access")) != (mode == "edit_limited"):
            env.sudo().write(
                COLLABORATOR, [current["id"]], {"limited_access": not current.get("limited_access")}
            )
    for limited, partners in new.items():
        partners = [p for p in partners if _is_share(env, p)]
        for partner_id in partners:
            _add_collaborator(env, pid, partner_id, limited)
        if partners and not limited and env.version.major >= 19:
            for task in env.rows(TASK).values():
                if task.get("project_id") == pid and task.get("active"):
                    subscribe(env, TASK, task["id"], partners)
    if drop:
        env.sudo().unlink(COLLABORATOR, drop)
    followers = list(project.get("message_partner_ids") or [])
    subscribe(env, PROJECT, pid, [p for p in chosen if p not in followers])
    gone = [p for p in followers if p not in chosen and _is_share(env, p)]
    if gone:
        message_unsubscribe(env, PROJECT, [pid], gone)


def _wizard_after_create(env: Env, ids: list[int]) -> None:
    for wizard_id in ids:
        _apply_lines(env, wizard_id)


def send_mail_18(env: Env, model: str, ids: Any) -> dict:
    wizard = _wizard(env, model, ids)
    project = _project(env, wizard)
    if project.get("privacy_visibility") != "portal":
        env.write(PROJECT, [project["id"]], {"privacy_visibility": "portal"})
    invited = [
        line["partner_id"] for line in _lines(env, wizard["id"]) if line.get("send_invitation")
    ]
    _invite_all(env, project, invited, wizard.get("note"))
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": "success",
            "message": "Project shared with your collaborators.",
            "next": dict(CLOSE),
        },
    }


def share_record_18(env: Env, model: str, ids: Any) -> dict | None:
    wizard = _wizard(env, model, ids)
    lines = _lines(env, wizard["id"])
    if not lines:
        return None
    if _on_invitation(env) and any(
        line.get("send_invitation") and not _users(env, line["partner_id"]) for line in lines
    ):
        return _confirmation(env, wizard["id"])
    return send_mail_18(env, model, ids)


def open_share_wizard(env: Env, model: str, ids: Any) -> dict:
    """``project.project.action_open_share_project_wizard``: the wizard's window action."""
    rid = ensure_one(model, ids)
    return {
        "type": "ir.actions.act_window",
        "xml_id": "project.project_share_wizard_action",
        "name": "Share Project",
        "res_model": WIZARD,
        "view_mode": "form",
        "target": "new",
        "context": {
            **env.context,
            "default_template_id": False,
            "default_email_layout_xmlid": "mail.mail_notification_light",
            "active_id": rid,
            "active_model": PROJECT,
        },
    }


# -- computed fields and registration ------------------------------------------------------------


def _target(env: Env, row: dict) -> dict | None:
    return env.row(PROJECT, row.get("res_id")) if row.get("res_model") == PROJECT else None


def _share_link(env: Env, row: dict) -> Any:
    project = _target(env, row)
    return share_link(env, project) if project is not None else False


def _access_warning(env: Env, row: dict) -> Any:
    project = _target(env, row)
    if project is None:
        return False
    return "" if project.get("privacy_visibility") == "portal" else WARNING


def _resource_ref(env: Env, row: dict) -> Any:
    return f"{PROJECT},{row.get('res_id') or 0}" if row.get("res_model") == PROJECT else False


def _existing_partners(env: Env, row: dict) -> list[int]:
    return list(dict.fromkeys(line["partner_id"] for line in _lines(env, row["id"])))


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[WIZARD].append(_wizard_prepare)
    hooks.computes[WIZARD]["share_link"] = _share_link
    hooks.computes[WIZARD]["access_warning"] = _access_warning
    hooks.computes[WIZARD]["resource_ref"] = _resource_ref
    if profile.major < 18:
        hooks.methods[(WIZARD, "action_send_mail")] = send_mail_16_17
        if profile.major == 17:
            hooks.methods[(WIZARD, "action_share_record")] = share_record_17
        return
    hooks.prepare[LINE].append(_line_prepare)
    hooks.after_create[WIZARD].append(_wizard_after_create)
    hooks.computes[WIZARD]["existing_partner_ids"] = _existing_partners
    hooks.methods[(WIZARD, "action_send_mail")] = send_mail_18
    hooks.methods[(WIZARD, "action_share_record")] = share_record_18
    hooks.methods[(PROJECT, "action_open_share_project_wizard")] = open_share_wizard
