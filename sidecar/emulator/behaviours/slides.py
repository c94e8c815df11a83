"""eLearning (website_slides): memberships, completion recompute (§8), enrolment (§6). 17.0's
``member_status`` rules; 16.0 has a stored ``completed`` flag instead (``_recompute_16``).

The buttons called over RPC (enrol/invite wizards, mark completed/viewed) are in
``slides_actions``."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from ..errors import UserError
from ..hooks import ComputeFn, Hooks
from ..orm import Env
from ..versions import Profile
from .mail import queue_mail, subscribe
from .project_share import base_url

SCP = "slide.channel.partner"
SSP = "slide.slide.partner"


def content_slides(env: Env, channel_id: int) -> list[dict]:
    """Published, active, non-category slides: what ``total_slides`` counts."""
    return [
        s
        for s in env.rows("slide.slide").values()
        if s.get("channel_id") == channel_id
        and s.get("is_published")
        and s.get("active", True)
        and not s.get("is_category")
    ]


def memberships(env: Env, channel_id: int | None, with_archived: bool = False) -> list[dict]:
    return [
        m
        for m in env.rows(SCP).values()
        if m.get("channel_id") == channel_id and (with_archived or m.get("active", True))
    ]


def recompute_completion(env: Env, scp_ids: list[int]) -> None:
    """Odoo's ``slide.channel.partner._recompute_completion``: invited/completed rows are left
    alone; only completed rows of published active content slides count."""
    rows = env.rows(SCP)
    slides = env.rows("slide.slide")
    pairs = {(rows[i]["channel_id"], rows[i]["partner_id"]) for i in scp_ids}
    # one pass over the progress rows (Odoo does one read_group for the whole batch)
    counted: dict[tuple, int] = {}
    for ssp in env.rows(SSP).values():
        pair = (ssp.get("channel_id"), ssp.get("partner_id"))
        if not ssp.get("completed") or pair not in pairs:
            continue
        slide_id = ssp.get("slide_id")
        slide = slides.get(slide_id) if slide_id is not None else None
        if slide and slide.get("is_published") and slide.get("active", True):
            counted[pair] = counted.get(pair, 0) + 1
    totals: dict[int, int] = {}
    if env.version.major == 16:
        _recompute_16(env, scp_ids, counted)
        return
    for scp_id in scp_ids:
        scp = rows[scp_id]
        if scp.get("member_status") in ("completed", "invited"):
            continue
        channel_id, partner_id = scp["channel_id"], scp["partner_id"]
        done = counted.get((channel_id, partner_id), 0)
        if channel_id not in totals:
            totals[channel_id] = len(content_slides(env, channel_id))
        total = totals[channel_id]
        was_finished = (scp.get("completion") or 0) == 100
        completion = round(100.0 * done / (total or 1))
        values: dict[str, Any] = {"completed_slides_count": done, "completion": completion}
        channel = env.rows("slide.channel")[channel_id]
        if channel.get("active", True):
            values["member_status"] = (
                "completed" if completion == 100 else "joined" if completion == 0 else "ongoing"
            )
            if not was_finished and total and done >= total:
                _congratulate(env, channel, partner_id)
        env.touch_write(SCP, scp_id, values)


def _congratulate(env: Env, channel: dict, partner_id: int) -> None:
    queue_mail(
        env,
        f"Congratulations! You completed {channel.get('name')}",
        f"<p>Congratulations! You completed {channel.get('name')}</p>",
        partner_ids=[partner_id],
    )


def _recompute_16(env: Env, scp_ids: list[int], counted: dict[tuple, int]) -> None:
    """16.0 has no ``member_status``: the stored ``completed`` flag turns True once every content
    is done and stays so; ``completion`` then sticks at 100, while the count keeps following."""
    rows = env.rows(SCP)
    for scp_id in scp_ids:
        scp = rows[scp_id]
        channel_id, partner_id = scp["channel_id"], scp["partner_id"]
        done = counted.get((channel_id, partner_id), 0)
        total = len(content_slides(env, channel_id))
        was_completed = bool(scp.get("completed"))
        completed = was_completed or bool(total and done >= total)
        completion = 100 if completed else round(100.0 * done / (total or 1))
        values = {"completed_slides_count": done, "completion": completion, "completed": completed}
        if completed and not was_completed:
            _congratulate(env, env.rows("slide.channel")[channel_id], partner_id)
        env.touch_write(SCP, scp_id, values)


def recompute_for_slide_partners(env: Env, ssp_ids: list[int]) -> None:
    pairs = {
        (env.rows(SSP)[i].get("channel_id"), env.rows(SSP)[i].get("partner_id"))
        for i in ssp_ids
        if i in env.rows(SSP)
    }
    targets = [
        m["id"]
        for m in env.rows(SCP).values()
        if (m.get("channel_id"), m.get("partner_id")) in pairs
        and m.get("active", True)
        and m.get("member_status") not in ("completed", "invited")
    ]
    recompute_completion(env, sorted(targets))


def add_members(
    env: Env, channel_id: int | None, partner_ids: list[int], status: str = "joined"
) -> None:
    """``_action_add_members``: create, reactivate or promote memberships, subscribe partners."""
    sudo = env.sudo()
    existing = {m["partner_id"]: m for m in memberships(env, channel_id, with_archived=True)}
    for pid in partner_ids:
        if pid not in env.rows("res.partner"):
            continue
        scp = existing.get(pid)
        if scp is None:
            vals: dict[str, Any] = {"channel_id": channel_id, "partner_id": pid}
            if env.version.major != 16:  # 16.0: a row is a member, there is no status
                vals["member_status"] = status
            if status == "invited":
                vals["last_invitation_date"] = env.now
            sudo.create(SCP, vals)
        elif env.version.major == 16:
            continue
        elif not scp.get("active", True) or (
            scp.get("member_status") == "invited" and status == "joined"
        ):
            sudo.write(SCP, [scp["id"]], {"active": True, "member_status": status})
            recompute_completion(sudo, [scp["id"]])
        elif status == "invited":
            sudo.write(SCP, [scp["id"]], {"last_invitation_date": env.now})
    if status == "joined":
        if channel_id is None:
            # only an invite wizard without a course gets here (action_invite); subscribe() has
            # always failed for it with this KeyError
            raise KeyError(channel_id)
        subscribe(
            env,
            "slide.channel",
            channel_id,
            [p for p in partner_ids if p in env.rows("res.partner")],
        )


def _ssp_prepare(env: Env, vals: dict) -> None:
    slide = env.row("slide.slide", vals.get("slide_id"))
    if slide is not None:
        vals["channel_id"] = slide.get("channel_id")
    vals.setdefault("vote", 0)
    vals.setdefault("quiz_attempts_count", 0)


def _slide_check(env: Env, ids: list[int], *rest: Any) -> None:
    for sid in ids:
        slide = env.rows("slide.slide")[sid]
        if slide.get("slide_category") == "certification" and not slide.get("survey_id"):
            raise UserError(
                "The operation cannot be completed: A slide of type 'certification' "
                "requires a certification."
            )


# -- progress and membership rows --------------------------------------------------------------


def _ssp_after_create(env: Env, ids: list[int]) -> None:
    recompute_for_slide_partners(env, [i for i in ids if env.rows(SSP)[i].get("completed")])


def _ssp_after_write(env: Env, ids: list[int], vals: dict, before: dict) -> None:
    if "slide_id" in vals:
        # ``channel_id`` is a stored related field (``slide_id.channel_id``)
        for i in ids:
            slide = env.row("slide.slide", env.rows(SSP)[i].get("slide_id"))
            env.rows(SSP)[i]["channel_id"] = slide.get("channel_id") if slide else None
    if "completed" in vals:
        changed = [i for i in ids if bool(before[i].get("completed")) != bool(vals["completed"])]
        recompute_for_slide_partners(env, changed)


def _scp_prepare(env: Env, vals: dict) -> None:
    if env.spec(SCP).has_active:
        vals.setdefault("active", True)


def _scp_before_unlink(env: Env, ids: list[int]) -> None:
    """Leaving a course drops the member's progress on its slides, as Odoo's ``unlink`` does."""
    for i in ids:
        scp = env.rows(SCP)[i]
        doomed = [
            r["id"]
            for r in env.rows(SSP).values()
            if r.get("partner_id") == scp["partner_id"] and r.get("channel_id") == scp["channel_id"]
        ]
        if doomed:
            env.sudo().unlink(SSP, doomed)


def _scp_partner_email(env: Env, row: dict) -> Any:
    return env.get("res.partner", row["partner_id"], "email")


def _ssp_slide_category(env: Env, row: dict) -> Any:
    return env.get("slide.slide", row.get("slide_id"), "slide_category")


# -- slide.channel computes --------------------------------------------------------------------


def _status_counts(env: Env, row: dict) -> dict[str | None, int]:
    """Active memberships of the channel per ``member_status``."""
    result: dict[str | None, int] = {}
    for m in memberships(env, row["id"]):
        result[m.get("member_status")] = result.get(m.get("member_status"), 0) + 1
    return result


def _total_slides(env: Env, row: dict) -> int:
    return len(content_slides(env, row["id"]))


def _members_count(env: Env, row: dict) -> int:
    return sum(n for s, n in _status_counts(env, row).items() if s != "invited")


def _members_all_count(env: Env, row: dict) -> int:
    return sum(_status_counts(env, row).values())


def _count_of(status: str) -> ComputeFn:
    return lambda env, row: _status_counts(env, row).get(status, 0)


def _partner_ids(env: Env, row: dict) -> list[int]:
    return [
        m["partner_id"]
        for m in sorted(memberships(env, row["id"]), key=lambda m: m["id"])
        if m.get("member_status") != "invited"
    ]


def _channel_slide_ids(env: Env, row: dict, categories: bool) -> list[int]:
    """The channel's slides: its sections (``categories``) or its content."""
    return [
        s["id"]
        for s in env.rows("slide.slide").values()
        if s.get("channel_id") == row["id"] and bool(s.get("is_category")) == categories
    ]


def _is_member(env: Env, row: dict) -> bool:
    return any(m.get("partner_id") == env.user_partner_id for m in memberships(env, row["id"]))


def _website_published(env: Env, row: dict) -> bool:
    return bool(row.get("is_published"))


def _website_url(env: Env, row: dict, relative: bool) -> str:
    """`/slides/<slug>`, after `web.base.url` before 19.0: Odoo's slug is the name in lower
    case, runs of other characters as one '-', then the id (ir.http's slug)."""
    words = re.sub(r"[^\w\s-]", "", str(row.get("name") or "")).strip().lower()
    name = re.sub(r"[-\s]+", "-", words).strip("-")
    path = f"/slides/{name}-{row['id']}" if name else f"/slides/{row['id']}"
    return path if relative else base_url(env) + path


CHANNEL_COMPUTES: dict[str, ComputeFn] = {
    "total_slides": _total_slides,
    "members_count": _members_count,
    "members_all_count": _members_all_count,
    "members_invited_count": _count_of("invited"),
    "members_completed_count": _count_of("completed"),
    "members_engaged_count": _count_of("ongoing"),
    "members_done_count": lambda env, row: sum(
        1 for m in memberships(env, row["id"]) if m.get("completed")
    ),
    "partner_ids": _partner_ids,
    "slide_content_ids": partial(_channel_slide_ids, categories=False),
    "slide_category_ids": partial(_channel_slide_ids, categories=True),
    "is_member": _is_member,
    "website_published": _website_published,
}


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[SSP].append(_ssp_prepare)
    hooks.after_create[SSP].append(_ssp_after_create)
    hooks.after_write[SSP].append(_ssp_after_write)
    hooks.before_unlink[SCP].append(_scp_before_unlink)
    hooks.prepare[SCP].append(_scp_prepare)
    hooks.after_create["slide.slide"].append(_slide_check)
    hooks.after_write["slide.slide"].append(_slide_check)
    hooks.compute(SCP, "partner_email")(_scp_partner_email)
    hooks.compute(SSP, "slide_category")(_ssp_slide_category)
    for fname, compute in CHANNEL_COMPUTES.items():
        hooks.compute("slide.channel", fname)(compute)
    hooks.compute("slide.channel", "website_url")(
        partial(_website_url, relative=profile.relative_course_urls)
    )
    hooks.compute("slide.slide", "website_published")(_website_published)
