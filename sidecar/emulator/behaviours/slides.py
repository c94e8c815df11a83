"""eLearning (website_slides 17.0): memberships, completion recompute (§8), enrolment (§6)."""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from ..hooks import Hooks
from ..orm import Env, as_ids
from .mail import queue_mail, subscribe

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
                queue_mail(
                    env,
                    f"Congratulations! You completed {channel.get('name')}",
                    f"<p>Congratulations! You completed {channel.get('name')}</p>",
                    partner_ids=[partner_id],
                )
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
            vals: dict[str, Any] = {
                "channel_id": channel_id,
                "partner_id": pid,
                "member_status": status,
            }
            if status == "invited":
                vals["last_invitation_date"] = env.now
            sudo.create(SCP, vals)
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


def _mark(env: Env, slide_ids: list[int], completed: bool, check_member: bool) -> None:
    partner_id = env.user_partner_id
    sudo = env.sudo()
    for sid in slide_ids:
        slide = env.rows("slide.slide")[sid]
        member = any(
            m.get("partner_id") == partner_id and m.get("member_status") != "invited"
            for m in memberships(env, slide["channel_id"])
        )
        self_markable = slide.get("slide_category") not in ("quiz", "certification")
        if check_member and (not member or not slide.get("is_published") or not self_markable):
            raise UserError(
                "You cannot mark a slide as completed if you are not among its members."
            )
        rows = [
            r
            for r in env.rows(SSP).values()
            if r.get("slide_id") == sid and r.get("partner_id") == partner_id
        ]
        if rows:
            sudo.write(SSP, [rows[0]["id"]], {"completed": completed})
        elif completed:
            sudo.create(SSP, {"slide_id": sid, "partner_id": partner_id, "completed": True})


def register(hooks: Hooks) -> None:
    hooks.prepare[SSP].append(_ssp_prepare)
    hooks.after_create[SSP].append(
        lambda env, ids: recompute_for_slide_partners(
            env, [i for i in ids if env.rows(SSP)[i].get("completed")]
        )
    )

    def ssp_after_write(env: Env, ids: list[int], vals: dict, before: dict) -> None:
        if "slide_id" in vals:
            for i in ids:
                slide = env.row("slide.slide", env.rows(SSP)[i].get("slide_id"))
                env.rows(SSP)[i]["channel_id"] = slide.get("channel_id") if slide else None
        if "completed" in vals:
            changed = [
                i for i in ids if bool(before[i].get("completed")) != bool(vals["completed"])
            ]
            recompute_for_slide_partners(env, changed)

    hooks.after_write[SSP].append(ssp_after_write)

    def scp_before_unlink(env: Env, ids: list[int]) -> None:
        for i in ids:
            scp = env.rows(SCP)[i]
            doomed = [
                r["id"]
                for r in env.rows(SSP).values()
                if r.get("partner_id") == scp["partner_id"]
                and r.get("channel_id") == scp["channel_id"]
            ]
            if doomed:
                env.sudo().unlink(SSP, doomed)

    hooks.before_unlink[SCP].append(scp_before_unlink)
    hooks.prepare[SCP].append(lambda env, vals: vals.setdefault("active", True))
    hooks.after_create["slide.slide"].append(_slide_check)
    hooks.after_write["slide.slide"].append(_slide_check)
    hooks.compute(SCP, "partner_email")(
        lambda env, row: env.get("res.partner", row["partner_id"], "email")
    )
    hooks.compute(SSP, "slide_category")(
        lambda env, row: env.get("slide.slide", row.get("slide_id"), "slide_category")
    )

    channel = "slide.channel"

    def counts(env: Env, row: dict) -> dict[str | None, int]:
        result: dict[str | None, int] = {}
        for m in memberships(env, row["id"]):
            result[m.get("member_status")] = result.get(m.get("member_status"), 0) + 1
        return result

    hooks.compute(channel, "total_slides")(lambda env, row: len(content_slides(env, row["id"])))
    hooks.compute(channel, "members_count")(
        lambda env, row: sum(n for s, n in counts(env, row).items() if s != "invited")
    )
    hooks.compute(channel, "members_all_count")(lambda env, row: sum(counts(env, row).values()))
    hooks.compute(channel, "members_invited_count")(
        lambda env, row: counts(env, row).get("invited", 0)
    )
    hooks.compute(channel, "members_completed_count")(
        lambda env, row: counts(env, row).get("completed", 0)
    )
    hooks.compute(channel, "members_engaged_count")(
        lambda env, row: counts(env, row).get("ongoing", 0)
    )
    hooks.compute(channel, "partner_ids")(
        lambda env, row: [
            m["partner_id"]
            for m in sorted(memberships(env, row["id"]), key=lambda m: m["id"])
            if m.get("member_status") != "invited"
        ]
    )
    hooks.compute(channel, "slide_content_ids")(
        lambda env, row: [
            s["id"]
            for s in env.rows("slide.slide").values()
            if s.get("channel_id") == row["id"] and not s.get("is_category")
        ]
    )
    hooks.compute(channel, "slide_category_ids")(
        lambda env, row: [
            s["id"]
            for s in env.rows("slide.slide").values()
            if s.get("channel_id") == row["id"] and s.get("is_category")
        ]
    )
    hooks.compute(channel, "is_member")(
        lambda env, row: any(
            m.get("partner_id") == env.user_partner_id for m in memberships(env, row["id"])
        )
    )
    hooks.compute(channel, "website_published")(lambda env, row: bool(row.get("is_published")))
    hooks.compute("slide.slide", "website_published")(
        lambda env, row: bool(row.get("is_published"))
    )

    @hooks.method(channel, "action_grant_access")
    def action_grant_access(env: Env, model: str, ids: Any, partner_id: Any) -> None:
        for cid in as_ids(ids):
            add_members(env, cid, [int(partner_id)] if partner_id else [], "joined")

    @hooks.method(channel, "action_refuse_access")
    def action_refuse_access(env: Env, model: str, ids: Any, partner_id: Any) -> None:
        return None

    def wizard_action(env: Env, ids: Any, enroll: bool) -> dict:
        cid = as_ids(ids)[0]
        return {
            "type": "ir.actions.act_window",
            "res_model": "slide.channel.invite",
            "view_mode": "form",
            "target": "new",
            "name": "Enroll Attendees" if enroll else "Invite Attendees",
            "context": {
                "default_channel_id": cid,
                "default_email_layout_xmlid": "website_slides.mail_notification_channel_invite",
                "default_enroll_mode": enroll,
                "default_template_id": 29 if enroll else 28,
                "default_use_template": True,
            },
        }

    hooks.method(channel, "action_channel_enroll")(
        lambda env, model, ids: wizard_action(env, ids, True)
    )
    hooks.method(channel, "action_channel_invite")(
        lambda env, model, ids: wizard_action(env, ids, False)
    )

    @hooks.method("slide.channel.invite", "action_invite")
    def action_invite(env: Env, model: str, ids: Any) -> dict:
        for wid in as_ids(ids):
            wiz = env.rows(model)[wid]
            cid = wiz.get("channel_id")
            name = env.rows(channel)[cid].get("name") if cid else ""
            partners = wiz.get("partner_ids") or []
            enroll = bool(wiz.get("enroll_mode"))
            add_members(env, cid, partners, "joined" if enroll else "invited")
            templated = bool(env.context.get("default_use_template"))
            for pid in partners:
                subject = (
                    f"You have been invited to {'join' if enroll else 'check out'} {name}"
                    if templated
                    else ""
                )
                queue_mail(env, subject, f"<p>{subject}</p>" if templated else "", [pid])
        return {"type": "ir.actions.act_window_close"}

    @hooks.method("slide.slide", "action_mark_completed")
    def action_mark_completed(env: Env, model: str, ids: Any) -> None:
        _mark(env, as_ids(ids), True, check_member=True)

    @hooks.method("slide.slide", "action_mark_uncompleted")
    def action_mark_uncompleted(env: Env, model: str, ids: Any) -> None:
        _mark(env, as_ids(ids), False, check_member=False)

    @hooks.method("slide.slide", "action_set_viewed")
    def action_set_viewed(env: Env, model: str, ids: Any, quiz_attempts_inc: bool = False) -> bool:
        partner_id = env.user_partner_id
        for sid in as_ids(ids):
            slide = env.rows("slide.slide")[sid]
            if not any(
                m.get("partner_id") == partner_id for m in memberships(env, slide["channel_id"])
            ):
                raise UserError(
                    "You cannot mark a slide as viewed if you are not among its members."
                )
            if not any(
                r.get("slide_id") == sid and r.get("partner_id") == partner_id
                for r in env.rows(SSP).values()
            ):
                env.sudo().create(SSP, {"slide_id": sid, "partner_id": partner_id})
        return True

    @hooks.compute("slide.slide", "can_self_mark_completed")
    def can_self_mark(env: Env, row: dict) -> bool:
        member = any(
            m.get("partner_id") == env.user_partner_id
            for m in memberships(env, row.get("channel_id"))
        )
        return bool(
            member
            and row.get("is_published")
            and row.get("slide_category") not in ("quiz", "certification")
        )
