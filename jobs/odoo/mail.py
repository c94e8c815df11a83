"""Mail: messages in a record's chatter (notes, and e-mails to followers named by
`partner_ids`), attachments, and review To-Dos (`mail.activity`). Each write is found again by
what only it carries, so an attempt whose answer was lost is adopted, not repeated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from connectors import OdooClient
from jobs.odoo.contacts import PARTNER, USER
from jobs.odoo.reads import WITH_ARCHIVED
from jobs.odoo.recruitment import APPLICANT
from sidecar.outbox import Lookup, Write, file_b64, ref

ACTIVITY = "mail.activity"
ACTIVITY_TYPE = "mail.activity.type"
MESSAGE = "mail.message"
OUTGOING = "mail.mail"
ATTACHMENT = "ir.attachment"
MODEL = "ir.model"
NOTE = "mail.mt_note"
COMMENT = "mail.mt_comment"
SHOWN_AS = {APPLICANT: "applicant", PARTNER: "contact"}
# What delivering certificates needs whatever the configuration: a note on the contact (write
# access to it) and the PDF as an attachment.
CERTIFICATE_WRITES = ((PARTNER, "write"), (ATTACHMENT, "create"))


def model_id(client: OdooClient, model: str) -> int | None:
    """The `ir.model` id of `model`, which a To-Do's `res_model_id` needs; None when Odoo has no
    such model (its app is not installed)."""
    ids = client.search(MODEL, [("model", "=", model)], limit=1)
    return int(ids[0]) if ids else None


def todo_type_id(client: OdooClient) -> int | None:
    found = client.search(ACTIVITY_TYPE, [("name", "=", "To-Do")], limit=1)
    return found[0] if found else None


def todo_write(
    key: str,
    subject: str,
    *,
    model: str,
    model_id: int,
    res_id: int,
    summary: str,
    note_html: str,
    deadline: date,
    user_id: int | None = None,
    type_id: int | None = None,
) -> Write:
    """`mail.activity.create` on `model` `res_id`. Odoo requires `res_model_id` (the `ir.model`
    id of `model`); without `type_id` Odoo's default type (To-Do) applies. Found again by its
    record and summary, so the summary must name what it is about."""
    values: dict[str, Any] = {
        "res_model_id": model_id,
        "res_id": res_id,
        "summary": summary,
        "note": note_html,
        "date_deadline": deadline.isoformat(),
    }
    if type_id is not None:
        values["activity_type_id"] = type_id
    if user_id is not None:
        values["user_id"] = user_id
    return Write(
        key=key,
        model=ACTIVITY,
        method="create",
        params={"vals_list": values},
        lookup=Lookup(
            ACTIVITY,
            [("res_model", "=", model), ("res_id", "=", res_id), ("summary", "=", summary)],
        ),
        summary=f"To-Do on {SHOWN_AS.get(model, model)} {res_id}: {summary}",
        subject=subject,
    )


def attach_file(
    key: str,
    subject: str,
    *,
    model: str,
    res_id: int,
    filename: str,
    path: str,
    description: str,
    content_field: str = "datas",
    mimetype: str = "application/pdf",
) -> Write:
    """The file at `path` (read at delivery) attached to a record; found again by its name.
    `content_field`: where this Odoo takes the base64 content (`OdooProfile.attachment_content`)."""
    return Write(
        key=key,
        model=ATTACHMENT,
        method="create",
        params={
            "vals_list": {
                "name": filename,
                content_field: file_b64(path),
                "res_model": model,
                "res_id": res_id,
                "mimetype": mimetype,
                "description": description,
            }
        },
        lookup=Lookup(
            ATTACHMENT,
            [("res_model", "=", model), ("res_id", "=", res_id), ("name", "=", filename)],
        ),
        summary=f"attach {filename} to {model} {res_id}",
        subject=subject,
    )


def post(
    key: str,
    subject: str,
    *,
    model: str,
    res_id: int,
    body_html: str,
    found_by: tuple[str, ...],
    summary: str,
    attachment_keys: Sequence[str] = (),
    email_to: int | None = None,
    email_subject: str | None = None,
    author_id: int | None = None,
    comments_only: bool = True,
) -> Write:
    """A message in the record's chatter: an internal note; with `email_to`, a comment e-mailed
    to that partner; with `author_id`, a comment posted as that partner (a trainee's hand-in,
    posted by the integration). `attachment_keys`: the outbox keys of attachments made first.
    Found again by the words `found_by` in its body (among comments only, unless
    `comments_only` is off)."""
    comment = email_to is not None or author_id is not None
    params: dict[str, Any] = {
        "body": body_html,
        "body_is_html": True,
        "message_type": "comment",
        "subtype_xmlid": COMMENT if comment else NOTE,
    }
    if author_id is not None:
        params["author_id"] = author_id
    if attachment_keys:
        params["attachment_ids"] = [ref(key) for key in attachment_keys]
    if email_to is not None:
        params["partner_ids"] = [email_to]
        if email_subject is not None:
            params["subject"] = email_subject
    return Write(
        key=key,
        model=model,
        method="message_post",
        ids=[res_id],
        params=params,
        lookup=Lookup(
            MESSAGE,
            [
                ("model", "=", model),
                ("res_id", "=", res_id),
                *([("message_type", "=", "comment")] if comments_only else []),
                *(("body", "ilike", words) for words in found_by),
            ],
        ),
        summary=summary,
        subject=subject,
    )


# --- notifications (jobs/notify) --------------------------------------------------------------

PARTNER_TAG = "res.partner.category"


def recipients(client: OdooClient, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Name, e-mail, language, time zone and tags of each contact to notify, in one read per
    page of ids; a contact Odoo no longer has is left out."""
    if not ids:
        return {}
    rows = client.read(
        PARTNER, list(ids), ["name", "email", "lang", "tz", "category_id"], context=WITH_ARCHIVED
    )
    return {int(row["id"]): row for row in rows}


def tags_named(client: OdooClient, name: str) -> set[int]:
    """Every contact tag with this name (names are not unique in Odoo)."""
    return set(client.search(PARTNER_TAG, [("name", "=", name)]))


def users(client: OdooClient, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The contact, name and time zone of each user (mentors, for the digest)."""
    if not ids:
        return {}
    rows = client.read(USER, list(ids), ["partner_id", "name", "tz", "lang"])
    return {int(row["id"]): row for row in rows}


def private_mail(key: str, partner_id: int, subject: str, body_html: str, summary: str) -> Write:
    """An e-mail to one contact that stays out of every chatter and is deleted once sent
    (`mail.mail` with `auto_delete`): for what only they may see, such as a sign-in link.
    Odoo's mail queue sends it. Found again by its subject, which carries `key`'s reference."""
    return Write(
        key=key,
        model=OUTGOING,
        method="create",
        params={
            "vals_list": {
                "subject": subject,
                "body_html": body_html,
                "recipient_ids": [(4, partner_id)],
                "auto_delete": True,
            }
        },
        lookup=Lookup(OUTGOING, [("subject", "=", subject)]),
        summary=summary,
    )
