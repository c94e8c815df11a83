"""The Odoo writes of an enrollment, each as an outbox `Write` with its idempotency key and the
lookup that recognises what an earlier, unconfirmed attempt already made.

Done the way Odoo's own screens do it (quirks §6, §7): portal access through `portal.wizard`, so
Odoo sends its invitation with the signup link; courses through the `slide.channel.invite`
wizard in enroll mode, so the partner also follows the course and gets Odoo's enrollment mail
(a bare `slide.channel.partner` create does neither).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jobs.todo import todo_write
from sidecar.enrollment import html_text
from sidecar.outbox import Lookup, Write, ref

APPLICANT = "hr.applicant"


def step_key(subject: str, round_: int, step: str) -> str:
    return f"enroll/{subject}/r{round_}/{step}"


def todo_key(subject: str) -> str:
    # Not per round: an applicant gets one review To-Do, however often it comes back.
    return f"enroll/{subject}/todo"


def create_partner(key: str, subject: str, name: str, email: str) -> Write:
    return Write(
        key=key,
        model="res.partner",
        method="create",
        params={"vals_list": {"name": name or email, "email": email}},
        lookup=Lookup("res.partner", [("email", "=", email)]),
        summary=f"create the contact {name or email} <{email}>",
        subject=subject,
    )


def link_partner(key: str, subject: str, applicant_id: int, partner_id: Any) -> Write:
    """The applicant's contact, as Odoo itself sets it when it makes one from the e-mail."""
    return Write(
        key=key,
        model=APPLICANT,
        method="write",
        ids=[applicant_id],
        params={"vals": {"partner_id": partner_id}},
        summary=f"link applicant {applicant_id} to its contact",
        subject=subject,
    )


def portal_wizard(key: str, subject: str, partner_id: Any) -> Write:
    return Write(
        key=key,
        model="portal.wizard",
        method="create",
        params={"vals_list": {"partner_ids": [[6, 0, [partner_id]]]}},
        # a wizard is a transient record: adopting an earlier one for the partner is harmless
        lookup=Lookup("portal.wizard", [("partner_ids", "in", [partner_id])]),
        summary=f"open the portal access wizard for partner {partner_id}",
        subject=subject,
    )


def portal_grant(key: str, subject: str, wizard_user_id: Any, partner_id: Any) -> Write:
    return Write(
        key=key,
        model="portal.wizard.user",
        method="action_grant_access",
        ids=[wizard_user_id],
        # a user for the partner is what a grant makes; Odoo refuses to grant twice anyway
        lookup=Lookup("res.users", [("partner_id", "=", partner_id)]),
        summary=f"grant portal access to partner {partner_id} (Odoo e-mails the signup link)",
        subject=subject,
    )


def course_wizard(
    key: str, subject: str, channel_id: int, partner_id: Any, context: dict[str, Any]
) -> Write:
    return Write(
        key=key,
        model="slide.channel.invite",
        method="create",
        params={"vals_list": {"partner_ids": [[6, 0, [partner_id]]]}, "context": context},
        lookup=Lookup(
            "slide.channel.invite",
            [("channel_id", "=", channel_id), ("partner_ids", "in", [partner_id])],
        ),
        summary=f"open the enroll wizard of course {channel_id} for partner {partner_id}",
        subject=subject,
    )


def course_invite(
    key: str,
    subject: str,
    wizard_key: str,
    channel_id: int,
    course_name: str,
    partner_id: Any,
    context: dict[str, Any],
) -> Write:
    return Write(
        key=key,
        model="slide.channel.invite",
        method="action_invite",
        ids=[ref(wizard_key)],
        params={"context": context},
        lookup=Lookup(
            "slide.channel.partner",
            [
                ("channel_id", "=", channel_id),
                ("partner_id", "=", partner_id),
                ("active", "in", [True, False]),
            ],
        ),
        summary=f"enroll partner {partner_id} in {course_name}",
        subject=subject,
    )


def note_marker(program_name: str) -> str:
    """The start of the note as Odoo stores it: how an earlier attempt's note is found."""
    return html_text(f"Enrolled in {program_name}:")[3:-4]  # without <p> and </p>


def applicant_note(
    key: str, subject: str, applicant_id: int, program_name: str, text: str
) -> Write:
    return Write(
        key=key,
        model=APPLICANT,
        method="message_post",
        ids=[applicant_id],
        params={"body": text, "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
        lookup=Lookup(
            "mail.message",
            [
                ("model", "=", APPLICANT),
                ("res_id", "=", applicant_id),
                ("body", "ilike", note_marker(program_name)),
            ],
        ),
        summary=f"note on applicant {applicant_id}: {text}",
        subject=subject,
    )


def review_todo(
    key: str,
    subject: str,
    *,
    applicant_id: int,
    model_id: int,
    type_id: int | None,
    user_id: int | None,
    summary: str,
    note: str,
    today: date,
) -> Write:
    return todo_write(
        key,
        subject,
        model=APPLICANT,
        model_id=model_id,
        res_id=applicant_id,
        summary=summary,
        note_html=html_text(note),
        deadline=today,
        user_id=user_id,
        type_id=type_id,
    )
