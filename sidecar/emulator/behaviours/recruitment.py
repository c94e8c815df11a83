"""Recruitment (§10): the applicant's partner found or created from the e-mail, stages,
``last_stage_id``, hired stage closing the application."""

from __future__ import annotations

from typing import Any

from ..hooks import Hooks
from ..orm import Env
from .base import stage_legends

APPLICANT = "hr.applicant"


def default_stage(env: Env, job_id: int | None) -> int | None:
    stages = [
        s
        for s in env.rows("hr.recruitment.stage").values()
        if not s.get("job_ids") or (job_id and job_id in s["job_ids"])
    ]
    stages.sort(key=lambda s: (s.get("sequence") or 0, s["id"]))
    return stages[0]["id"] if stages else None


def find_or_create_partner(env: Env, email: str) -> int:
    wanted = email.strip().lower()
    for row in sorted(env.rows("res.partner").values(), key=lambda r: r["id"]):
        if (row.get("email") or "").strip().lower() == wanted and row.get("active", True):
            return int(row["id"])
    return int(env.sudo().create("res.partner", {"name": email, "email": email}))


def _prepare(env: Env, vals: dict) -> None:
    if vals.get("email_from") and not vals.get("partner_id"):
        vals["partner_id"] = find_or_create_partner(env, vals["email_from"])
    if "stage_id" not in vals:
        vals["stage_id"] = default_stage(env, vals.get("job_id"))
    vals.setdefault("kanban_state", "normal")
    vals.setdefault("priority", "0")
    vals.setdefault("active", True)
    vals.setdefault("company_id", 1)
    vals.setdefault("user_id", env.uid)
    vals.setdefault("date_last_stage_update", env.now)
    stage = env.row("hr.recruitment.stage", vals.get("stage_id"))
    if stage and stage.get("hired_stage"):
        vals.setdefault("date_closed", env.now)


def _before_write(env: Env, ids: list[int], vals: dict) -> None:
    if "stage_id" in vals:
        vals["date_last_stage_update"] = env.now
        vals.setdefault("kanban_state", "normal")
        stage = env.rows("hr.recruitment.stage").get(vals["stage_id"])
        if stage is not None:
            vals["date_closed"] = env.now if stage.get("hired_stage") else False


def _after_write(env: Env, ids: list[int], vals: dict, before: dict) -> None:
    rows = env.rows(APPLICANT)
    if vals.get("email_from"):
        # ``email_from``'s inverse: an applicant without a contact gets the one with this
        # e-mail, or a new one, as on create
        for rid in ids:
            if not rows[rid].get("partner_id"):
                rows[rid]["partner_id"] = find_or_create_partner(env, vals["email_from"])
    if "stage_id" not in vals:
        return
    for rid in ids:
        old = before[rid].get("stage_id")
        if old == rows[rid].get("stage_id"):
            continue
        rows[rid]["last_stage_id"] = old
        env.sudo().create(
            "mail.message",
            {
                "model": APPLICANT,
                "res_id": rid,
                "message_type": "notification",
                "body": "",
                "subtype_id": env.ref("hr_recruitment.mt_applicant_stage_changed"),
                "author_id": env.user_partner_id,
                "record_name": env.display_name(APPLICANT, rid),
                "date": env.now,
            },
        )


def _job_prepare(env: Env, vals: dict) -> None:
    for key, value in (
        ("alias_contact", "everyone"),
        ("alias_defaults", "{}"),
        ("alias_id", 1),
        ("active", True),
        ("company_id", 1),
    ):
        vals.setdefault(key, value)
    if not vals.get("alias_model_id"):
        for row in env.rows("ir.model").values():
            if row.get("model") == APPLICANT:
                vals["alias_model_id"] = row["id"]


def _status(env: Env, row: dict) -> str:
    if row.get("refuse_reason_id"):
        return "refused"
    if not row.get("active", True):
        return "archived"
    if row.get("date_closed"):
        return "hired"
    return "ongoing"


def register(hooks: Hooks) -> None:
    hooks.prepare[APPLICANT].append(_prepare)
    hooks.before_write[APPLICANT].append(_before_write)
    hooks.after_write[APPLICANT].append(_after_write)
    hooks.computes[APPLICANT]["application_status"] = _status

    hooks.prepare["hr.recruitment.stage"].append(stage_legends)
    hooks.prepare["hr.job"].append(_job_prepare)

    @hooks.method(APPLICANT, "archive_applicant")
    def archive_applicant(env: Env, model: str, ids: Any) -> dict:
        return {
            "type": "ir.actions.act_window",
            "name": "Refuse Reason",
            "res_model": "applicant.get.refuse.reason",
            "view_mode": "form",
            "target": "new",
            "context": {"active_test": False},
        }
