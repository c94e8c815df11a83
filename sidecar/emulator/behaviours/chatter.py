"""Chatter (§4): ``message_post`` on any model with a chatter, the e-mails it sends to partners
and followers, and the chatter fields (messages, activities, attachment counts)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from ..errors import missing_record, value_error
from ..hooks import ComputeFn, Hooks
from ..methods import ensure_one
from ..orm import Env
from ..registry import load_specs
from .mail import create_mail, plaintext_to_html

# models whose followers (``message_partner_ids``, not stored in Odoo's table) we keep on the row
FOLLOWED_MODELS = (
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
)


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
    """``mail.thread.message_post``: the message with its attachments, and to each recipient an
    e-mail that fails at once (there is no SMTP server) with its notification."""
    rid = ensure_one(model, ids)
    if rid not in env.rows(model):
        raise missing_record(model, [rid], env.uid)
    partners = _check_ids(partner_ids, "partners")
    attachment_list = _check_ids(attachment_ids, "attachments records")
    if not subtype_id:
        subtype_id = env.ref(subtype_xmlid or "mail.mt_note")
    internal = bool(env.rows("mail.message.subtype")[subtype_id].get("internal"))
    body = body or ""
    html = str(body) if body_is_html else (plaintext_to_html(str(body)) if body else "")
    author = author_id or env.user_partner_id
    default_from = _author_address(env.rows("res.partner").get(author, {}))
    attachment_list += _create_attachments(env, model, rid, attachments or [])
    _adopt_composer_attachments(env, model, rid, attachment_list)
    post = _Post(env, model, rid, html, subject, message_type, author, attachment_list)
    message_id = post.message(subtype_id, email_from or default_from, partners, parent_id)
    for pid in _recipients(env, model, rid, partners, author, internal):
        post.email(message_id, pid)
    return int(message_id)


def _create_attachments(env: Env, model: str, rid: int, attachments: Any) -> list[int]:
    """``attachments``: (name, content) pairs, stored as attachments of the record."""
    created = []
    for name, content in attachments:
        raw = content.encode() if isinstance(content, str) else bytes(content)
        created.append(
            env.sudo().create(
                "ir.attachment",
                {
                    "name": name,
                    "datas": base64.b64encode(raw).decode(),
                    "res_model": model,
                    "res_id": rid,
                },
            )
        )
    return created


def _adopt_composer_attachments(env: Env, model: str, rid: int, attachment_ids: list[int]) -> None:
    """Attachments uploaded to the composer (not yet linked) move to the record, as in Odoo."""
    for att_id in attachment_ids:
        att = env.rows("ir.attachment").get(att_id)
        if att and att.get("res_model") == "mail.compose.message" and not att.get("res_id"):
            env.sudo().write("ir.attachment", [att_id], {"res_model": model, "res_id": rid})


def _author_address(author_row: dict) -> Any:
    """The default ``email_from``: the author's formatted address, or False without an e-mail."""
    if not author_row.get("email"):
        return False
    return f'"{author_row.get("name")}" <{author_row.get("email")}>'


def _recipients(
    env: Env, model: str, rid: int, partners: list[int], author: Any, internal: bool
) -> list[int]:
    """The partners named; a non-internal subtype also notifies every follower but the author."""
    recipients = list(partners)
    if not internal:
        followers = env.rows(model)[rid].get("message_partner_ids") or []
        recipients += [p for p in followers if p not in recipients and p != author]
    return recipients


class _Post:
    """What the message and its outgoing e-mails share, and the e-mail to one recipient."""

    def __init__(
        self,
        env: Env,
        model: str,
        rid: int,
        html: str,
        subject: Any,
        message_type: str,
        author: Any,
        attachment_ids: list[int],
    ) -> None:
        self.env, self.model, self.rid, self.html = env, model, rid, html
        self.subject, self.message_type, self.author = subject, message_type, author
        self.attachment_ids = attachment_ids
        self.record_name = env.display_name(model, rid)

    def message(self, subtype_id: int, email_from: Any, partners: list[int], parent_id: Any) -> int:
        return int(
            self.env.sudo().create(
                "mail.message",
                {
                    "model": self.model,
                    "res_id": self.rid,
                    "body": self.html,
                    "subject": self.subject or False,
                    "message_type": self.message_type,
                    "subtype_id": subtype_id,
                    "author_id": self.author,
                    "email_from": email_from,
                    "partner_ids": [(6, 0, partners)],
                    "attachment_ids": [(6, 0, self.attachment_ids)],
                    "record_name": self.record_name,
                    "parent_id": parent_id or False,
                    "date": self.env.now,
                },
            )
        )

    def email(self, message_id: int, pid: int) -> None:
        """A mail.mail to ``pid`` that fails at once (no SMTP server), and its notification."""
        mail_id = create_mail(
            self.env,
            {
                "mail_message_id": message_id,
                "subject": self.subject or self.record_name,
                "body_html": self.html,
                "body": self.html,
                "recipient_ids": [(6, 0, [pid])],
                "email_to": False,
                "model": self.model,
                "res_id": self.rid,
                "author_id": self.author,
                "attachment_ids": list(self.attachment_ids),
                "record_name": self.record_name,
                "message_type": self.message_type,
            },
            "exception",
        )
        self.env.sudo().create(
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


# -- chatter fields ----------------------------------------------------------------------------


def _message_ids(env: Env, row: dict, model: str) -> list[int]:
    return sorted(
        (
            m["id"]
            for m in env.rows("mail.message").values()
            if m.get("model") == model and m.get("res_id") == row["id"]
        ),
        reverse=True,
    )


def _activity_ids(env: Env, row: dict, model: str) -> list[int]:
    return [
        a["id"]
        for a in env.rows("mail.activity").values()
        if a.get("res_model") == model and a.get("res_id") == row["id"] and a.get("active", True)
    ]


def _attachment_count(env: Env, row: dict, model: str) -> int:
    return sum(
        1
        for a in env.rows("ir.attachment").values()
        if a.get("res_model") == model and a.get("res_id") == row["id"]
    )


ModelCompute = Callable[[Env, dict, str], Any]

# chatter field -> its compute, given the model it is computed for
CHATTER_COMPUTES: dict[str, ModelCompute] = {
    "message_ids": _message_ids,
    "activity_ids": _activity_ids,
    "message_attachment_count": _attachment_count,
}


def _for_model(compute: ModelCompute, model: str) -> ComputeFn:
    return lambda env, row: compute(env, row, model)


def register(hooks: Hooks) -> None:
    hooks.methods[("*", "message_post")] = message_post
    for model in FOLLOWED_MODELS:
        hooks.kept[model].add("message_partner_ids")
    # every model that declares a chatter field gets its compute
    for name, spec in load_specs().items():
        for fname, compute in CHATTER_COMPUTES.items():
            if fname in spec.fields:
                hooks.computes[name][fname] = _for_model(compute, name)
    hooks.computes["hr.applicant"]["attachment_number"] = _for_model(
        _attachment_count, "hr.applicant"
    )
