"""Surveys and certifications (§12): scoring from answer lines, and the link back to the
certification slide (``slide.slide.partner.survey_scoring_success`` → ``completed``)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from ..hooks import ComputeFn, Hooks
from ..orm import Env, as_ids
from ..versions import Profile

UI = "survey.user_input"


def _max_score(env: Env, survey_id: int) -> float:
    questions = [
        q["id"] for q in env.rows("survey.question").values() if q.get("survey_id") == survey_id
    ]
    total = 0.0
    for qid in questions:
        scores = [
            a.get("answer_score") or 0.0
            for a in env.rows("survey.question.answer").values()
            if a.get("question_id") == qid
        ]
        total += max([s for s in scores if s > 0] or [0.0])
    return total


def rescore(env: Env, ui_id: int) -> None:
    """Recompute the stored scoring fields of one attempt from its answer lines."""
    ui = env.rows(UI)[ui_id]
    lines = [
        line
        for line in env.rows("survey.user_input.line").values()
        if line.get("user_input_id") == ui_id
    ]
    if not lines:
        return
    survey = env.row("survey.survey", ui.get("survey_id")) or {}
    total = sum(line.get("answer_score") or 0.0 for line in lines)
    maximum = _max_score(env, ui["survey_id"])
    percentage = round(100.0 * total / maximum, 2) if maximum else 0.0
    success = percentage >= (survey.get("scoring_success_min") or 0.0) and bool(
        survey.get("scoring_type") not in (None, "no_scoring")
    )
    env.touch_write(
        UI,
        ui_id,
        {"scoring_total": total, "scoring_percentage": percentage, "scoring_success": success},
    )
    sync_slide_partner(env, ui.get("slide_partner_id"))


def sync_slide_partner(env: Env, ssp_id: int | None) -> None:
    """``survey_scoring_success`` is a stored compute; once True it writes ``completed``."""
    if not ssp_id:
        return
    ssp = env.row("slide.slide.partner", ssp_id)
    if ssp is None:
        return
    success = any(
        u.get("scoring_success")
        for u in env.rows(UI).values()
        if u.get("slide_partner_id") == ssp_id
    )
    if bool(ssp.get("survey_scoring_success")) != success:
        env.touch_write("slide.slide.partner", ssp_id, {"survey_scoring_success": success})
    if success and not ssp.get("completed"):
        env.sudo().write("slide.slide.partner", [ssp_id], {"completed": True})
    if success:
        _certify_member(env, ssp)


def _certify_member(env: Env, ssp: dict) -> None:
    """18.0+: the membership's stored ``survey_certification_success`` turns True for good."""
    scp = "slide.channel.partner"
    if "survey_certification_success" not in env.spec(scp).fields:
        return
    for m in env.rows(scp).values():
        same = (m.get("channel_id"), m.get("partner_id")) == (
            ssp.get("channel_id"),
            ssp.get("partner_id"),
        )
        if same and not m.get("survey_certification_success"):
            env.touch_write(scp, m["id"], {"survey_certification_success": True})


def _ui_prepare(env: Env, vals: dict) -> None:
    vals.setdefault("access_token", str(uuid.uuid4()))
    vals.setdefault("state", "new")
    survey = env.row("survey.survey", vals.get("survey_id"))
    partner = env.row("res.partner", vals.get("partner_id"))
    if partner and not vals.get("email"):
        vals["email"] = partner.get("email") or False
    if survey is not None:
        vals.setdefault("_scoring_type", survey.get("scoring_type"))


def _line_prepare(env: Env, vals: dict) -> None:
    answer = env.row("survey.question.answer", vals.get("suggested_answer_id"))
    if answer is not None:
        vals.setdefault("answer_is_correct", bool(answer.get("is_correct")))
        vals.setdefault("answer_score", answer.get("answer_score") or 0.0)
        vals.setdefault("question_id", answer.get("question_id"))
    ui = env.row(UI, vals.get("user_input_id"))
    if ui is not None:
        vals.setdefault("survey_id", ui.get("survey_id"))


def _line_after_create(env: Env, ids: list[int]) -> None:
    lines = env.rows("survey.user_input.line")
    for u in sorted({lines[i]["user_input_id"] for i in ids}):
        rescore(env, u)


def _survey_display(env: Env, row: dict) -> str:
    return row.get("title") or ""


def _ui_display(env: Env, row: dict) -> str:
    survey = env.display_name("survey.survey", row.get("survey_id"))
    who = (
        env.display_name("res.partner", row.get("partner_id"))
        if row.get("partner_id")
        else (row.get("email") or "")
    )
    return f"{survey} - {who}" if who else survey


def _ui_after_write(env: Env, ids: list[int], vals: dict, before: dict) -> None:
    # re-sync the membership the attempt points to now, and the one it pointed to before
    if {"scoring_success", "slide_partner_id"} & set(vals):
        for i in ids:
            sync_slide_partner(env, env.rows(UI)[i].get("slide_partner_id"))
            sync_slide_partner(env, before[i].get("slide_partner_id"))


def _ui_after_create(env: Env, ids: list[int]) -> None:
    for i in ids:
        sync_slide_partner(env, env.rows(UI)[i].get("slide_partner_id"))


# -- survey.user_input computes: related to the survey, and the partner's attempt count --------


def _survey_field(env: Env, row: dict, fname: str) -> Any:
    return env.get("survey.survey", row.get("survey_id"), fname)


def _attempts_limit(env: Env, row: dict) -> Any:
    return _survey_field(env, row, "attempts_limit") or 0


def _is_attempts_limited(env: Env, row: dict) -> bool:
    return bool(_survey_field(env, row, "is_attempts_limited"))


def _attempts_count(env: Env, row: dict) -> int:
    return sum(
        1
        for u in env.rows(UI).values()
        if u.get("survey_id") == row.get("survey_id")
        and u.get("partner_id") == row.get("partner_id")
        and not u.get("test_entry")
    )


UI_COMPUTES: dict[str, ComputeFn] = {
    "scoring_type": partial(_survey_field, fname="scoring_type"),
    "attempts_limit": _attempts_limit,
    "is_attempts_limited": _is_attempts_limited,
    "attempts_count": _attempts_count,
}


def _slide_channel_ids(env: Env, row: dict) -> list[int]:
    return sorted(
        {
            s["channel_id"]
            for s in env.rows("slide.slide").values()
            if s.get("survey_id") == row["id"] and s.get("channel_id")
        }
    )


def _question_ids(env: Env, row: dict) -> list[int]:
    return [
        q["id"] for q in env.rows("survey.question").values() if q.get("survey_id") == row["id"]
    ]


def get_start_url(env: Env, model: str, ids: Any) -> str:
    ui = env.rows(UI)[as_ids(ids)[0]]
    survey = env.rows("survey.survey")[ui["survey_id"]]
    return f"/survey/start/{survey.get('access_token')}?answer_token={ui.get('access_token')}"


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[UI].append(_ui_prepare)
    hooks.prepare["survey.user_input.line"].append(_line_prepare)
    hooks.after_create["survey.user_input.line"].append(_line_after_create)
    hooks.display["survey.survey"] = _survey_display
    hooks.display[UI] = _ui_display
    for fname, compute in UI_COMPUTES.items():
        hooks.compute(UI, fname)(compute)
    hooks.after_write[UI].append(_ui_after_write)
    hooks.after_create[UI].append(_ui_after_create)
    hooks.compute("survey.survey", "slide_channel_ids")(_slide_channel_ids)
    hooks.compute("survey.survey", "question_ids")(_question_ids)
    hooks.method(UI, "get_start_url")(get_start_url)
