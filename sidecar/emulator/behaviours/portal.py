"""Portal access (§7): ``portal.wizard`` → ``portal.wizard.user.action_grant_access`` creates a
portal user and force-sends the welcome mail with the signup link."""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from ..errors import UserError
from ..hooks import Hooks
from ..orm import Env, as_ids
from ..versions import Profile
from .mail import create_mail

WIZARD = "portal.wizard"
WIZARD_USER = "portal.wizard.user"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def partner_user(env: Env, partner_id: int | None) -> dict | None:
    for user in env.rows("res.users").values():
        if user.get("partner_id") == partner_id:
            return user
    return None


def _wizard_prepare(env: Env, vals: dict) -> None:
    if not vals.get("partner_ids") and env.context.get("active_model", "res.partner") == (
        "res.partner"
    ):
        active_ids = env.context.get("active_ids") or []
        if active_ids:
            vals["partner_ids"] = [(6, 0, list(active_ids))]


def _wizard_after_create(env: Env, ids: list[int]) -> None:
    for wid in ids:
        for pid in env.rows(WIZARD)[wid].get("partner_ids") or []:
            partner = env.rows("res.partner").get(pid, {})
            env.sudo().create(
                WIZARD_USER,
                {"wizard_id": wid, "partner_id": pid, "email": partner.get("email") or False},
            )


def _signup_token(env: Env) -> str:
    """20 random characters; 18.0+ sign a long url-safe token instead."""
    if env.version.major >= 18:
        return "AWNTCmsAAAAA" + secrets.token_urlsafe(60).replace("-", "A").replace("_", "B")
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def grant_access(env: Env, wuid: int) -> dict:
    wizard_user = env.rows(WIZARD_USER)[wuid]
    partner_id = wizard_user["partner_id"]
    partner = env.rows("res.partner")[partner_id]
    name = partner.get("name") or ""
    user = partner_user(env, partner_id)
    if user is not None and user.get("active"):
        raise UserError(f'The partner "{name}" already has the portal access.')
    email = (wizard_user.get("email") or partner.get("email") or "").strip()
    if not _EMAIL.match(email):
        raise UserError(f'The contact "{name}" does not have a valid email.')
    sudo = env.sudo()
    if partner.get("email") != email:
        sudo.write("res.partner", [partner_id], {"email": email})
    groups = [env.ref("base.group_portal")]
    uid = sudo.create(
        "res.users",
        {"login": email, "partner_id": partner_id, env.version.groups_field: [(6, 0, groups)]},
    )
    url = f"http://localhost:8069/web/signup?db=ojt&token={_signup_token(env)}"
    sudo.write("res.partner", [partner_id], {"signup_type": "signup"})
    row = env.rows("res.partner")[partner_id]
    row.update(signup_token=url.rsplit("=", 1)[1], signup_url=url, signup_valid=True)
    _welcome_mail(env, wuid, int(uid), url)
    env.rows(WIZARD_USER)[wuid]["_user_id"] = uid
    action = {
        "name": "Portal Access Management",
        "type": "ir.actions.act_window",
        "res_model": WIZARD,
        "view_mode": "form",
        "res_id": wizard_user["wizard_id"],
        "target": "new",
    }
    if env.version.major == 16:
        action["view_type"] = "form"
    return action


def _welcome_mail(env: Env, wuid: int, uid: int, url: str) -> None:
    """The invitation, sent at once (and failing: no SMTP server). 19.0 addresses it to the
    partner and files it on the new user; earlier versions on the wizard line, by address."""
    partner_id = env.rows("res.users")[uid]["partner_id"]
    partner = env.rows("res.partner")[partner_id]
    name, email = partner.get("name") or "", partner.get("email") or ""
    company = env.display_name("res.company", 1)
    body = (
        f"<div>Dear {name},<br/><br/>You have been given access to {company}'s portal.<br/>"
        f'<a href="{url}">Accept invitation</a></div>'
    )
    vals: dict[str, Any] = {
        "subject": f"Your account at {company}",
        "body_html": body,
        "body": body,
        "email_to": f'"{name}" <{email}>',
        "recipient_ids": [],
        "model": WIZARD_USER,
        "res_id": wuid,
        "author_id": env.user_partner_id,
    }
    if env.version.major >= 19:
        vals.update(
            email_to="", recipient_ids=[(6, 0, [partner_id])], model="res.users", res_id=uid
        )
    create_mail(env, vals, "exception")


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[WIZARD].append(_wizard_prepare)
    hooks.after_create[WIZARD].append(_wizard_after_create)
    hooks.display[WIZARD_USER] = lambda env, row: env.display_name("res.partner", row["partner_id"])

    @hooks.compute(WIZARD_USER, "user_id")
    def user_id(env: Env, row: dict) -> Any:
        user = partner_user(env, row.get("partner_id"))
        return user["id"] if user else None

    @hooks.compute(WIZARD_USER, "is_portal")
    def is_portal(env: Env, row: dict) -> bool:
        user = partner_user(env, row.get("partner_id"))
        return bool(
            user and env.ref("base.group_portal") in (user.get(env.version.groups_field) or [])
        )

    @hooks.compute(WIZARD_USER, "is_internal")
    def is_internal(env: Env, row: dict) -> bool:
        user = partner_user(env, row.get("partner_id"))
        return bool(
            user and env.ref("base.group_user") in (user.get(env.version.groups_field) or [])
        )

    @hooks.compute(WIZARD_USER, "email_state")
    def email_state(env: Env, row: dict) -> str:
        email = row.get("email") or ""
        if not _EMAIL.match(email):
            return "ko"
        others = [
            u
            for u in env.rows("res.users").values()
            if u.get("login") == email and u.get("partner_id") != row.get("partner_id")
        ]
        return "exist" if others else "ok"

    @hooks.method(WIZARD_USER, "action_grant_access")
    def action_grant_access(env: Env, model: str, ids: Any) -> dict:
        result: dict = {}
        for wuid in as_ids(ids):
            result = grant_access(env, wuid)
        return result

    hooks.compute("res.partner", "signup_valid")(lambda env, row: bool(row.get("signup_token")))
