"""Recruitment (§10): the applicant's partner found or created from the e-mail, stages,
``last_stage_id``, hired stage closing the application."""

from __future__ import annotations

from typing import Any

from .. import properties
from ..hooks import Hooks
from ..orm import Env, as_ids
from ..versions import Profile
from .base import stage_legends

APPLICANT = "hr.applicant"
JOB = "hr.job"
# 17.0+: applicant properties, defined on the applicant's job
DEFINITION = "applicant_properties_definition"
VALUES = "applicant_properties"


def default_stage(env: Env, job_id: int | None) -> int | None:
    stages = [
        s
        for s in env.rows("hr.recruitment.stage").values()
        if not s.get("job_ids") or (job_id and job_id in s["job_ids"])
    ]
    stages.sort(key=lambda s: (s.get("sequence") or 0, s["id"]))
    return stages[0]["id"] if stages else None


def find_or_create_partner(env: Env, email: str, name: Any = None) -> int:
    """The active contact with this e-mail, or a new one named ``name`` (default: the e-mail)."""
    wanted = email.strip().lower()
    for row in sorted(env.rows("res.partner").values(), key=lambda r: r["id"]):
        if (row.get("email") or "").strip().lower() == wanted and row.get("active", True):
            return int(row["id"])
    return int(env.sudo().create("res.partner", {"name": name or email, "email": email}))


def applicant_partner(env: Env, email: str, partner_name: Any) -> int | None:
    """The contact an applicant with this e-mail gets: none in 16.0 (nor in 18.0, where the
    candidate holds it); named after the e-mail in 17.0, after the person in 19.0+."""
    major = env.version.major
    if major in (16, 18):
        return None
    return find_or_create_partner(env, email, partner_name if major >= 19 else None)


def _prepare(env: Env, vals: dict) -> None:
    if vals.get("email_from") and not vals.get("partner_id"):
        partner_id = applicant_partner(env, vals["email_from"], vals.get("partner_name"))
        if partner_id is not None:
            vals["partner_id"] = partner_id
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
            if not rows[rid].get("partner_id") and env.is_stored(APPLICANT, "partner_id"):
                partner_id = applicant_partner(
                    env, vals["email_from"], rows[rid].get("partner_name")
                )
                if partner_id is not None:
                    rows[rid]["partner_id"] = partner_id
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


def _job_definition(env: Env, vals: dict) -> None:
    if DEFINITION in vals:
        vals[DEFINITION] = properties.definition(env.version.major, vals[DEFINITION])


def _values_to_store(env: Env, job_id: Any, value: Any) -> dict:
    """A written ``applicant_properties``: the values its job defines (a write replaces them
    all), after any definition change the list form carries."""
    values, new_definition = properties.split_list_form(value)
    if new_definition is not None and env.row(JOB, job_id) is not None:
        env.sudo().write(JOB, [job_id], {DEFINITION: new_definition})
    job = env.row(JOB, job_id) or {}
    return properties.stored_values(env.version.major, list(job.get(DEFINITION) or []), values)


def _properties_prepare(env: Env, vals: dict) -> None:
    # an applicant made under its job's definition stores values (none yet on 17.0+)
    job = env.row(JOB, vals.get("job_id"))
    if vals.get(VALUES) or (job is not None and job.get(DEFINITION)):
        vals[VALUES] = _values_to_store(env, vals.get("job_id"), vals.get(VALUES) or {})


def _properties_before_write(env: Env, ids: list[int], vals: dict) -> None:
    if VALUES in vals and ids:
        job_id = vals.get("job_id") or env.rows(APPLICANT)[ids[0]].get("job_id")
        vals[VALUES] = _values_to_store(env, job_id, vals[VALUES])


def _applicant_properties(env: Env, row: dict) -> list[dict]:
    job = env.row(JOB, row.get("job_id"))
    if job is None:
        return []
    definition = job.get(DEFINITION) or []
    return properties.read_value(env.version.major, definition, row.get(VALUES))


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
    if not row.get("active", True) and env.version.major != 16:  # 16.0 has no "archived"
        return "archived"
    if row.get("date_closed"):
        return "hired"
    return "ongoing"


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[APPLICANT].append(_prepare)
    hooks.before_write[APPLICANT].append(_before_write)
    hooks.after_write[APPLICANT].append(_after_write)
    hooks.computes[APPLICANT]["application_status"] = _status

    hooks.prepare["hr.recruitment.stage"].append(stage_legends)
    if profile.major >= 19:
        hooks.prepare["hr.recruitment.stage"].append(
            lambda env, vals: vals.setdefault("legend_waiting", "Waiting")
        )
    hooks.prepare["hr.job"].append(_job_prepare)
    if profile.major >= 17:
        hooks.prepare[JOB].append(_job_definition)
        hooks.before_write[JOB].append(lambda env, ids, vals: _job_definition(env, vals))
        hooks.prepare[APPLICANT].append(_properties_prepare)
        hooks.before_write[APPLICANT].append(_properties_before_write)
        hooks.computes[APPLICANT][VALUES] = _applicant_properties

    hooks.method(APPLICANT, "archive_applicant")(archive_applicant)
    hooks.method(APPLICANT, "reset_applicant")(reset_applicant)
    hooks.method(REFUSE_WIZARD, "action_refuse_reason_apply")(action_refuse_reason_apply)


REFUSE_WIZARD = "applicant.get.refuse.reason"


def archive_applicant(env: Env, model: str, ids: Any) -> dict:
    context: dict[str, Any] = {"active_test": False}
    if env.version.major >= 19:
        context["hide_mail_template_management_options"] = True
    return {
        "type": "ir.actions.act_window",
        "name": "Refuse Reason",
        "res_model": REFUSE_WIZARD,
        "view_mode": "form",
        "target": "new",
        "context": context,
    }


def action_refuse_reason_apply(env: Env, model: str, ids: Any) -> dict | None:
    """Refuse the wizard's applicants; 19.0+ answers an action where older versions answer None."""
    for wid in as_ids(ids):
        wizard = env.rows(REFUSE_WIZARD)[wid]
        vals: dict[str, Any] = {"active": False, "refuse_reason_id": wizard.get("refuse_reason_id")}
        if "refuse_date" in env.spec(APPLICANT).fields:
            vals["refuse_date"] = env.now
        env.write(APPLICANT, wizard.get("applicant_ids") or [], vals)
    if env.version.major >= 19:
        return {"type": "ir.actions.act_window_close"}
    return None


def reset_applicant(env: Env, model: str, ids: Any) -> None:
    """Back from refused: active again, no reason, in the first stage of its job."""
    for rid in as_ids(ids):
        row = env.rows(APPLICANT)[rid]
        vals: dict[str, Any] = {"active": True, "refuse_reason_id": False}
        vals["stage_id"] = default_stage(env, row.get("job_id"))
        if "refuse_date" in env.spec(APPLICANT).fields:
            vals["refuse_date"] = False
        env.write(APPLICANT, [rid], vals)
