"""Events (§11): registrations confirmed on create, ``done`` = attended with ``date_closed``; a
new event in the first stage (docs/odoo-notes.md §18)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from ..hooks import Hooks
from ..orm import Env, as_ids
from ..versions import Profile
from .base import stage_legends
from .mail import queue_mail

REG = "event.registration"


def _prepare(env: Env, vals: dict) -> None:
    partner = env.row("res.partner", vals.get("partner_id"))
    if partner is not None:
        for src, dst in (("name", "name"), ("email", "email"), ("phone", "phone")):
            if not vals.get(dst) and partner.get(src):
                vals[dst] = partner[src]
    if env.version.major == 16:
        # 16.0 confirms a new registration only when its event has ``auto_confirm``
        event = env.row("event.event", vals.get("event_id")) or {}
        vals.setdefault("state", "open" if event.get("auto_confirm") else "draft")
    vals.setdefault("state", "open")
    if env.version.major >= 17:  # 16.0 Community has no barcode check-in
        vals.setdefault("barcode", str(secrets.randbelow(9 * 10**18) + 10**18))
    vals.setdefault("active", True)
    vals.setdefault("company_id", 1)
    if vals.get("state") == "done":
        vals.setdefault("date_closed", env.now)


def _after_create(env: Env, ids: list[int]) -> None:
    for rid in ids:
        row = env.rows(REG)[rid]
        event = env.row("event.event", row.get("event_id"))
        if event is not None and row.get("partner_id") and not env.context.get("install_mode"):
            queue_mail(
                env,
                f"Your registration at {event.get('name')}",
                f"<p>Your registration at {event.get('name')}</p>",
                [row["partner_id"]],
            )


def _before_write(env: Env, ids: list[int], vals: dict) -> None:
    if vals.get("state") == "done" and "date_closed" not in vals:
        vals["date_closed"] = env.now


def _default_stage(env: Env, vals: dict) -> None:
    """A new event starts in the first stage (``event.stage`` order: sequence, name)."""
    if "stage_id" not in vals:
        stages = sorted(
            env.rows("event.stage").values(),
            key=lambda s: (s.get("sequence") or 0, s.get("name") or "", s["id"]),
        )
        vals["stage_id"] = stages[0]["id"] if stages else False


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[REG].append(_prepare)
    hooks.after_create[REG].append(_after_create)
    hooks.before_write[REG].append(_before_write)

    def event_prepare(env: Env, vals: dict[str, Any]) -> None:
        for k, v in (
            ("badge_format", "A6"),
            ("date_tz", "Europe/Brussels"),
            ("seats_limited", False),
            ("active", True),
            ("kanban_state", "normal"),
            ("website_visibility", "public"),  # 18.0+ with website_event
        ):
            vals.setdefault(k, v)

    hooks.prepare["event.event"].append(event_prepare)
    hooks.prepare["event.event"].append(_default_stage)

    hooks.prepare["event.stage"].append(stage_legends)

    def set_state(state: str) -> Any:
        def action(env: Env, model: str, ids: Any) -> None:
            env.write(REG, as_ids(ids), {"state": state})

        return action

    for name, state in (
        ("action_set_done", "done"),
        ("action_confirm", "open"),
        ("action_cancel", "cancel"),
        ("action_set_draft", "draft"),
    ):
        hooks.methods[(REG, name)] = set_state(state)

    def seats(env: Env, row: dict[str, Any]) -> int:
        return sum(
            1
            for r in env.rows(REG).values()
            if r.get("event_id") == row["id"]
            and r.get("state") in ("open", "done")
            and r.get("active")
        )

    if profile.major >= 17:
        hooks.methods[(REG, "register_attendee")] = register_attendee

    for fname in ("seats_reserved", "seats_used", "seats_taken"):
        hooks.computes["event.event"][fname] = seats


def register_attendee(env: Env, model: str, barcode: Any, event_id: Any = None) -> dict:
    """The check-in desk's scan (17.0+, an ``@api.model`` method): the registration's summary
    and what the scan did (docs/odoo-notes.md §17); the summary's keys differ per version."""
    found = env.search(REG, [("barcode", "=", barcode)], 0, 1, None)
    if not found:
        return {"error": "invalid_ticket"}
    row = env.rows(REG)[found[0]]
    event = env.row("event.event", row.get("event_id")) or {}
    summary = _summary(env, row, event)
    end = event.get("date_end")
    finished = isinstance(end, datetime) and end.replace(tzinfo=None) < env.now.replace(tzinfo=None)
    if row.get("state") == "cancel":
        status = "canceled_registration"
    elif finished:
        status = "not_ongoing_event"
    elif row.get("state") == "done":
        status = "already_registered"
    elif event_id and row.get("event_id") != event_id:
        status = "need_manual_confirmation"
    elif row.get("state") == "draft" and env.version.major >= 19:
        status = "unconfirmed_registration"
    else:
        env.write(REG, [row["id"]], {"state": "done"})
        summary = _summary(env, env.rows(REG)[row["id"]], event)
        status = "confirmed_registration"
    return {**summary, "status": status}


def _summary(env: Env, row: dict, event: dict) -> dict:
    major = env.version.major
    found: dict[str, Any] = {
        "id": row["id"],
        "name": row.get("name") or False,
        "partner_id": row.get("partner_id") or False,
    }
    if major >= 19:
        found["slot_name"] = False
    found["ticket_name"] = "None" if major == 17 else False
    found["event_id"] = row.get("event_id")
    found["event_display_name"] = event.get("name")
    if major == 17:
        company = env.row("res.company", event.get("company_id") or 1) or {}
        found["company_name"] = company.get("name") or False
        found["registration_answers"] = []
        return found
    found["registration_answers"] = []
    found["company_name"] = False
    if major == 18:
        found["iot_printers"] = []
    found["badge_format"] = event.get("badge_format") or "A6"
    if major >= 19:
        closed = row.get("date_closed")
        today = isinstance(closed, datetime) and closed.date() == env.now.date()
        found["date_closed_formatted"] = (
            f"{closed.month}/{closed.day}/{closed:%y}" if isinstance(closed, datetime) else False
        )
        found["is_date_closed_today"] = today
    return found
