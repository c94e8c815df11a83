"""res.partner / res.users / res.groups / ir.model: names, users delegating to partners,
passwords, ``context_get``."""

from __future__ import annotations

from typing import Any

from ..hooks import Hooks
from ..orm import Env
from ..registry import ModelSpec
from ..versions import Profile

# res.users fields that live on the partner (``_inherits = {'res.partner': 'partner_id'}``)
PARTNER_FIELDS = ("name", "email", "phone", "mobile", "lang", "tz", "signature_partner")


def partner_display(env: Env, row: dict) -> str:
    name = row.get("name") or ""
    parent_id = row.get("parent_id")
    if parent_id and not row.get("is_company"):
        parents = env.rows("res.partner")
        parent = parents.get(parent_id)
        company = parent
        while company is not None and not company.get("is_company") and company.get("parent_id"):
            company = parents.get(company["parent_id"])
        label = company.get("name") if company and company.get("is_company") else None
        label = label or (parent or {}).get("name") or ""
        return f"{label}, {name}".strip()
    return name.strip()


def _partner_prepare(env: Env, vals: dict) -> None:
    vals.setdefault("active", True)
    vals.setdefault("type", "contact")


def _partner_after(env: Env, ids: list[int], *rest: Any) -> None:
    rows = env.rows("res.partner")
    for rid in ids:
        row = rows[rid]
        row["complete_name"] = partner_display(env, row)
        # commercial partner: the company at the top, or the partner itself
        company = row
        while not company.get("is_company") and company.get("parent_id") in rows:
            company = rows[company["parent_id"]]
        row["commercial_partner_id"] = company["id"] if company.get("is_company") else rid


def _user_prepare(env: Env, vals: dict) -> None:
    password = vals.pop("password", None)
    if password:
        vals["_password"] = password
    partner_vals = {f: vals.pop(f) for f in PARTNER_FIELDS if f in vals}
    if not vals.get("partner_id"):
        partner_vals.setdefault("name", vals.get("login") or "")
        if "email" not in partner_vals and "@" in str(vals.get("login") or ""):
            partner_vals["email"] = vals["login"]
        vals["partner_id"] = env.sudo().create("res.partner", partner_vals)
    elif partner_vals:
        env.sudo().write("res.partner", [vals["partner_id"]], partner_vals)
    vals.setdefault("active", True)
    vals.setdefault("company_id", 1)
    vals.setdefault("notification_type", "email")
    field = env.version.groups_field
    vals[field] = vals.get(field) or [(6, 0, [env.ref("base.group_user")])]


def _user_after_create(env: Env, ids: list[int]) -> None:
    portal = env.ref("base.group_portal")
    for uid in ids:
        row = env.rows("res.users")[uid]
        row["share"] = portal in (row.get(env.version.groups_field) or [])
        password = row.pop("_password", None)
        if password:
            env.store.passwords[uid] = password


def _user_before_write(env: Env, ids: list[int], vals: dict) -> None:
    password = vals.pop("password", None)
    partner_vals = {f: vals.pop(f) for f in PARTNER_FIELDS if f in vals}
    for uid in ids:
        if partner_vals:
            env.sudo().write(
                "res.partner", [env.rows("res.users")[uid]["partner_id"]], partner_vals
            )
        if password:
            env.store.passwords[uid] = password
            from .mail import queue_mail

            queue_mail(
                env,
                "Security Update: Password Changed",
                "<p>Your password was changed.</p>",
                partner_ids=[env.rows("res.users")[uid]["partner_id"]],
            )


def category_display(env: Env, row: dict) -> str:
    """Partner tags show their whole path: ``Parent / Child``."""
    names, rows, seen = [], env.rows("res.partner.category"), set()
    current: dict[str, Any] | None = row
    while current is not None and current["id"] not in seen:
        seen.add(current["id"])
        names.append(current.get("name") or "")
        parent_id = current.get("parent_id")
        current = rows.get(parent_id) if parent_id is not None else None
    return " / ".join(reversed(names))


def partner_share(env: Env, row: dict) -> bool:
    """Odoo's res.partner._compute_partner_share: False for the superuser's partner and for a
    partner with an active internal user; True otherwise (portal users, no user at all)."""
    users = env.rows("res.users")
    if users.get(1, {}).get("partner_id") == row["id"]:
        return False
    internal = env.ref("base.group_user")
    field = env.version.groups_field
    return not any(
        u.get("partner_id") == row["id"] and u.get("active") and internal in (u.get(field) or [])
        for u in users.values()
    )


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.display["res.partner"] = partner_display
    hooks.display["res.partner.category"] = category_display
    hooks.prepare["res.partner"].append(_partner_prepare)
    hooks.after_create["res.partner"].append(_partner_after)
    hooks.after_write["res.partner"].append(_partner_after)
    hooks.kept["res.partner"].update({"signup_token", "signup_url", "signup_valid"})

    hooks.prepare["res.users"].append(_user_prepare)
    hooks.after_create["res.users"].append(_user_after_create)
    hooks.before_write["res.users"].append(_user_before_write)
    # A user is shown by its own name, without the company prefix its partner gets
    # (samples/slide.channel.json: user_id [2, "Mitchell Admin"]).
    hooks.display["res.users"] = lambda env, row: env.get("res.partner", row["partner_id"], "name")

    @hooks.compute("res.users", "state")
    def user_state(env: Env, row: dict) -> str:
        return "active" if row.get("login_date") else "new"

    @hooks.compute("res.groups", "users")
    def group_users(env: Env, row: dict) -> list[int]:
        return [
            u["id"]
            for u in env.rows("res.users").values()
            if row["id"] in (u.get(env.version.groups_field) or [])
        ]

    @hooks.compute("res.groups", "full_name")
    def group_full_name(env: Env, row: dict) -> str:
        category = row.get("_category")
        return f"{category} / {row['name']}" if category else row["name"]

    hooks.display["res.groups"] = lambda env, row: group_full_name(env, row)

    @hooks.method("res.users", "context_get")
    def context_get(env: Env, model: str) -> dict:
        return {"lang": "en_US", "tz": "Europe/Brussels", "uid": env.uid}

    @hooks.compute("res.partner", "email_formatted")
    def email_formatted(env: Env, row: dict) -> Any:
        email = row.get("email")
        return f'"{row.get("name") or email}" <{email}>' if email else None

    hooks.computes["res.partner"]["partner_share"] = partner_share

    @hooks.compute("res.partner", "user_ids")
    def partner_users(env: Env, row: dict) -> list[int]:
        return [
            u["id"]
            for u in env.rows("res.users").values()
            if u.get("partner_id") == row["id"] and u.get("active")
        ]


def _last_update(env: Env, row: dict) -> Any:
    return row.get("write_date")


def register_model_wide(hooks: Hooks, specs: dict[str, ModelSpec], profile: Profile) -> None:
    """16.0's ``__last_update`` pseudo-field on every model; 19.0's ``all_group_ids``."""
    for name, spec in specs.items():
        if "__last_update" in spec.fields:
            hooks.computes[name]["__last_update"] = _last_update
    if profile.groups_field == "group_ids":
        # the emulator keeps implied groups explicit, so the full set is the explicit one
        hooks.computes["res.users"]["all_group_ids"] = lambda env, row: list(
            row.get("group_ids") or []
        )


def stage_legends(env: Env, vals: dict[str, Any]) -> None:
    """The kanban legends Odoo gives a new stage (events and recruitment alike)."""
    for k, v in (
        ("legend_blocked", "Blocked"),
        ("legend_done", "Ready for Next Stage"),
        ("legend_normal", "In Progress"),
    ):
        vals.setdefault(k, v)
