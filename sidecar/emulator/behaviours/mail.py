"""Mail: outgoing ``mail.mail`` with no SMTP server (§13), attachments (§5), activities, and the
helpers other apps send mail and add followers with. ``message_post`` (§4) is in ``chatter``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
from datetime import timedelta
from typing import Any

from ..errors import value_error
from ..hooks import Hooks
from ..orm import Env, as_ids
from ..versions import Profile

SMTP_FAILURE = "111\nConnection refused"
# mail.mail fields Odoo keeps on the linked mail.message (``_inherits``); we keep them on the row
MAIL_KEPT = {
    "subject",
    "body",
    "model",
    "res_id",
    "author_id",
    "attachment_ids",
    "email_from",
    "message_type",
    "subtype_id",
    "record_name",
    "date",
    "reply_to",
    "partner_ids",
}


def escape_text(text: str) -> str:
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
    return "".join(table.get(ch, ch) for ch in text)


def plaintext_to_html(text: str) -> str:
    return "<p>" + escape_text(text).replace("\n", "<br>") + "</p>"


def guess_mimetype(raw: bytes, name: str | None) -> str:
    if name:
        guessed = mimetypes.guess_type(name)[0]
        if guessed:
            return guessed
    signatures = [
        (b"%PDF", "application/pdf"),
        (b"\x89PNG", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"PK\x03\x04", "application/zip"),
    ]
    for magic, mime in signatures:
        if raw.startswith(magic):
            return mime
    try:
        raw.decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"


def outgoing_type(env: Env) -> str:
    """The message type of an outgoing e-mail (16.0 has no ``email_outgoing``)."""
    return "email" if env.version.major == 16 else "email_outgoing"


def create_mail(env: Env, vals: dict, state: str) -> int:
    """A mail.mail row (and its mail.message); force-sent ones fail at once without SMTP."""
    sudo = env.sudo()
    values = {"auto_delete": True, "message_type": outgoing_type(env), **vals, "state": state}
    if state == "exception":
        values.update(failure_reason=SMTP_FAILURE, failure_type=False)
    return int(sudo.create("mail.mail", values))


def queue_mail(env: Env, subject: str, body: str, partner_ids: list[int], **extra: Any) -> int:
    """A mail waiting for the queue cron (state ``outgoing``)."""
    vals = {
        "subject": subject,
        "body_html": body,
        "body": body,
        "recipient_ids": [(6, 0, partner_ids)],
        **extra,
    }
    return create_mail(env, vals, "outgoing")


def subscribe(env: Env, model: str, rid: int, partner_ids: list[int]) -> None:
    row = env.rows(model)[rid]
    current = list(row.get("message_partner_ids") or [])
    new = [p for p in partner_ids if p not in current]
    if new:
        env.store.touch(model, rid)
        row["message_partner_ids"] = current + new


def _mail_prepare(env: Env, vals: dict) -> None:
    if not vals.get("mail_message_id"):
        vals["mail_message_id"] = env.sudo().create(
            "mail.message",
            {
                "subject": vals.get("subject") or False,
                "body": vals.get("body_html") or "",
                "model": vals.get("model") or False,
                "res_id": vals.get("res_id") or 0,
                "message_type": vals.get("message_type") or outgoing_type(env),
            },
        )
    vals.setdefault("message_type", outgoing_type(env))
    vals.setdefault("state", "outgoing")


def _attachment_prepare(env: Env, vals: dict) -> None:
    if env.version.major >= 20:
        # 20.0 ignores ``datas`` (with a server warning) and takes the content from ``raw``
        vals.pop("datas", None)
        if vals.get("raw"):
            raw = vals.pop("raw")
            raw = getattr(raw, "data", raw)  # an XML-RPC Binary
            vals["datas"] = raw if isinstance(raw, str) else base64.b64encode(raw).decode()
    datas = vals.get("datas") or vals.get("db_datas")
    vals.setdefault("type", "binary")
    vals.setdefault("public", False)
    if datas:
        try:
            raw = base64.b64decode(datas, validate=False)
        except (binascii.Error, ValueError):
            raise value_error("Incorrect padding") from None
        vals["file_size"] = len(raw)
        vals["checksum"] = hashlib.sha1(raw).hexdigest()
        if not vals.get("mimetype") or vals["mimetype"] == "application/octet-stream":
            vals["mimetype"] = guess_mimetype(raw, vals.get("name"))
    if vals.get("res_model") and vals.get("res_id") is None:
        vals["res_id"] = 0


def _activity_prepare(env: Env, vals: dict) -> None:
    # ``res_model`` is related to ``res_model_id`` (readonly): a real Odoo 17 takes the model
    # from ``res_model_id`` only, and refuses a create without it (a mandatory field).
    vals.pop("res_model", None)
    ir_model = env.rows("ir.model").get(vals.get("res_model_id") or 0)
    if ir_model:
        vals["res_model"] = ir_model["model"]
    if vals.get("res_model") in env.store.tables and vals.get("res_id"):
        vals.setdefault("res_name", env.display_name(vals["res_model"], vals["res_id"]))
    vals.setdefault("activity_type_id", env.ref("mail.mail_activity_data_todo"))
    vals.setdefault("user_id", env.uid)
    vals.setdefault("active", True)
    vals.setdefault("date_deadline", (env.now + timedelta(days=0)).date().isoformat())


# -- mail.mail: no SMTP server, so sending fails -----------------------------------------------


def send(
    env: Env, model: str, ids: Any, auto_commit: bool = False, raise_exception: bool = False
) -> None:
    for mid in as_ids(ids):
        row = env.rows("mail.mail").get(mid)
        if row and row.get("state") == "outgoing":
            env.sudo().write(
                "mail.mail", [mid], {"state": "exception", "failure_reason": SMTP_FAILURE}
            )


def process_email_queue(env: Env, model: str, ids: Any = None) -> None:
    queued = [r["id"] for r in env.rows("mail.mail").values() if r.get("state") == "outgoing"]
    send(env, model, queued)


def mark_outgoing(env: Env, model: str, ids: Any) -> bool:
    return env.write(model, as_ids(ids), {"state": "outgoing"})


def _activity_display(env: Env, row: dict) -> str:
    return row.get("summary") or env.display_name("mail.activity.type", row.get("activity_type_id"))


def _attachment_display(env: Env, row: dict) -> str:
    return row.get("name") or ""


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.kept["mail.mail"].update(MAIL_KEPT)
    hooks.prepare["mail.mail"].append(_mail_prepare)
    hooks.prepare["ir.attachment"].append(_attachment_prepare)
    hooks.kept["ir.attachment"].add("datas")
    hooks.prepare["mail.activity"].append(_activity_prepare)
    hooks.display["mail.activity"] = _activity_display
    hooks.display["ir.attachment"] = _attachment_display
    hooks.method("mail.mail", "send")(send)
    hooks.method("mail.mail", "process_email_queue")(process_email_queue)
    hooks.method("mail.mail", "mark_outgoing")(mark_outgoing)
