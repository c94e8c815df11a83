"""Chatter (§4): ``message_post`` on any model with a chatter, the e-mails it sends to partners
and followers, and the chatter fields (messages, activities, attachment counts)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from ..errors import missing_record, type_error, value_error
from ..hooks import ComputeFn, Hooks
from ..methods import RecordSet, ensure_one
from ..orm import Env
from ..registry import ModelSpec
from ..versions import Profile
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


def _check_ids(env: Env, values: Any, what: str) -> list[int]:
    values = list(values or [])
    if env.version.major == 16 and any(isinstance(v, list) for v in values):
        # 16.0 puts them in a set before looking at them
        raise type_error("unhashable type: 'list'")
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
) -> Any:
    """``mail.thread.message_post``: the message with its attachments, and to each recipient an
    e-mail that fails at once (there is no SMTP server) with its notification."""
    rid = ensure_one(model, ids)
    if rid not in env.rows(model):
        raise missing_record(model, [rid], env.uid)
    partners = _check_ids(env, partner_ids, "partners")
    attachment_list = _check_ids(env, attachment_ids, "attachments records")
    if not subtype_id:
        subtype_id = env.ref(subtype_xmlid or "mail.mt_note")
    internal = bool(env.rows("mail.message.subtype")[subtype_id].get("internal"))
    html = _body_html(env, str(body or ""), body_is_html)
    author = author_id or env.user_partner_id
    default_from = _author_address(env.rows("res.partner").get(author, {}))
    attachment_list += _create_attachments(env, model, rid, attachments or [])
    _adopt_composer_attachments(env, model, rid, attachment_list)
    post = _Post(env, model, rid, html, subject, message_type, author, attachment_list)
    message_id = post.message(subtype_id, email_from or default_from, partners, parent_id)
    for pid in _recipients(env, model, rid, partners, author, internal):
        post.email(message_id, pid)
    if env.version.recordsets_as_ids:
        return RecordSet("mail.message", [int(message_id)])
    return int(message_id)


_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.I | re.S)


def _body_html(env: Env, body: str, body_is_html: bool) -> str:
    """17.0+ escape a str body unless ``body_is_html``; 16.0 has no such argument (it lands in
    ``**kwargs``) and takes any str as HTML, sanitised, with bare text wrapped in a paragraph."""
    if env.version.major == 16:
        html = _SCRIPT.sub("", body).strip()
        return html if not html or html.startswith("<") else f"<p>{html}</p>"
    if body_is_html:
        return body
    return plaintext_to_html(body) if body else ""


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
                    # 20.0 ignores ``datas``: the content goes in ``raw`` there
                    "raw" if env.version.major >= 20 else "datas": base64.b64encode(raw).decode(),
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

    def _reply_subject(self) -> str:
        """The e-mail subject of a post without one: the record's name (``Re: `` in 16.0)."""
        if self.env.version.major == 16:
            return f"Re: {self.record_name}"
        return self.record_name

    def email(self, message_id: int, pid: int) -> None:
        """A mail.mail to ``pid`` that fails at once (no SMTP server), and its notification."""
        mail_id = create_mail(
            self.env,
            {
                "mail_message_id": message_id,
                "subject": self.subject or self._reply_subject(),
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


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.methods[("*", "message_post")] = message_post
    for model in (*FOLLOWED_MODELS, "hr.candidate"):
        hooks.kept[model].add("message_partner_ids")
    hooks.computes["hr.applicant"]["attachment_number"] = _for_model(
        _attachment_count, "hr.applicant"
    )


def register_computes(hooks: Hooks, specs: dict[str, ModelSpec]) -> None:
    """Every model that declares a chatter field gets its compute."""
    for name, spec in specs.items():
        for fname, compute in CHATTER_COMPUTES.items():
            if fname in spec.fields:
                hooks.computes[name][fname] = _for_model(compute, name)
