"""Who enters training from the OJT stage, and what the people in Odoo are told: pure rules over
plain data (no I/O), used by `jobs.enroll`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Decision:
    """What to do with an applicant in the OJT stage: enroll now, or ask a person why not."""

    enroll: bool
    reasons: tuple[str, ...] = ()  # why not, one plain sentence each


def valid_email(value: object) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(value.strip()))


def stage_applies(stage_job_ids: Sequence[int], job_id: int | None) -> bool:
    """A stage without jobs is shared by every job; one with jobs applies only to them."""
    return not stage_job_ids or (job_id is not None and job_id in stage_job_ids)


def decide(
    *,
    email: object,
    require_email: bool,
    matches_domain: bool,
    auto_enroll: bool,
) -> Decision:
    """Eligible and automatic → enroll; otherwise the reasons a reviewer reads on the To-Do."""
    reasons: list[str] = []
    if require_email and not valid_email(email):
        reasons.append("The applicant has no valid e-mail address.")
    if not matches_domain:
        reasons.append("The applicant does not match the program's eligibility rule.")
    if not reasons and not auto_enroll:
        reasons.append("The program enrolls applicants only after a review.")
    return Decision(enroll=not reasons, reasons=tuple(reasons))


def todo_summary(program_name: str) -> str:
    return f"Review OJT enrollment: {program_name}"


def todo_note(reasons: Sequence[str], criteria: str, command: str) -> str:
    """The To-Do's body, as plain text lines (the caller escapes them into HTML)."""
    lines = [*reasons]
    if criteria.strip():
        lines.append(f"Criteria: {criteria.strip()}")
    lines.append(f"To enroll after review: {command}")
    return "\n".join(lines)


def enrolled_note(program_name: str, course_names: Sequence[str], portal: str | None) -> str:
    """The note posted on the applicant once every write of the enrollment is confirmed."""
    courses = ", ".join(course_names) if course_names else "no course"
    if portal == "invited":
        access = "portal invitation sent"
    elif portal == "existing":
        access = "existing account"
    else:
        access = "no portal access"
    return f"Enrolled in {program_name}: {courses}; {access}"


def html_text(text: str) -> str:
    """Plain text as Odoo stores a plain-text body: escaped, in one paragraph
    (docs/odoo-notes.md §10)."""
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}
    escaped = "".join(table.get(ch, ch) for ch in text)
    return "<p>" + escaped.replace("\n", "<br>") + "</p>"
