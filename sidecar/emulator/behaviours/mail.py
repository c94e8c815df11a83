"""Chatter and mail: ``message_post`` (§4), outgoing ``mail.mail`` with no SMTP server (§13),
attachments (§5), activities and followers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..errors import value_error
from ..hooks import ComputeFn, Hooks
from ..methods import ensure_one
from ..orm import Env, as_ids

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


def create_mail(env: Env, vals: dict, state: str) -> int:
    """A mail.mail row (and its mail.message); force-sent ones fail at once without SMTP."""
    sudo = env.sudo()
    values = {"auto_delete": True, "message_type": "email_outgoing", **vals, "state": state}
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


def _check_ids(values: Any, what: str) -> list[int]:
    values = list(values or [])
    if any(not isinstance(v, int) or isinstance(v, bool) for v in values):
        raise value_error(
            f"Posting a message should receive {what} as a list of IDs (received {values!r})"
        )
    return values


def message_post(
    env: Env,
    model: str,
    ids: Any,
    *,
    body: Any = "",
    subject: Any = None,
    message_type: str = "notification",
    email_from: Any = None,
    author_id: Any = None,
    parent_id: Any = False,
    subtype_xmlid: Any = None,
    subtype_id: Any = False,
    partner_ids: Any = None,
    attachments: Any = None,
    attachment_ids: Any = None,
    body_is_html: bool = False,
    **kwargs: Any,
) -> int:
    rid = ensure_one(model, ids)
    if rid not in env.rows(model):
        from ..errors import missing_record

        raise missing_record(model, [rid], env.uid)
    partners = _check_ids(partner_ids, "partners")
    attachment_list = _check_ids(attachment_ids, "attachments records")
    sudo = env.sudo()
    if not subtype_id:
        subtype_id = env.ref(subtype_xmlid or "mail.mt_note")
    internal = bool(env.rows("mail.message.subtype")[subtype_id].get("internal"))
    body = body or ""
    html = str(body) if body_is_html else (plaintext_to_html(str(body)) if body else "")
    author = author_id or env.user_partner_id
    author_row = env.rows("res.partner").get(author, {})
    for name, content in attachments or []:
        raw = content.encode() if isinstance(content, str) else bytes(content)
        attachment_list.append(
            sudo.create(
                "ir.attachment",
                {
                    "name": name,
                    "datas": base64.b64encode(raw).decode(),
                    "res_model": model,
                    "res_id": rid,
                },
            )
        )
    for att_id in attachment_list:
        att = env.rows("ir.attachment").get(att_id)
        if att and att.get("res_model") == "mail.compose.message" and not att.get("res_id"):
            sudo.write("ir.attachment", [att_id], {"res_model": model, "res_id": rid})
    record_name = env.display_name(model, rid)
    message_id = sudo.create(
        "mail.message",
        {
            "model": model,
            "res_id": rid,
            "body": html,
            "subject": subject or False,
            "message_type": message_type,
            "subtype_id": subtype_id,
            "author_id": author,
            "email_from": email_from
            or (
                f'"{author_row.get("name")}" <{author_row.get("email")}>'
                if author_row.get("email")
                else False
            ),
            "partner_ids": [(6, 0, partners)],
            "attachment_ids": [(6, 0, attachment_list)],
            "record_name": record_name,
            "parent_id": parent_id or False,
            "date": env.now,
        },
    )
    recipients = list(partners)
    if not internal:
        # a comment also notifies every follower (but never the author)
        followers = env.rows(model)[rid].get("message_partner_ids") or []
        recipients += [p for p in followers if p not in recipients and p != author]
    for pid in recipients:
        mail_id = create_mail(
            env,
            {
                "mail_message_id": message_id,
                "subject": subject or record_name,
                "body_html": html,
                "body": html,
                "recipient_ids": [(6, 0, [pid])],
                "email_to": False,
                "model": model,
                "res_id": rid,
                "author_id": author,
                "attachment_ids": list(attachment_list),
                "record_name": record_name,
                "message_type": message_type,
            },
            "exception",
        )
        sudo.create(
            "mail.notification",
            {
                "mail_message_id": message_id,
                "mail_mail_id": mail_id,
                "res_partner_id": pid,
                "notification_type": "email",
                "notification_status": "exception",
                "failure_type": "mail_smtp",
            },
        )
    return int(message_id)


def _mail_prepare(env: Env, vals: dict) -> None:
    if not vals.get("mail_message_id"):
        vals["mail_message_id"] = env.sudo().create(
            "mail.message",
            {
                "subject": vals.get("subject") or False,
                "body": vals.get("body_html") or "",
                "model": vals.get("model") or False,
                "res_id": vals.get("res_id") or 0,
                "message_type": vals.get("message_type") or "email_outgoing",
            },
        )
    vals.setdefault("message_type", "email_outgoing")
    vals.setdefault("state", "outgoing")


def _attachment_prepare(env: Env, vals: dict) -> None:
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


def register(hooks: Hooks) -> None:
    hooks.methods[("*", "message_post")] = message_post
    hooks.kept["mail.mail"].update(MAIL_KEPT)
    hooks.prepare["mail.mail"].append(_mail_prepare)
    hooks.prepare["ir.attachment"].append(_attachment_prepare)
    hooks.kept["ir.attachment"].add("datas")
    hooks.prepare["mail.activity"].append(_activity_prepare)
    hooks.display["mail.activity"] = lambda env, row: (
        row.get("summary") or env.display_name("mail.activity.type", row.get("activity_type_id"))
    )
    hooks.display["ir.attachment"] = lambda env, row: row.get("name") or ""

    @hooks.method("mail.mail", "send")
    def send(
        env: Env, model: str, ids: Any, auto_commit: bool = False, raise_exception: bool = False
    ) -> None:
        for mid in as_ids(ids):
            row = env.rows("mail.mail").get(mid)
            if row and row.get("state") == "outgoing":
                env.sudo().write(
                    "mail.mail", [mid], {"state": "exception", "failure_reason": SMTP_FAILURE}
                )

    @hooks.method("mail.mail", "process_email_queue")
    def process_email_queue(env: Env, model: str, ids: Any = None) -> None:
        queued = [r["id"] for r in env.rows("mail.mail").values() if r.get("state") == "outgoing"]
        send(env, model, queued)

    @hooks.method("mail.mail", "mark_outgoing")
    def mark_outgoing(env: Env, model: str, ids: Any) -> bool:
        return env.write(model, as_ids(ids), {"state": "outgoing"})

    for model in (
        "res.partner",
        "hr.applicant",
        "slide.channel",
        "event.registration",
        "event.event",
        "hr.job",
        "survey.survey",
        "survey.user_input",
        "slide.slide",
        "res.users",
    ):
        hooks.kept[model].add("message_partner_ids")

    def message_ids(env: Env, row: dict, model: str) -> list[int]:
        return sorted(
            (
                m["id"]
                for m in env.rows("mail.message").values()
                if m.get("model") == model and m.get("res_id") == row["id"]
            ),
            reverse=True,
        )

    def activity_ids(env: Env, row: dict, model: str) -> list[int]:
        return [
            a["id"]
            for a in env.rows("mail.activity").values()
            if a.get("res_model") == model
            and a.get("res_id") == row["id"]
            and a.get("active", True)
        ]

    def attachments(env: Env, row: dict, model: str) -> int:
        return sum(
            1
            for a in env.rows("ir.attachment").values()
            if a.get("res_model") == model and a.get("res_id") == row["id"]
        )

    def for_model(compute: Callable[[Env, dict[str, Any], str], Any], model: str) -> ComputeFn:
        return lambda env, row: compute(env, row, model)

    from ..registry import load_specs

    for name, spec in load_specs().items():
        for fname, compute in (
            ("message_ids", message_ids),
            ("activity_ids", activity_ids),
            ("message_attachment_count", attachments),
        ):
            if fname in spec.fields:
                hooks.computes[name][fname] = for_model(compute, name)
    hooks.computes["hr.applicant"]["attachment_number"] = lambda env, row: attachments(
        env, row, "hr.applicant"
    )
