"""The keys of an enrollment's Odoo writes, and its review To-Do. The writes themselves are
built by the app adapters (`jobs.odoo`): the contact and portal access (`contacts`), the course
invite wizard (`elearning`), the link and the note on the applicant (`recruitment`).

Keys carry the enrollment's round, so an applicant who leaves the OJT stage and comes back is
handled once more, and only once; the review To-Do is one per applicant, whatever the round."""

from __future__ import annotations

from datetime import date

from jobs.odoo.mail import todo_write
from jobs.odoo.recruitment import APPLICANT
from sidecar.enrollment import html_text
from sidecar.outbox import Write


def step_key(subject: str, round_: int, step: str) -> str:
    return f"enroll/{subject}/r{round_}/{step}"


def todo_key(subject: str) -> str:
    # Not per round: an applicant gets one review To-Do, however often it comes back.
    return f"enroll/{subject}/todo"


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
