"""eLearning buttons called over RPC: access requests, the enrol/invite wizard and marking
slides completed or viewed (website_slides 17.0, §6 and §8)."""

from __future__ import annotations

from typing import Any

from ..errors import UserError
from ..hooks import Hooks, MethodFn
from ..orm import Env, as_ids
from ..versions import Profile
from .mail import queue_mail
from .slides import SSP, add_members, memberships

# -- slide.channel -----------------------------------------------------------------------------


def action_grant_access(env: Env, model: str, ids: Any, partner_id: Any) -> None:
    for cid in as_ids(ids):
        add_members(env, cid, [int(partner_id)] if partner_id else [], "joined")


def action_refuse_access(env: Env, model: str, ids: Any, partner_id: Any) -> None:
    return None


def _wizard_action(env: Env, ids: Any, enroll: bool) -> dict:
    """The ``slide.channel.invite`` form Odoo opens to enroll or to invite attendees."""
    cid = as_ids(ids)[0]
    major = env.version.major
    if major == 16:
        return {
            "type": "ir.actions.act_window",
            "view_mode": "form",
            "res_model": "slide.channel.invite",
            "target": "new",
            "context": {
                "default_channel_id": cid,
                "default_use_template": True,
                "default_template_id": 30,
                "default_email_layout_xmlid": "website_slides.mail_notification_channel_invite",
            },
        }
    if major >= 18:
        course = env.rows("slide.channel")[cid].get("name")
        verb = "Enroll" if enroll else "Invite"
        return {
            "type": "ir.actions.act_window",
            "views": [[False, "form"]],
            "res_model": "slide.channel.invite",
            "target": "new",
            "context": _wizard_context(cid, enroll),
            "name": f"{verb} Attendees to {course}",
        }
    return {
        "type": "ir.actions.act_window",
        "res_model": "slide.channel.invite",
        "view_mode": "form",
        "target": "new",
        "name": "Enroll Attendees" if enroll else "Invite Attendees",
        "context": _wizard_context(cid, enroll),
    }


def _wizard_context(cid: int, enroll: bool) -> dict:
    return {
        "default_channel_id": cid,
        "default_email_layout_xmlid": "website_slides.mail_notification_channel_invite",
        "default_enroll_mode": enroll,
        "default_template_id": 29 if enroll else 28,
        "default_use_template": True,
    }


def action_add_member(env: Env, model: str, ids: Any) -> bool:
    """16.0: the caller joins the course (False when already a member)."""
    added = False
    for cid in as_ids(ids):
        if not any(m.get("partner_id") == env.user_partner_id for m in memberships(env, cid)):
            add_members(env, cid, [env.user_partner_id], "joined")
            added = True
    return added


def action_channel_enroll(env: Env, model: str, ids: Any) -> dict:
    return _wizard_action(env, ids, True)


def action_channel_invite(env: Env, model: str, ids: Any) -> dict:
    return _wizard_action(env, ids, False)


def action_invite(env: Env, model: str, ids: Any) -> dict:
    """``slide.channel.invite.action_invite``: enroll or invite, and mail each recipient."""
    for wid in as_ids(ids):
        wiz = env.rows(model)[wid]
        cid = wiz.get("channel_id")
        name = env.rows("slide.channel")[cid].get("name") if cid else ""
        partners = wiz.get("partner_ids") or []
        # 16.0 has no invited state: its wizard always enrolls
        enroll = bool(wiz.get("enroll_mode")) or env.version.major == 16
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


# -- slide.slide -------------------------------------------------------------------------------


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


def action_mark_completed(env: Env, model: str, ids: Any) -> None:
    _mark(env, as_ids(ids), True, check_member=True)


def action_mark_uncompleted(env: Env, model: str, ids: Any) -> None:
    _mark(env, as_ids(ids), False, check_member=False)


def action_set_viewed(env: Env, model: str, ids: Any, quiz_attempts_inc: bool = False) -> bool:
    partner_id = env.user_partner_id
    for sid in as_ids(ids):
        slide = env.rows("slide.slide")[sid]
        if not any(
            m.get("partner_id") == partner_id for m in memberships(env, slide["channel_id"])
        ):
            raise UserError("You cannot mark a slide as viewed if you are not among its members.")
        if not any(
            r.get("slide_id") == sid and r.get("partner_id") == partner_id
            for r in env.rows(SSP).values()
        ):
            env.sudo().create(SSP, {"slide_id": sid, "partner_id": partner_id})
    return True


def _can_self_mark(env: Env, row: dict) -> bool:
    member = any(
        m.get("partner_id") == env.user_partner_id for m in memberships(env, row.get("channel_id"))
    )
    return bool(
        member
        and row.get("is_published")
        and row.get("slide_category") not in ("quiz", "certification")
    )


METHODS: dict[tuple[str, str], MethodFn] = {
    ("slide.channel", "action_grant_access"): action_grant_access,
    ("slide.channel", "action_refuse_access"): action_refuse_access,
    ("slide.channel", "action_channel_enroll"): action_channel_enroll,
    ("slide.channel", "action_channel_invite"): action_channel_invite,
    ("slide.channel.invite", "action_invite"): action_invite,
    ("slide.slide", "action_mark_completed"): action_mark_completed,
    ("slide.slide", "action_mark_uncompleted"): action_mark_uncompleted,
    ("slide.slide", "action_set_viewed"): action_set_viewed,
}


def register(hooks: Hooks, profile: Profile) -> None:
    for (model, name), fn in METHODS.items():
        hooks.method(model, name)(fn)
    if profile.major == 16:
        del hooks.methods[("slide.channel", "action_channel_enroll")]
        hooks.method("slide.channel", "action_add_member")(action_add_member)
    hooks.compute("slide.slide", "can_self_mark_completed")(_can_self_mark)
